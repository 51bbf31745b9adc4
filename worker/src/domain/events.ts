// The event wire format of POST /v1/events and its normalization into what is stored.
import { z } from 'zod'
import { touchFromEvent, type Touch } from './attribution'

/** Timestamps further than this in the past are clamped: a replayed offline queue is days old at most. */
const MAX_EVENT_AGE_MS = 30 * 24 * 3600 * 1000

const Id = z.string().trim().min(1).max(128)
const Timestamp = z.iso.datetime({ offset: true })
const Dictionary = z.record(z.string().max(200), z.unknown())
/** Properties or traits: `null` (a site's `track('Clicked', null)`) reads as none instead of refusing the batch. */
const OptionalDictionary = Dictionary.nullish().transform((value) => value ?? undefined)

/**
 * Other fields pass as sent (`locale`, `screen`, `timezone`…): a wrong `timezone` is ignored where it is
 * read (domain/time-zone), never a reason to refuse the batch.
 */
export const EventContext = z.looseObject({
  url: z.string().max(4096).optional(),
  referrer: z.string().max(4096).optional(),
  title: z.string().max(1000).optional(),
  campaign: Dictionary.optional(),
})
export type EventContext = z.infer<typeof EventContext>

const UserId = z.string().trim().min(1).max(256)

const EventBase = {
  id: Id,
  anonymousId: Id,
  /** The known user id the SDK remembers after identify; null after a logout. */
  userId: UserId.nullable().optional(),
  timestamp: Timestamp.optional(),
  context: EventContext.optional(),
}

export const PageEvent = z.object({ ...EventBase, type: z.literal('page'), properties: OptionalDictionary })
export type PageEvent = z.infer<typeof PageEvent>

export const TrackEvent = z.object({
  ...EventBase,
  type: z.literal('track'),
  event: z.string().trim().min(1).max(200),
  properties: OptionalDictionary,
})
export type TrackEvent = z.infer<typeof TrackEvent>

export const IdentifyEvent = z.object({
  ...EventBase,
  type: z.literal('identify'),
  traits: OptionalDictionary,
  /** HMAC-SHA256 (hex) of the user id, or of the email without one, by the site's identity secret. */
  verification: z.string().max(256).optional(),
})
export type IdentifyEvent = z.infer<typeof IdentifyEvent>

export const IncomingEvent = z.discriminatedUnion('type', [PageEvent, TrackEvent, IdentifyEvent])
export type IncomingEvent = z.infer<typeof IncomingEvent>

/**
 * Keys that objects treat specially: `__proto__` vanishes when the body is copied, `constructor` and
 * `prototype` shadow built-ins. Refused (400) rather than silently dropped or kept as traps for later code.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
/** Deeper bodies are refused before the walk below could exhaust the stack. */
const MAX_DEPTH = 64

/** The first place in a parsed JSON body that would not be stored as sent: a reserved key, or 1e309 (Infinity). */
export function unstorableValue(value: unknown, path: PropertyKey[] = []): { path: PropertyKey[]; message: string } | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return { path, message: 'numbers must be finite (1e309 is out of range)' }
  if (typeof value !== 'object' || value === null) return null
  if (path.length > MAX_DEPTH) return { path, message: `values nest at most ${MAX_DEPTH} levels deep` }
  for (const key of Object.keys(value)) {
    if (RESERVED_KEYS.has(key)) return { path: [...path, key], message: `"${key}" is a reserved key` }
    const found = unstorableValue((value as Record<string, unknown>)[key], [...path, Array.isArray(value) ? Number(key) : key])
    if (found) return found
  }
  return null
}

export const EventBatch = z
  .unknown()
  .superRefine((body, ctx) => {
    const found = unstorableValue(body)
    if (found) ctx.addIssue({ code: 'custom', path: found.path, message: found.message })
  })
  .pipe(
    z.object({
      site: z.string().min(1).max(64),
      sentAt: Timestamp.optional(),
      /** Sent by an automated browser (`navigator.webdriver`): stored only if the site accepts automated traffic. */
      automated: z.boolean().optional(),
      batch: z.array(IncomingEvent).min(1),
    }),
  )
export type EventBatch = z.infer<typeof EventBatch>

/** An accepted event as stored and as the domain sees it. */
export type NormalizedEvent = {
  eventId: string
  type: IncomingEvent['type']
  name: string | null
  anonymousId: string
  userId: string | null
  email: string | null
  ts: number
  url: string | null
  data: Record<string, unknown> | null
  context: Record<string, unknown> | null
  touch: Touch | null
  /** identify: signed with the site's identity secret (set by ingest before storing; absent = unverified). */
  verified?: boolean
}

/**
 * Corrects the client clock: the delay between the event and `sentAt` is trusted, the client's absolute
 * time is not (Segment's approach). Future times are clamped to arrival, very old ones to the age limit.
 */
export function correctTimestamp(timestamp: string | undefined, sentAt: string | undefined, receivedAt: number): number {
  if (!timestamp) return receivedAt
  const at = Date.parse(timestamp)
  const skew = sentAt ? receivedAt - Date.parse(sentAt) : 0
  const corrected = at + skew
  return Math.min(receivedAt, Math.max(receivedAt - MAX_EVENT_AGE_MS, corrected))
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** A lead's email as we key it: trimmed, lower-cased, or null when the trait is not an email. */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const email = value.trim().toLowerCase()
  return email.length <= 320 && EMAIL.test(email) ? email : null
}

function pathOf(url: string | undefined): string | null {
  if (!url) return null
  try {
    return new URL(url).pathname
  } catch {
    return null
  }
}

/** `ownHosts`: the site's own domains (siteHosts), whose referrers are not referrals. */
export function normalizeEvent(
  event: IncomingEvent,
  sentAt: string | undefined,
  receivedAt: number,
  ownHosts: readonly string[] = [],
): NormalizedEvent {
  const ts = correctTimestamp(event.timestamp, sentAt, receivedAt)
  const { url, referrer, campaign } = event.context ?? {}
  const base = {
    eventId: event.id,
    type: event.type,
    anonymousId: event.anonymousId,
    ts,
    url: url ?? null,
    context: event.context ?? null,
    touch: touchFromEvent({ url, referrer, campaign, at: ts, ownHosts }),
  }
  switch (event.type) {
    case 'page':
      return { ...base, name: pathOf(url), userId: event.userId ?? null, email: null, data: event.properties ?? null }
    case 'track':
      return { ...base, name: event.event, userId: event.userId ?? null, email: null, data: event.properties ?? null }
    case 'identify':
      return {
        ...base,
        name: null,
        userId: event.userId ?? null,
        email: normalizeEmail(event.traits?.email),
        data: event.traits ?? null,
      }
  }
}

/** Splits a batch into first occurrences and repeats of the same client id within the batch. */
export function dedupeBatch<T extends { id: string }>(batch: readonly T[]): { unique: T[]; repeats: number } {
  const seen = new Set<string>()
  const unique: T[] = []
  for (const event of batch) {
    if (seen.has(event.id)) continue
    seen.add(event.id)
    unique.push(event)
  }
  return { unique, repeats: batch.length - unique.length }
}

// Identity resolution and the lead projection: which person each anonymous visitor is, and what her
// first/last seen, sessions and attribution become after a batch of accepted events. Pure: the caller
// loads the current state, applies the returned changes in one D1 transaction.
import { directTouch, type Touch } from './attribution'
import { isTimeZone } from './time-zone'
import { INTERNAL_EVENTS } from '../../../contract/names'
import type { NormalizedEvent } from './events'
import type { LifecycleCounters, Rfm } from './lifecycle'

/** A new session starts after 30 minutes without events (GA's and Segment's default). */
export const SESSION_GAP_MS = 30 * 60 * 1000

export type Lead = {
  id: string
  userId: string | null
  email: string | null
  traits: Record<string, unknown>
  firstSeen: number
  lastSeen: number
  sessions: number
  eventCount: number
  firstTouch: Touch | null
  lastTouch: Touch | null
  /** Scoring's output, carried along so a write keeps it (scoring updates it after identity). */
  stage: string
  stageChangedAt: number | null
  /** The lowest stage scoring may compute, set by a flow's update step (null: none). */
  stageFloor: string | null
  score: number
  fitScore: number
  engagementScore: number
  rfm: Rfm | null
  /** Her IANA time zone from the SDK's newest event (`context.timezone`); null until one reports a valid name. */
  timeZone: string | null
  /** Identified by a signed identify: unverified claims of her user id or email are refused. */
  verified: boolean
} & LifecycleCounters

/** What the database knows about the visitors and people a batch mentions. */
export type KnownIdentities = {
  leads: Lead[]
  /** anonymous id → lead id, for the batch's anonymous ids that already have a lead. */
  visitors: Map<string, string>
}

export type LeadChanges = {
  /** Final state of every lead the batch created or changed (insert or update). */
  write: Array<Lead & { created: boolean }>
  /** Leads merged into another one and removed. */
  remove: string[]
  /** Anonymous ids whose lead is new or changed. */
  visitors: Array<{ anonymousId: string; leadId: string; firstSeen: number }>
  /** Every visitor of `from` now belongs to `into`. */
  repoint: Array<{ from: string; into: string }>
  /** The batch's events, grouped by the lead they ended up with. */
  eventsByLead: Map<string, NormalizedEvent[]>
}

export type IdentityPolicy = {
  /** Unsigned identifies are stored as events but identify nobody (site setting requireVerifiedIdentity). */
  requireVerified: boolean
}

export type IdMinter = {
  /** Lead id for a visitor seen for the first time: deterministic, so concurrent first requests agree. */
  forVisitor(anonymousId: string): string
  /** Lead id for a person first known by an identify call on a device that belongs to someone else. */
  fresh(): string
}

const earlier = (a: Touch | null, b: Touch | null) => (!a ? b : !b ? a : a.at <= b.at ? a : b)
const later = (a: Touch | null, b: Touch | null) => (!a ? b : !b ? a : a.at >= b.at ? a : b)

function mergeInto(target: Lead, source: Lead): void {
  // The zone of whichever was seen last: her most recent device.
  if (source.timeZone && (!target.timeZone || source.lastSeen > target.lastSeen)) target.timeZone = source.timeZone
  target.firstSeen = Math.min(target.firstSeen, source.firstSeen)
  target.lastSeen = Math.max(target.lastSeen, source.lastSeen)
  target.sessions += source.sessions
  target.eventCount += source.eventCount
  target.firstTouch = earlier(target.firstTouch, source.firstTouch)
  target.lastTouch = later(target.lastTouch, source.lastTouch)
  target.verified ||= source.verified
  target.stageFloor ??= source.stageFloor
  target.traits = { ...source.traits, ...target.traits }
  target.purchases += source.purchases
  target.revenue += source.revenue
  const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b))
  const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b))
  target.lastPurchaseAt = max(target.lastPurchaseAt, source.lastPurchaseAt)
  target.salesEventAt = min(target.salesEventAt, source.salesEventAt)
  target.referralEventAt = min(target.referralEventAt, source.referralEventAt)
}

function newLead(id: string, event: NormalizedEvent): Lead {
  return {
    id,
    userId: null,
    email: null,
    traits: {},
    firstSeen: event.ts,
    lastSeen: event.ts,
    sessions: 1,
    eventCount: 0,
    firstTouch: event.touch ?? directTouch(event.url ?? undefined, event.ts),
    lastTouch: event.touch,
    stage: 'visitor',
    stageChangedAt: null,
    stageFloor: null,
    score: 0,
    fitScore: 0,
    engagementScore: 0,
    rfm: null,
    timeZone: null,
    verified: false,
    purchases: 0,
    revenue: 0,
    lastPurchaseAt: null,
    salesEventAt: null,
    referralEventAt: null,
  }
}

/** Events Cairn sends itself (web vitals, late decisions), as opposed to the site's own actions. */
export const isInternalEvent = (event: Pick<NormalizedEvent, 'type' | 'name'>) =>
  event.type === 'track' && event.name !== null && INTERNAL_EVENTS.includes(event.name)

/** Folds one event into its lead: activity, sessions, attribution. */
function recordActivity(lead: Lead, event: NormalizedEvent, created: boolean): void {
  if (!created && event.ts - lead.lastSeen > SESSION_GAP_MS) lead.sessions += 1
  lead.firstSeen = Math.min(lead.firstSeen, event.ts)
  // Cairn's own events (web vitals, late decisions) are not the visitor's actions.
  if (!isInternalEvent(event)) lead.eventCount += 1
  // The newest event's zone wins (an offline queue replayed later does not roll it back); invalid names are ignored.
  const zone = event.context?.timezone
  if (event.ts >= lead.lastSeen && isTimeZone(zone)) lead.timeZone = zone
  lead.lastSeen = Math.max(lead.lastSeen, event.ts)
  if (event.touch) {
    lead.lastTouch = later(lead.lastTouch, event.touch)
    // An earlier event replayed from an offline queue can still carry the true first touch.
    if (!lead.firstTouch || event.touch.at < lead.firstTouch.at) lead.firstTouch = event.touch
  }
}

const isKnown = (lead: Lead) => lead.userId !== null || lead.email !== null

/** Drops an unverified claimant's hold on the user id / email a verified identify now proves. */
function evictClaim(holder: Lead, event: NormalizedEvent): void {
  if (event.userId && holder.userId === event.userId) holder.userId = null
  if (event.email && holder.email === event.email) holder.email = null
}

/**
 * Applies accepted events, in batch order, to the known identities. Identify rules:
 * - the person named by userId (else by email) already exists as another lead → an anonymous visitor's
 *   lead is merged into her (second device, same email); a device already known as someone else is
 *   re-pointed to her without merging their histories (shared computer);
 * - nobody has that userId/email yet → the visitor's lead takes them, unless it already belongs to a
 *   different user id, in which case a new lead starts for the new person.
 * With a user id, the email only finds a lead known by email alone (no user id, not verified): a
 * signed-in person never joins another user's lead through an email she typed.
 * Verification covers what the signature covers: the user id when there is one, else the email. An
 * identify naming a verified lead by anything it does not prove changes nothing about either (no merge,
 * no traits); a verified one evicts an unverified lead's claim instead of merging into it; with
 * `requireVerified`, unverified identifies identify nobody.
 * An email another lead still holds is not taken: the identify keeps its other effects (one email, one lead).
 */
export function applyEvents(
  known: KnownIdentities,
  events: readonly NormalizedEvent[],
  ids: IdMinter,
  policy: IdentityPolicy = { requireVerified: false },
): LeadChanges {
  const leads = new Map(known.leads.map((lead) => [lead.id, { ...lead, traits: { ...lead.traits } }]))
  const existing = new Set(leads.keys())
  const visitorLead = new Map(known.visitors)
  const changedVisitors = new Map<string, { leadId: string; firstSeen: number }>()
  const touched = new Set<string>()
  const removed = new Set<string>()
  const repoint: LeadChanges['repoint'] = []
  const eventsByLead = new Map<string, NormalizedEvent[]>()
  // Leads that gave up a user id / email: written first, so the unique indexes hold within the transaction.
  const evicted = new Set<string>()

  const find = (predicate: (lead: Lead) => boolean) => {
    for (const lead of leads.values()) if (!removed.has(lead.id) && predicate(lead)) return lead
    return undefined
  }
  const pointVisitor = (anonymousId: string, leadId: string, firstSeen: number) => {
    visitorLead.set(anonymousId, leadId)
    const previous = changedVisitors.get(anonymousId)
    changedVisitors.set(anonymousId, { leadId, firstSeen: Math.min(previous?.firstSeen ?? firstSeen, firstSeen) })
  }

  for (const event of events) {
    let lead = leads.get(visitorLead.get(event.anonymousId) ?? '')
    let created = false
    if (!lead) {
      lead = newLead(ids.forVisitor(event.anonymousId), event)
      leads.set(lead.id, lead)
      pointVisitor(event.anonymousId, lead.id, event.ts)
      created = true
    }

    const verified = event.verified === true
    const identifies = event.type === 'identify' && (verified || !policy.requireVerified)
    if (identifies && (event.userId || event.email)) {
      const byUser = event.userId ? find((l) => l.userId === event.userId) : undefined
      const byEmail = event.email ? find((l) => l.email === event.email) : undefined
      let person = event.userId ? (byUser ?? (byEmail && byEmail.userId === null && !byEmail.verified ? byEmail : undefined)) : byEmail
      // The signature proves the user id (else the email): a lead found by an email it does not cover is not proven.
      const proven = verified && (person === undefined || person === byUser || !event.userId)
      if (person && person.id !== lead.id && proven && !person.verified) {
        // A verified person never joins a lead someone else may have claimed unverified: take the claim.
        evictClaim(person, event)
        evicted.add(person.id)
        touched.add(person.id)
        person = undefined
      }
      // An unverified claim on a verified lead (hers or this visitor's): only this visitor's activity counts.
      if (proven || !(person ?? lead).verified) {
        if (person && person.id !== lead.id) {
          if (!isKnown(lead)) {
            mergeInto(person, lead)
            removed.add(lead.id)
            if (existing.has(lead.id)) repoint.push({ from: lead.id, into: person.id })
            for (const [anonymousId, leadId] of visitorLead) {
              if (leadId === lead.id) pointVisitor(anonymousId, person.id, person.firstSeen)
            }
            eventsByLead.set(person.id, [...(eventsByLead.get(person.id) ?? []), ...(eventsByLead.get(lead.id) ?? [])])
            eventsByLead.delete(lead.id)
          } else {
            pointVisitor(event.anonymousId, person.id, event.ts)
          }
          lead = person
        } else if (!person && event.userId && lead.userId && lead.userId !== event.userId) {
          const fresh = newLead(ids.fresh(), event)
          leads.set(fresh.id, fresh)
          pointVisitor(event.anonymousId, fresh.id, event.ts)
          lead = fresh
          created = true
        }
        lead.userId = event.userId ?? lead.userId
        const holder = event.email ? find((l) => l.email === event.email) : undefined
        if (event.email && (!holder || holder.id === lead.id)) lead.email = event.email
        if (verified && (event.userId ? lead.userId === event.userId : lead.email === event.email)) lead.verified = true
        lead.traits = { ...lead.traits, ...event.data }
      }
    } else if (identifies && !lead.verified) {
      lead.traits = { ...lead.traits, ...event.data }
    }

    recordActivity(lead, event, created)
    touched.add(lead.id)
    eventsByLead.set(lead.id, [...(eventsByLead.get(lead.id) ?? []), event])
  }

  return {
    write: [...evicted, ...[...touched].filter((id) => !evicted.has(id))]
      .filter((id) => !removed.has(id))
      .map((id) => ({ ...leads.get(id)!, created: !existing.has(id) })),
    remove: [...removed].filter((id) => existing.has(id)),
    visitors: [...changedVisitors].map(([anonymousId, v]) => ({ anonymousId, ...v })),
    repoint,
    eventsByLead,
  }
}

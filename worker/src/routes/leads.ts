// Admin: leads of a site, with their visitors, attribution and recent events.
import { Hono } from 'hono'
import { z } from 'zod'
import { openDb } from '../db/client'
import { countLeads, listLeads, type LeadCursor, type LeadSort, type LeadWithVisitors } from '../db/leads'
import type { EventRow } from '../db/schema'
import { findSite } from '../db/sites'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { MAX_LEADS_PAGE } from '../limits'
import { leadDetail } from '../services/leads'
import { siteNotFound } from './sites'

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true')

const LeadQuery = z
  .object({
    anonymousId: z.string().max(128).optional(),
    email: z.string().max(320).optional(),
    stage: z.string().max(40).optional(),
    minScore: z.coerce.number().int().optional(),
    maxScore: z.coerce.number().int().optional(),
    source: z.string().max(200).optional(),
    known: Flag.optional(),
    sort: z.enum(['score', 'lastSeen']).default('lastSeen'),
    order: z.enum(['desc', 'asc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(MAX_LEADS_PAGE).default(100),
    cursor: z.string().max(400).optional(),
  })
  .strict()

const DetailQuery = z.object({ internal: Flag.default(false) }).strict()

/** The cursor is opaque to clients: base64url of the last row's sort value and id. */
const LeadCursorSchema = z.object({ sort: z.enum(['score', 'lastSeen']), value: z.number(), id: z.string() }).strict()

const encodeCursor = (cursor: z.infer<typeof LeadCursorSchema>) =>
  btoa(JSON.stringify(cursor)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

function decodeCursor(text: string, sort: LeadSort): LeadCursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(atob(text.replace(/-/g, '+').replace(/_/g, '/')))
  } catch {
    parsed = undefined
  }
  const cursor = LeadCursorSchema.safeParse(parsed)
  // A cursor from another sort would skip or repeat leads.
  if (!cursor.success || cursor.data.sort !== sort) {
    throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this list returned for this sort.')
  }
  return { value: cursor.data.value, id: cursor.data.id }
}

const iso = (ms: number) => new Date(ms).toISOString()

const touchView = (touch: LeadWithVisitors['firstTouch']) =>
  touch ? { ...touch, at: iso(touch.at) } : null

export const leadView = (lead: LeadWithVisitors) => ({
  id: lead.id,
  email: lead.email,
  userId: lead.userId,
  score: lead.score,
  fitScore: lead.fitScore,
  engagementScore: lead.engagementScore,
  stage: lead.stage,
  stageChangedAt: lead.stageChangedAt === null ? null : iso(lead.stageChangedAt),
  traits: lead.traits,
  anonymousIds: lead.anonymousIds,
  sessions: lead.sessions,
  eventCount: lead.eventCount,
  firstSeen: iso(lead.firstSeen),
  lastSeen: iso(lead.lastSeen),
  firstTouch: touchView(lead.firstTouch),
  lastTouch: touchView(lead.lastTouch),
  purchases: lead.purchases,
  revenue: lead.revenue,
  rfm: lead.rfm ?? null,
})

const eventView = (event: EventRow) => ({
  id: event.eventId,
  type: event.type,
  name: event.name,
  anonymousId: event.anonymousId,
  userId: event.userId,
  timestamp: iso(event.ts),
  receivedAt: iso(event.receivedAt),
  url: event.url,
  ...(event.type === 'identify' ? { traits: event.data } : { properties: event.data }),
  context: event.context,
})

export const leadsApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/leads', validate('query', LeadQuery), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    if (!(await findSite(db, siteId))) throw siteNotFound()
    const { cursor, ...query } = c.req.valid('query')
    const request = { ...query, cursor: cursor === undefined ? undefined : decodeCursor(cursor, query.sort) }
    const [page, total] = await Promise.all([listLeads(db, siteId, request), countLeads(db, siteId, query)])
    const nextCursor = page.next ? encodeCursor({ sort: query.sort, ...page.next }) : null
    return c.json({ leads: page.leads.map(leadView), total, nextCursor })
  })
  .get('/:siteId/leads/:leadId', validate('query', DetailQuery), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    const { internal } = c.req.valid('query')
    const detail = await leadDetail(db, siteId, c.req.param('leadId'), Date.now(), internal)
    if (!detail) throw new ApiError(404, 'lead_not_found', 'No lead with this id on this site.')
    return c.json({
      ...leadView(detail.lead),
      scoreBreakdown: detail.ledger.map((entry) => ({
        ...entry,
        rule: entry.rule ?? '(deleted rule)',
        at: iso(entry.at),
        expiresAt: entry.expiresAt === null ? null : iso(entry.expiresAt),
      })),
      stageHistory: detail.history.map((change) => ({ ...change, at: iso(change.at) })),
      events: detail.events.map(eventView),
    })
  })

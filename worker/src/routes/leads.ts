// Admin: leads of a site, with their visitors, attribution and recent events.
import { Hono } from 'hono'
import { z } from 'zod'
import { openDb } from '../db/client'
import { listLeads, type LeadWithVisitors } from '../db/leads'
import type { EventRow } from '../db/schema'
import { findSite } from '../db/sites'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { leadDetail } from '../services/leads'
import { siteNotFound } from './sites'

const LeadQuery = z
  .object({
    anonymousId: z.string().max(128).optional(),
    email: z.string().max(320).optional(),
    stage: z.string().max(40).optional(),
    minScore: z.coerce.number().int().optional(),
    maxScore: z.coerce.number().int().optional(),
    source: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()

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
    const leads = await listLeads(db, siteId, c.req.valid('query'))
    return c.json({ leads: leads.map(leadView) })
  })
  .get('/:siteId/leads/:leadId', async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    const detail = await leadDetail(db, siteId, c.req.param('leadId'), Date.now())
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

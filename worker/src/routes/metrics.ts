// Admin metrics: web vitals per page and variant (experience results live with experiences).
import { and, eq, gte, lt } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { summarizeVitals, toSample, VITALS_EVENT, type VitalSample } from '../domain/vitals'
import { openDb } from '../db/client'
import { events } from '../db/schema'
import { findSite } from '../db/sites'
import { validate } from '../http/validate'
import { siteNotFound } from './sites'

const RangeQuery = z
  .object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() })
  .strict()

/** Samples read per request: a week of a busy site's vitals, bounded to keep the Worker's memory small. */
const MAX_SAMPLES = 50_000
const DAY_MS = 86_400_000

export const metricsApi = new Hono<{ Bindings: Env }>().get('/:siteId/metrics/vitals', validate('query', RangeQuery), async (c) => {
  const db = openDb(c.env.DB)
  const site = await findSite(db, c.req.param('siteId'))
  if (!site) throw siteNotFound()
  const { from, to } = c.req.valid('query')
  const end = to ? Date.parse(to) : Date.now() + 1
  const start = from ? Date.parse(from) : end - 7 * DAY_MS
  const rows = await db
    .select({ data: events.data })
    .from(events)
    .where(and(eq(events.siteId, site.id), eq(events.type, 'track'), eq(events.name, VITALS_EVENT), gte(events.ts, start), lt(events.ts, end)))
    .limit(MAX_SAMPLES)
  const samples = rows.map((row) => toSample(row.data ?? null)).filter((s): s is VitalSample => s !== null)
  return c.json({ from: new Date(start).toISOString(), to: new Date(end).toISOString(), samples: samples.length, pages: summarizeVitals(samples) })
})

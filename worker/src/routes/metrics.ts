// Admin metrics: web vitals per page and variant (experience results live with experiences).
import { Hono } from 'hono'
import { z } from 'zod'
import { openDb } from '../db/client'
import { findSite } from '../db/sites'
import { validate } from '../http/validate'
import { vitalsReport } from '../services/vitals'
import { siteNotFound } from './sites'

const RangeQuery = z
  .object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() })
  .strict()

export const metricsApi = new Hono<{ Bindings: Env }>().get('/:siteId/metrics/vitals', validate('query', RangeQuery), async (c) => {
  const db = openDb(c.env.DB)
  const site = await findSite(db, c.req.param('siteId'))
  if (!site) throw siteNotFound()
  const { from, to } = c.req.valid('query')
  return c.json(await vitalsReport(db, site.id, { from: from ? Date.parse(from) : undefined, to: to ? Date.parse(to) : undefined }, Date.now()))
})

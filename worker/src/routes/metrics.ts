// Admin metrics for a date range in the site's time zone: parse, call the metrics use case, answer.
import { Hono, type Context } from 'hono'
import { openDb } from '../db/client'
import { validate } from '../http/validate'
import {
  ChannelQuery, channelsReport, coverageReport, funnelReport, messagesReport, MetricsRange, rollUpNow, RollupBody, timeToConvertReport, TrendsQuery, trendsReport, vitalsReport,
} from '../services/metrics'
import { siteOr404 } from './sites'

type Ctx = Context<{ Bindings: Env }>

/** The site of the path (404 when unknown), with its database. */
async function siteOf(c: Ctx) {
  const db = openDb(c.env.DB)
  return { db, site: await siteOr404(db, c.req.param('siteId')!) }
}

export const metricsApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/metrics/funnel', validate('query', MetricsRange), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await funnelReport(db, site, c.req.valid('query'), Date.now()))
  })
  .get('/:siteId/metrics/channels', validate('query', ChannelQuery), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await channelsReport(db, site, c.req.valid('query'), Date.now()))
  })
  .get('/:siteId/metrics/time-to-convert', validate('query', ChannelQuery), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await timeToConvertReport(db, site, c.req.valid('query'), Date.now()))
  })
  .get('/:siteId/metrics/trends', validate('query', TrendsQuery), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await trendsReport(db, site, c.req.valid('query'), Date.now()))
  })
  .get('/:siteId/metrics/messages', validate('query', MetricsRange), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await messagesReport(db, site, c.req.valid('query'), Date.now()))
  })
  .get('/:siteId/metrics/coverage', validate('query', MetricsRange), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await coverageReport(db, site, c.req.valid('query'), Date.now()))
  })
  .get('/:siteId/metrics/vitals', validate('query', MetricsRange), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await vitalsReport(db, site, c.req.valid('query'), Date.now()))
  })
  // Brings the roll-ups up to date now (the cron does this hourly); `done: false` means call again.
  .post('/:siteId/metrics/rollup', validate('json', RollupBody), async (c) => {
    const { db, site } = await siteOf(c)
    return c.json(await rollUpNow(db, site, c.req.valid('json'), Date.now()))
  })

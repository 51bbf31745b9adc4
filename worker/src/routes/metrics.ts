// Admin metrics for a date range in the site's time zone: funnel, channels, time to convert, trends,
// messages, ad coverage over time, web vitals. All read roll-ups (see db/metrics-rollup.ts), brought up
// to date first when a few seconds old; `asOf` says when they last caught up completely.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { scoringConfigOf } from '../domain/lifecycle'
import { coverageCounts, share } from '../domain/metrics/coverage'
import { dayClock, dayRangeOf, isoDay, MetricsRange, weekOf, type DayRange } from '../domain/metrics/days'
import { funnelStepsOf, namedSteps } from '../domain/metrics/facts'
import { buckets, distribution, leadVelocity, percentiles, rate, velocityWindowStart, type DayCount } from '../domain/metrics/summaries'
import { summarizeVitals, type VitalMetric } from '../domain/vitals'
import { listAds } from '../db/ads'
import { openDb } from '../db/client'
import { listExperiences, toExperience } from '../db/experiences'
import {
  channelCounts,
  channelMatrix,
  currentStages,
  dailyNumbers,
  daysInSteps,
  daysToStep,
  funnelCounts,
  stepPerDay,
  vitalsOfRange,
} from '../db/metrics'
import { refreshRollups, rollUpSiteFully } from '../db/metrics-rollup'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { siteOr404 } from './sites'

const Channel = { touch: z.enum(['first', 'last']).default('first'), by: z.enum(['source', 'medium', 'campaign', 'referrer', 'source_medium']).default('source_medium') }
const ChannelQuery = MetricsRange.extend(Channel).strict()
const TrendsQuery = MetricsRange.extend({ interval: z.enum(['day', 'week']).default('day') }).strict()
const RollupBody = z.object({ budget: z.number().int().min(1).max(10_000).default(2_000), everyLead: z.boolean().default(false) }).strict()

/** Samples read per request: a week of a busy site's vitals, bounded to keep the Worker's memory small. */
const MAX_SAMPLES = 50_000
/** Passes of an explicit roll-up request (its budget each). */
const ROLLUP_PASSES = 1

type Ctx = Context<{ Bindings: Env }>

/** The site, its up-to-date roll-up state, its day clock and the requested local days (400 when invalid). */
async function metricsScope(c: Ctx, range: MetricsRange) {
  const db = openDb(c.env.DB)
  const site = await siteOr404(db, c.req.param('siteId')!)
  const now = Date.now()
  const state = await refreshRollups(db, site, now)
  const clock = dayClock(state.timeZone)
  const days = dayRangeOf(range, clock, now)
  if (!days.ok) throw new ApiError(400, 'invalid_range', days.message, [{ path: 'from', message: days.message }])
  const preset = scoringConfigOf(site.scoring).preset
  const head = { from: isoDay(days.days.first), to: isoDay(days.days.last), timeZone: state.timeZone, asOf: state.completeAt ? new Date(state.completeAt).toISOString() : null }
  return { db, site, clock, range: days.days, preset, head }
}

export const metricsApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/metrics/funnel', validate('query', MetricsRange), async (c) => {
    const { db, site, range, preset, head } = await metricsScope(c, c.req.valid('query'))
    const steps = funnelStepsOf(preset)
    const [counts, current, stays] = await Promise.all([funnelCounts(db, site.id, range, steps.length), currentStages(db, site.id), daysInSteps(db, site.id, range, steps.length)])
    const now = new Map(current.map((r) => [r.stage, r.people]))
    return c.json({
      ...head,
      preset,
      stages: steps.map((stage, p) => ({
        stage,
        entered: counts[p]!.entered,
        current: now.get(stage) ?? 0,
        conversionToNext: p + 1 < steps.length ? rate(counts[p]!.advanced, counts[p]!.entered) : null,
        medianDaysInStage: percentiles(stays.get(p) ?? []).median,
      })),
      afterJourney: Object.fromEntries(['at_risk', 'lost'].filter(() => preset === 'default').map((stage) => [stage, now.get(stage) ?? 0])),
    })
  })
  .get('/:siteId/metrics/channels', validate('query', ChannelQuery), async (c) => {
    const query = c.req.valid('query')
    const { db, site, range, preset, head } = await metricsScope(c, query)
    const named = namedSteps(preset)
    const [rows, matrix] = await Promise.all([
      channelCounts(db, site.id, range, query.touch, query.by, named),
      channelMatrix(db, site.id, range, query.touch, query.by, named.customers),
    ])
    const cells = (channel: string, kind: 'stage' | 'segment') =>
      Object.fromEntries(matrix.filter((m) => m.channel === channel && m.kind === kind).map((m) => [m.value, m.people]))
    const channels = [...new Set([...rows.map((r) => r.channel), ...matrix.map((m) => m.channel)])]
    const byChannel = new Map(rows.map((r) => [r.channel, r]))
    return c.json({
      ...head,
      touch: query.touch,
      by: query.by,
      channels: channels
        .map((channel) => {
          const r = byChannel.get(channel) ?? { visitors: 0, leads: named.leads === null ? null : 0, mqls: named.mqls === null ? null : 0, customers: named.customers === null ? null : 0, revenue: 0 }
          const qualified = r.mqls ?? r.leads ?? 0
          return {
            channel,
            visitors: r.visitors,
            leads: r.leads,
            mqls: r.mqls,
            customers: r.customers,
            revenue: Math.round(r.revenue * 100) / 100,
            rates: {
              visitorToLead: rate(r.leads ?? 0, r.visitors),
              leadToMql: r.mqls === null ? null : rate(r.mqls, r.leads ?? 0),
              mqlToCustomer: rate(r.customers ?? 0, qualified),
              visitorToCustomer: rate(r.customers ?? 0, r.visitors),
            },
            stages: cells(channel, 'stage'),
            segments: cells(channel, 'segment'),
          }
        })
        .sort((a, b) => b.visitors - a.visitors || a.channel.localeCompare(b.channel)),
    })
  })
  .get('/:siteId/metrics/time-to-convert', validate('query', ChannelQuery), async (c) => {
    const query = c.req.valid('query')
    const { db, site, range, preset, head } = await metricsScope(c, query)
    const named = namedSteps(preset)
    const of = async (step: number | null) => {
      if (step === null) return null
      const rows = await daysToStep(db, site.id, range, query.touch, query.by, step)
      const all = new Map<number, number>()
      const perChannel = new Map<string, DayCount[]>()
      for (const row of rows) {
        all.set(row.days, (all.get(row.days) ?? 0) + row.count)
        perChannel.set(row.channel, [...(perChannel.get(row.channel) ?? []), { days: row.days, count: row.count }])
      }
      return {
        ...distribution([...all].map(([days, count]) => ({ days, count }))),
        channels: [...perChannel].map(([channel, hist]) => ({ channel, ...distribution(hist) })).sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel)),
      }
    }
    const [toLead, toCustomer] = await Promise.all([of(named.leads), of(named.customers)])
    return c.json({ ...head, touch: query.touch, by: query.by, toLead, toCustomer })
  })
  .get('/:siteId/metrics/trends', validate('query', TrendsQuery), async (c) => {
    const query = c.req.valid('query')
    const { db, site, range, preset, head } = await metricsScope(c, query)
    const named = namedSteps(preset)
    const perDay = (step: number | null | 'churned', window: DayRange = range) =>
      step === null ? Promise.resolve(null) : stepPerDay(db, site.id, window, step).then((rows) => new Map(rows.map((r) => [r.day, r.count])))
    const visitorMetric = query.interval === 'week' ? 'visitors_week' : 'visitors'
    const visitorRange = query.interval === 'week' ? { first: weekOf(range.first), last: range.last } : range
    const [visitorRows, leads, mqls, customers, churned, velocity] = await Promise.all([
      dailyNumbers(db, site.id, visitorRange, [visitorMetric]),
      perDay(named.leads),
      perDay(named.mqls),
      perDay(named.customers),
      preset === 'default' ? perDay('churned') : Promise.resolve(null),
      perDay(named.mqls ?? named.leads, { first: velocityWindowStart(range), last: range.last }),
    ])
    const visitors = new Map(visitorRows.map((r) => [r.day, r.value]))
    const sum = (counts: Map<number, number> | null, start: number) => {
      if (!counts) return null
      if (query.interval === 'day') return counts.get(start) ?? 0
      let total = 0
      for (let day = Math.max(start, range.first); day <= Math.min(start + 6, range.last); day++) total += counts.get(day) ?? 0
      return total
    }
    return c.json({
      ...head,
      interval: query.interval,
      points: buckets(range, query.interval).map((start) => ({
        start: isoDay(start),
        visitors: visitors.get(start) ?? 0,
        newLeads: sum(leads, start),
        mqls: sum(mqls, start),
        customers: sum(customers, start),
        churned: sum(churned, start),
      })),
      leadVelocity: leadVelocity(range, velocity ?? new Map()),
    })
  })
  .get('/:siteId/metrics/messages', validate('query', MetricsRange), async (c) => {
    const { head } = await metricsScope(c, c.req.valid('query'))
    const totals = { sent: 0, delivered: 0, opened: 0, clicked: 0, unsubscribed: 0, bounced: 0, complained: 0 }
    return c.json({ ...head, available: false, totals, rates: { delivery: null, open: null, click: null, unsubscribe: null }, flows: [] })
  })
  .get('/:siteId/metrics/coverage', validate('query', MetricsRange), async (c) => {
    const { db, site, range, head } = await metricsScope(c, c.req.valid('query'))
    const [ads, experiences, rows] = await Promise.all([
      listAds(db, site.id),
      listExperiences(db, site.id),
      dailyNumbers(db, site.id, range, ['coverage_adGroups', 'coverage_adGroupsCovered', 'coverage_ads', 'coverage_adsCovered', 'coverage_mismatches']),
    ])
    const view = (n: { adGroups: number; adGroupsCovered: number; ads: number; adsCovered: number; mismatches: number }) => ({
      adGroups: { total: n.adGroups, covered: n.adGroupsCovered, share: share(n.adGroupsCovered, n.adGroups) },
      ads: { total: n.ads, covered: n.adsCovered, share: share(n.adsCovered, n.ads) },
      coverage: share(n.adGroupsCovered + n.adsCovered, n.adGroups + n.ads),
      mismatches: n.mismatches,
    })
    const days = new Map<number, Record<string, number>>()
    for (const row of rows) days.set(row.day, { ...days.get(row.day), [row.metric.slice('coverage_'.length)]: row.value })
    return c.json({
      ...head,
      current: view(coverageCounts(ads, experiences.map(toExperience))),
      days: [...days]
        .sort(([a], [b]) => a - b)
        .map(([day, n]) => ({ day: isoDay(day), ...view({ adGroups: 0, adGroupsCovered: 0, ads: 0, adsCovered: 0, mismatches: 0, ...n }) })),
    })
  })
  .get('/:siteId/metrics/vitals', validate('query', MetricsRange), async (c) => {
    const { db, site, range, clock, head } = await metricsScope(c, c.req.valid('query'))
    const samples = (await vitalsOfRange(db, site.id, range, MAX_SAMPLES)).map((s) => ({ ...s, metric: s.metric as VitalMetric }))
    return c.json({
      ...head,
      from: new Date(clock.startOf(range.first)).toISOString(),
      to: new Date(clock.startOf(range.last + 1)).toISOString(),
      samples: samples.length,
      pages: summarizeVitals(samples),
    })
  })
  // Brings the roll-ups up to date now (the cron does this hourly); `done: false` means call again.
  .post('/:siteId/metrics/rollup', validate('json', RollupBody), async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const { budget, everyLead } = c.req.valid('json')
    return c.json(await rollUpSiteFully(db, site, Date.now(), { budget, everyLead, maxPasses: ROLLUP_PASSES }))
  })

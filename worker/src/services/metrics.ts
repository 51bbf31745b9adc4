// Metrics for a date range in the site's time zone: funnel, channels, time to convert, trends,
// messages, ad coverage over time, web vitals. All read roll-ups (see services/metrics-rollup.ts), brought up
// to date first when a few seconds old; `asOf` says when they last caught up completely.
import { z } from 'zod'
import { scoringConfigOf } from '../domain/lifecycle'
import { coverageCounts, share } from '../domain/metrics/coverage'
import { CHANNEL_KEYS, channelView, CHURNED, CURRENT, metricName, relabel, SEP, TOUCHES } from '../domain/metrics/cells'
import { dayClock, dayRangeOf, isoDay, MetricsRange, weekOf } from '../domain/metrics/days'
import { funnelStepsOf, namedSteps } from '../domain/metrics/facts'
import { buckets, distribution, leadVelocity, percentiles, rate, velocityWindowStart, type DayCount } from '../domain/metrics/summaries'
import type { VitalMetric, VitalsRow } from '../domain/vitals'
import { messageMetrics } from '../domain/metrics/messages'
import { listAds } from '../db/ads'
import { listFlows } from '../db/flows'
import { rolledSentPerDay, sentPerDay, unsentCounts } from '../db/message-metrics'
import type { Db } from '../db/client'
import type { SiteRow } from '../db/schema'
import { listExperiences, toExperience } from '../db/experiences'
import { cellsPerDay, dailyNumbers, sumCells, vitalsP75 } from '../db/metrics'
import { refreshRollups, rollUpSiteFully } from './metrics-rollup'
import { ApiError } from '../http/errors'

export { MetricsRange }

const Channel = { touch: z.enum(TOUCHES).default('first'), by: z.enum(CHANNEL_KEYS).default('source_medium') }
export const ChannelQuery = MetricsRange.extend(Channel).strict()
export const TrendsQuery = MetricsRange.extend({ interval: z.enum(['day', 'week']).default('day') }).strict()
export const RollupBody = z.object({ budget: z.number().int().min(1).max(2_000).default(1_000), everyLead: z.boolean().default(false) }).strict()

/** Passes of an explicit roll-up request (its budget each). */
const ROLLUP_PASSES = 1

export type ChannelQuery = z.infer<typeof ChannelQuery>
export type TrendsQuery = z.infer<typeof TrendsQuery>
export type RollupBody = z.infer<typeof RollupBody>

/** The site, its up-to-date roll-up state, its day clock and the requested local days (400 when invalid). */
async function metricsScope(db: Db, site: SiteRow, now: number, range: MetricsRange) {
  const state = await refreshRollups(db, site, now)
  const clock = dayClock(state.timeZone)
  const days = dayRangeOf(range, clock, now)
  if (!days.ok) throw new ApiError(400, 'invalid_range', days.message, [{ path: 'from', message: days.message }])
  const preset = scoringConfigOf(site.scoring).preset
  const head = { from: isoDay(days.days.first), to: isoDay(days.days.last), timeZone: state.timeZone, asOf: state.completeAt ? new Date(state.completeAt).toISOString() : null }
  return { db, site, clock, range: days.days, preset, head, state }
}

/** Sums by metric, then by dimension. */
function byMetric(rows: ReadonlyArray<{ metric: string; dim: string; value: number }>, show: (label: string) => string = (l) => l) {
  const out = new Map<string, Map<string, number>>()
  for (const row of rows) out.set(row.metric, (out.get(row.metric) ?? new Map()).set(row.dim, row.value))
  for (const [metric, values] of out) out.set(metric, relabel(values, show))
  return out
}

/** Splits `channel SEP part` dimensions into channel → part → value. */
function split(values: Map<string, number> | undefined) {
  const out = new Map<string, Map<string, number>>()
  for (const [dim, value] of values ?? []) {
    const [channel, part] = dim.split(SEP) as [string, string]
    out.set(channel, (out.get(channel) ?? new Map()).set(part, value))
  }
  return out
}

const histogramOf = (days: Map<string, number> | undefined): DayCount[] => [...(days ?? [])].map(([d, count]) => ({ days: Number(d), count }))
const ALL_TIME = { first: 0, last: 0 }

/** GET …/metrics/funnel (see README Metrics for each number's definition). */
export async function funnelReport(db: Db, site: SiteRow, query: MetricsRange, at: number) {
  const { range, preset, head } = await metricsScope(db, site, at, query)
  const steps = funnelStepsOf(preset)
  const names = steps.flatMap((_, p) => [metricName.entered(p), metricName.advanced(p), metricName.stay(p)])
  const [rows, current] = await Promise.all([sumCells(db, site.id, names, range), sumCells(db, site.id, [CURRENT], ALL_TIME)])
  const sums = byMetric(rows)
  const now = byMetric(current).get(CURRENT) ?? new Map<string, number>()
  const total = (metric: string) => sums.get(metric)?.get('') ?? 0
  return ({
    ...head,
    preset,
    stages: steps.map((stage, p) => ({
      stage,
      entered: total(metricName.entered(p)),
      current: now.get(stage) ?? 0,
      conversionToNext: p + 1 < steps.length ? rate(total(metricName.advanced(p)), total(metricName.entered(p))) : null,
      medianDaysInStage: percentiles(histogramOf(sums.get(metricName.stay(p)))).median,
    })),
    afterJourney: Object.fromEntries(['at_risk', 'lost'].filter(() => preset === 'default').map((stage) => [stage, now.get(stage) ?? 0])),
  })
}

/** GET …/metrics/channels (see README Metrics for each number's definition). */
export async function channelsReport(db: Db, site: SiteRow, query: ChannelQuery, at: number) {
  const { touch, by: grouping, ...range } = query
  const { range: days, preset, head } = await metricsScope(db, site, at, range)
  const named = namedSteps(preset)
  const { stored: by, show } = channelView(grouping)
  const stepNames = ['visitors', 'leads', 'mqls', 'customers'] as const
  const rows = await sumCells(
    db,
    site.id,
    [...stepNames.map((step) => metricName.channel(touch, by, step)), metricName.revenue(touch, by), metricName.stage(touch, by), metricName.segment(touch, by)],
    days,
  )
  const sums = byMetric(rows, show)
  const stages = split(sums.get(metricName.stage(touch, by)))
  const segments = split(sums.get(metricName.segment(touch, by)))
  const channels = new Set<string>([...stages.keys(), ...stepNames.flatMap((step) => [...(sums.get(metricName.channel(touch, by, step))?.keys() ?? [])])])
  const count = (step: (typeof stepNames)[number], channel: string) => (named[step] === null ? null : (sums.get(metricName.channel(touch, by, step))?.get(channel) ?? 0))
  return ({
    ...head,
    touch,
    by: grouping,
    channels: [...channels]
      .map((channel) => {
        const [visitors, leads, mqls, customers] = stepNames.map((step) => count(step, channel)) as [number, number | null, number | null, number | null]
        const qualified = mqls ?? leads ?? 0
        return {
          channel,
          visitors,
          leads,
          mqls,
          customers,
          revenue: Math.round((sums.get(metricName.revenue(touch, by))?.get(channel) ?? 0) * 100) / 100,
          rates: {
            visitorToLead: rate(leads ?? 0, visitors),
            leadToMql: mqls === null ? null : rate(mqls, leads ?? 0),
            mqlToCustomer: rate(customers ?? 0, qualified),
            visitorToCustomer: rate(customers ?? 0, visitors),
          },
          stages: Object.fromEntries(stages.get(channel) ?? []),
          segments: Object.fromEntries(segments.get(channel) ?? []),
        }
      })
      .filter((row) => row.visitors || row.leads || row.mqls || row.customers || Object.keys(row.stages).length)
      .sort((a, b) => b.visitors - a.visitors || a.channel.localeCompare(b.channel)),
  })
}

/** GET …/metrics/time-to-convert (see README Metrics for each number's definition). */
export async function timeToConvertReport(db: Db, site: SiteRow, query: ChannelQuery, at: number) {
  const { touch, by: grouping, ...range } = query
  const { range: days, preset, head } = await metricsScope(db, site, at, range)
  const named = namedSteps(preset)
  const { stored: by, show } = channelView(grouping)
  const sums = byMetric(await sumCells(db, site.id, [metricName.toConvert(touch, by, 'leads'), metricName.toConvert(touch, by, 'customers')], days), show)
  const of = (step: 'leads' | 'customers') => {
    if (named[step] === null) return null
    const perChannel = split(sums.get(metricName.toConvert(touch, by, step)))
    const all = new Map<string, number>()
    for (const hist of perChannel.values()) for (const [d, n] of hist) all.set(d, (all.get(d) ?? 0) + n)
    return {
      ...distribution(histogramOf(all)),
      channels: [...perChannel]
        .map(([channel, hist]) => ({ channel, ...distribution(histogramOf(hist)) }))
        .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel)),
    }
  }
  return ({ ...head, touch, by: grouping, toLead: of('leads'), toCustomer: of('customers') })
}

/** GET …/metrics/trends (see README Metrics for each number's definition). */
export async function trendsReport(db: Db, site: SiteRow, query: TrendsQuery, at: number) {
  const { range, preset, head } = await metricsScope(db, site, at, query)
  const named = namedSteps(preset)
  const entered = (p: number | null) => (p === null ? null : metricName.entered(p))
  const qualified = entered(named.mqls ?? named.leads)
  const window = { first: Math.min(range.first, velocityWindowStart(range)), last: range.last }
  const visitorMetric = query.interval === 'week' ? 'visitors_week' : 'visitors'
  const visitorRange = query.interval === 'week' ? { first: weekOf(range.first), last: range.last } : range
  const names = [entered(named.leads), entered(named.mqls), entered(named.customers), CHURNED].filter((n): n is string => n !== null)
  const [visitorRows, dayRows] = await Promise.all([dailyNumbers(db, site.id, visitorRange, [visitorMetric]), cellsPerDay(db, site.id, names, window)])
  const perDay = new Map<string, Map<number, number>>()
  for (const row of dayRows) perDay.set(row.metric, (perDay.get(row.metric) ?? new Map()).set(row.day, row.value))
  const series = (metric: string | null) => (metric === null ? null : (perDay.get(metric) ?? new Map<number, number>()))
  const visitors = new Map(visitorRows.map((r) => [r.day, r.value]))
  const sum = (counts: Map<number, number> | null, start: number) => {
    if (!counts) return null
    if (query.interval === 'day') return counts.get(start) ?? 0
    let total = 0
    for (let day = Math.max(start, range.first); day <= Math.min(start + 6, range.last); day++) total += counts.get(day) ?? 0
    return total
  }
  const [leads, mqls, customers] = [series(entered(named.leads)), series(entered(named.mqls)), series(entered(named.customers))]
  const churned = preset === 'default' ? series(CHURNED) : null
  return ({
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
    leadVelocity: leadVelocity(range, series(qualified) ?? new Map()),
  })
}

/** GET …/metrics/messages (see README Metrics for each number's definition). */
export async function messagesReport(db: Db, site: SiteRow, query: MetricsRange, at: number) {
  const { range, clock, head, state } = await metricsScope(db, site, at, query)
  const days = Array.from({ length: range.last - range.first + 1 }, (_, i) => range.first + i)
  // Days the roll-up holds come from message_days; the days after it (today, at least) from the outbox.
  const rolledThrough = Math.min(range.last, state.messagesThrough ?? range.first - 1)
  const raw = days.filter((day) => day > rolledThrough).map((day) => [day, clock.startOf(day), clock.startOf(day + 1)] as const)
  const [rolled, recent, unsent, flows] = await Promise.all([
    rolledThrough >= range.first ? rolledSentPerDay(db, site.id, range.first, rolledThrough) : [],
    raw.length > 0 ? sentPerDay(db, site.id, raw) : [],
    unsentCounts(db, site.id, clock.startOf(range.first), clock.startOf(range.last + 1)),
    listFlows(db, site.id),
  ])
  const sent = [...rolled, ...recent]
  const body = messageMetrics([...sent, ...unsent], sent, flows.map((f) => ({ id: f.id, name: f.name, steps: f.definition.steps })), days)
  return { ...head, ...body, days: body.days.map((point) => ({ ...point, day: isoDay(point.day) })) }
}

/** GET …/metrics/coverage (see README Metrics for each number's definition). */
export async function coverageReport(db: Db, site: SiteRow, query: MetricsRange, at: number) {
  const { range, head } = await metricsScope(db, site, at, query)
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
  return ({
    ...head,
    current: view(coverageCounts(ads, experiences.map(toExperience))),
    days: [...days]
      .sort(([a], [b]) => a - b)
      .map(([day, n]) => ({ day: isoDay(day), ...view({ adGroups: 0, adGroupsCovered: 0, ads: 0, adsCovered: 0, mismatches: 0, ...n }) })),
  })
}

/** GET …/metrics/vitals (see README Metrics for each number's definition). */
export async function vitalsReport(db: Db, site: SiteRow, query: MetricsRange, at: number) {
  const { range, clock, head } = await metricsScope(db, site, at, query)
  const rows = await vitalsP75(db, site.id, range)
  const pages = new Map<string, VitalsRow>()
  for (const row of rows) {
    const key = `${row.page}${SEP}${row.experiences}`
    const empty = { p75: null, count: 0 }
    const page = pages.get(key) ?? ({ page: row.page, experiences: row.experiences, LCP: empty, CLS: empty, INP: empty } as VitalsRow)
    page[row.metric as VitalMetric] = { p75: row.value, count: row.count }
    pages.set(key, page)
  }
  return ({
    ...head,
    from: new Date(clock.startOf(range.first)).toISOString(),
    to: new Date(clock.startOf(range.last + 1)).toISOString(),
    samples: rows.reduce((sum, row) => sum + row.count, 0),
    pages: [...pages.values()],
  })
}

/** POST …/metrics/rollup: brings the roll-ups up to date now (the cron does this hourly); `done: false` means call again. */
export const rollUpNow = (db: Db, site: SiteRow, { budget, everyLead }: RollupBody, now: number) =>
  rollUpSiteFully(db, site, now, { budget, everyLead, maxPasses: ROLLUP_PASSES })

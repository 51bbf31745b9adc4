// Metric reads: every query scans roll-ups (lead facts, daily counts, vitals samples), never raw events.
// Column names are picked from fixed lists, never from input.
import { and, between, eq, sql } from 'drizzle-orm'
import type { DayRange } from '../domain/metrics/days'
import { MAX_STEPS } from '../domain/metrics/facts'
import type { DayCount } from '../domain/metrics/summaries'
import type { Db } from './client'
import { dailyCounts, vitalSamples } from './schema'

export type Touch = 'first' | 'last'
export type ChannelKey = 'source' | 'medium' | 'campaign' | 'referrer' | 'source_medium'

/** SQL of a channel label: a lead's first- or last-touch source, medium, campaign, referrer host. */
export function channelSql(touch: Touch, by: ChannelKey) {
  const column = (name: string) => `${touch}_${name}`
  return sql.raw(by === 'source_medium' ? `${column('source')} || ' / ' || ${column('medium')}` : column(by))
}

const stepDay = (p: number) => sql.raw(`day${p}`)
const stepAt = (p: number) => sql.raw(`at${p}`)
const inRange = (column: ReturnType<typeof sql.raw>, range: DayRange) => sql`(${column} between ${range.first} and ${range.last})`

/** Per funnel step: people who reached it in the range, and of those, who reached the next step by now. */
export async function funnelCounts(db: Db, siteId: string, range: DayRange, steps: number) {
  const columns = Array.from({ length: steps }, (_, p) =>
    p + 1 < steps
      ? sql`count(case when ${inRange(stepDay(p), range)} then 1 end) as entered${sql.raw(String(p))}, count(case when ${inRange(stepDay(p), range)} and ${stepAt(p + 1)} is not null then 1 end) as advanced${sql.raw(String(p))}`
      : sql`count(case when ${inRange(stepDay(p), range)} then 1 end) as entered${sql.raw(String(p))}, 0 as advanced${sql.raw(String(p))}`,
  )
  const row = await db.get<Record<string, number | null>>(sql`select ${sql.join(columns, sql`, `)} from lead_facts where site_id = ${siteId}`)
  return Array.from({ length: steps }, (_, p) => ({ entered: row?.[`entered${p}`] ?? 0, advanced: row?.[`advanced${p}`] ?? 0 }))
}

/** People per current stage (all time). */
export function currentStages(db: Db, siteId: string) {
  return db.all<{ stage: string; people: number }>(sql`select stage, count(*) as people from lead_facts where site_id = ${siteId} group by stage`)
}

/** Whole days spent in each step by people who reached it in the range and moved on. */
export async function daysInSteps(db: Db, siteId: string, range: DayRange, steps: number): Promise<Map<number, DayCount[]>> {
  // One query per step: D1 caps the terms of a compound select.
  const perStep = await Promise.all(
    Array.from({ length: Math.min(steps, MAX_STEPS) - 1 }, (_, p) =>
      db.all<DayCount>(sql`select (${stepAt(p + 1)} - ${stepAt(p)}) / 86400000 as days, count(*) as count from lead_facts
        where site_id = ${siteId} and ${inRange(stepDay(p), range)} and ${stepAt(p + 1)} is not null group by days`),
    ),
  )
  return new Map(perStep.map((rows, p) => [p, rows]))
}

export type NamedSteps = Record<'visitors' | 'leads' | 'mqls' | 'customers', number | null>

/** Per channel: people reaching each named step in the range, and revenue of the range's new customers. */
export function channelCounts(db: Db, siteId: string, range: DayRange, touch: Touch, by: ChannelKey, named: NamedSteps) {
  const count = (p: number | null) => (p === null ? sql`null` : sql`count(case when ${inRange(stepDay(p), range)} then 1 end)`)
  const revenue = named.customers === null ? sql`0` : sql`total(case when ${inRange(stepDay(named.customers), range)} then revenue end)`
  return db.all<{ channel: string; visitors: number; leads: number | null; mqls: number | null; customers: number | null; revenue: number }>(sql`
    select ${channelSql(touch, by)} as channel, ${count(named.visitors)} as visitors, ${count(named.leads)} as leads,
      ${count(named.mqls)} as mqls, ${count(named.customers)} as customers, ${revenue} as revenue
    from lead_facts where site_id = ${siteId} group by channel
    having visitors > 0 or leads > 0 or mqls > 0 or customers > 0`)
}

/** Channel × current stage of people first seen in the range; channel × RFM segment of its new customers. */
export function channelMatrix(db: Db, siteId: string, range: DayRange, touch: Touch, by: ChannelKey, customers: number | null) {
  const segments =
    customers === null
      ? sql``
      : sql` union all select 'segment', ${channelSql(touch, by)}, coalesce(segment, '(none)'), count(*) from lead_facts
          where site_id = ${siteId} and ${inRange(stepDay(customers), range)} group by 2, 3`
  return db.all<{ kind: 'stage' | 'segment'; channel: string; value: string; people: number }>(sql`
    select 'stage' as kind, ${channelSql(touch, by)} as channel, stage as value, count(*) as people from lead_facts
    where site_id = ${siteId} and ${inRange(stepDay(0), range)} group by 2, 3${segments}`)
}

/** Whole days from first touch to a step, per channel, for people reaching the step in the range. */
export function daysToStep(db: Db, siteId: string, range: DayRange, touch: Touch, by: ChannelKey, step: number) {
  return db.all<{ channel: string; days: number; count: number }>(sql`
    select ${channelSql(touch, by)} as channel, max(0, (${stepAt(step)} - first_touch_at) / 86400000) as days, count(*) as count
    from lead_facts where site_id = ${siteId} and ${inRange(stepDay(step), range)} group by channel, days`)
}

/** People reaching a step per day in the range. */
export function stepPerDay(db: Db, siteId: string, range: DayRange, step: number | 'churned') {
  const day = step === 'churned' ? sql.raw('churned_day') : stepDay(step)
  return db.all<{ day: number; count: number }>(sql`
    select ${day} as day, count(*) as count from lead_facts where site_id = ${siteId} and ${inRange(day, range)} group by day`)
}

/** Rolled-up daily numbers (visitors, visitors_week, coverage_*) in a day range. */
export function dailyNumbers(db: Db, siteId: string, range: DayRange, metrics: readonly string[]) {
  return db
    .select({ day: dailyCounts.day, metric: dailyCounts.metric, value: dailyCounts.value })
    .from(dailyCounts)
    .where(and(eq(dailyCounts.siteId, siteId), between(dailyCounts.day, range.first, range.last), sql`${dailyCounts.metric} in (select value from json_each(${JSON.stringify(metrics)}))`))
    .all()
}

/** Web-vitals samples of the range (bounded). */
export function vitalsOfRange(db: Db, siteId: string, range: DayRange, limit: number) {
  return db
    .select({ page: vitalSamples.page, experiences: vitalSamples.experiences, metric: vitalSamples.metric, value: vitalSamples.value })
    .from(vitalSamples)
    .where(and(eq(vitalSamples.siteId, siteId), between(vitalSamples.day, range.first, range.last)))
    .limit(limit)
    .all()
}

// Metric reads: sums of metric cells (and daily counts, vitals samples) over a range of local days. Never
// raw events, never a row per person: a 90-day read touches O(days × channels) rows. Cells emptied by
// a person moving on hold 0 and are skipped.
import { and, between, eq, sql } from 'drizzle-orm'
import type { DayRange } from '../domain/metrics/days'
import type { Db } from './client'
import { dailyCounts, vitalSamples } from './schema'

const inList = (values: readonly string[]) => sql`(select value from json_each(${JSON.stringify(values)}))`

/** Cell values summed over the range, per metric and dimension. */
export function sumCells(db: Db, siteId: string, metrics: readonly string[], range: DayRange) {
  return db.all<{ metric: string; dim: string; value: number }>(sql`
    select metric, dim, sum(value) as value from metric_cells
    where site_id = ${siteId} and metric in ${inList(metrics)} and day between ${range.first} and ${range.last}
    group by metric, dim having abs(sum(value)) > 1e-9`)
}

/** Cell values per metric and day in the range (dimensions summed). */
export function cellsPerDay(db: Db, siteId: string, metrics: readonly string[], range: DayRange) {
  return db.all<{ metric: string; day: number; value: number }>(sql`
    select metric, day, sum(value) as value from metric_cells
    where site_id = ${siteId} and metric in ${inList(metrics)} and day between ${range.first} and ${range.last}
    group by metric, day having abs(sum(value)) > 1e-9`)
}

/** Rolled-up daily numbers (visitors, visitors_week, coverage_*) in a day range. */
export function dailyNumbers(db: Db, siteId: string, range: DayRange, metrics: readonly string[]) {
  return db
    .select({ day: dailyCounts.day, metric: dailyCounts.metric, value: dailyCounts.value })
    .from(dailyCounts)
    .where(and(eq(dailyCounts.siteId, siteId), between(dailyCounts.day, range.first, range.last), sql`${dailyCounts.metric} in ${inList(metrics)}`))
    .all()
}

/**
 * The 75th percentile (nearest rank) and sample count of each vital per page and variant in the range:
 * counts first, then one index offset per group (samples are keyed in value order), in one round trip.
 */
export async function vitalsP75(db: Db, siteId: string, range: DayRange) {
  const inRange = and(eq(vitalSamples.siteId, siteId), between(vitalSamples.day, range.first, range.last))
  const groups = await db
    .select({ page: vitalSamples.page, experiences: vitalSamples.experiences, metric: vitalSamples.metric, count: sql<number>`count(*)` })
    .from(vitalSamples)
    .where(inRange)
    .groupBy(vitalSamples.page, vitalSamples.experiences, vitalSamples.metric)
  const picks = groups.map((g) =>
    db
      .select({ value: vitalSamples.value })
      .from(vitalSamples)
      .where(and(inRange, eq(vitalSamples.page, g.page), eq(vitalSamples.experiences, g.experiences), eq(vitalSamples.metric, g.metric)))
      .orderBy(vitalSamples.value)
      .limit(1)
      .offset(Math.ceil(0.75 * g.count) - 1),
  )
  const [first, ...rest] = picks
  const values = first ? await db.batch([first, ...rest]) : []
  return groups.map((g, i) => ({ ...g, value: values[i]?.[0]?.value ?? null }))
}

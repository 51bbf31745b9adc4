// Turning roll-up counts into the metrics responses: rates, percentiles from day histograms, filled series.
import { isoDay, monthOf, previousMonth, weekOf, type DayRange } from './days'

/** n / d rounded to 3 decimals; null when nothing could convert. */
export const rate = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 1000) / 1000)

export type DayCount = { days: number; count: number }

/** Nearest-rank percentiles of whole days from a histogram (days → people). */
export function percentiles(histogram: readonly DayCount[]): { count: number; median: number | null; p75: number | null; p90: number | null } {
  const sorted = [...histogram].filter((b) => b.count > 0).sort((a, b) => a.days - b.days)
  const count = sorted.reduce((sum, b) => sum + b.count, 0)
  const at = (p: number) => {
    if (count === 0) return null
    const rank = Math.max(1, Math.ceil((p / 100) * count))
    let seen = 0
    for (const bucket of sorted) if ((seen += bucket.count) >= rank) return bucket.days
    return sorted[sorted.length - 1]!.days
  }
  return { count, median: at(50), p75: at(75), p90: at(90) }
}

/** Histogram bins of time-to-convert, in whole days (`to` null = and more). */
export const BINS: ReadonlyArray<{ label: string; from: number; to: number | null }> = [
  { label: '0', from: 0, to: 0 },
  { label: '1', from: 1, to: 1 },
  { label: '2-3', from: 2, to: 3 },
  { label: '4-7', from: 4, to: 7 },
  { label: '8-14', from: 8, to: 14 },
  { label: '15-30', from: 15, to: 30 },
  { label: '31-60', from: 31, to: 60 },
  { label: '61-90', from: 61, to: 90 },
  { label: '91+', from: 91, to: null },
]

export function binned(histogram: readonly DayCount[]): Array<{ days: string; count: number }> {
  return BINS.map((bin) => ({
    days: bin.label,
    count: histogram.filter((b) => b.days >= bin.from && (bin.to === null || b.days <= bin.to)).reduce((sum, b) => sum + b.count, 0),
  }))
}

/** Time to convert of a group: percentiles and binned histogram. */
export const distribution = (histogram: readonly DayCount[]) => ({ ...percentiles(histogram), histogram: binned(histogram) })

/** The buckets (days or ISO-week Mondays) a range covers, oldest first. */
export function buckets(range: DayRange, interval: 'day' | 'week'): number[] {
  const out: number[] = []
  const start = interval === 'week' ? weekOf(range.first) : range.first
  for (let day = start; day <= range.last; day += interval === 'week' ? 7 : 1) out.push(day)
  return out
}

/**
 * Lead velocity rate per calendar month touching the range: (MQLs this month − MQLs last month) / MQLs
 * last month; null when last month had none. Months are counted whole, also beyond the range's ends.
 */
export function leadVelocity(range: DayRange, qualifiedPerDay: ReadonlyMap<number, number>) {
  const perMonth = new Map<number, number>()
  for (const [day, count] of qualifiedPerDay) perMonth.set(monthOf(day), (perMonth.get(monthOf(day)) ?? 0) + count)
  const months: number[] = []
  for (let month = monthOf(range.first); month <= range.last; month = monthOf(month + 31)) months.push(month)
  return months.map((month) => {
    const current = perMonth.get(month) ?? 0
    const previous = perMonth.get(previousMonth(month)) ?? 0
    return { month: isoDay(month).slice(0, 7), mqls: current, previousMqls: previous, rate: previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 1000 }
  })
}

/** The first day of the month before the range's first month: the window lead velocity needs. */
export const velocityWindowStart = (range: DayRange) => previousMonth(monthOf(range.first))

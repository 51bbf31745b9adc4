// Local calendar days in a site's time zone, numbered from 1970-01-01 (day 0), so ranges and weeks are
// integer arithmetic in SQL. Pure: Intl does the time-zone work; nothing is cached between requests.
import { z } from 'zod'
import { isTimeZone } from '../time-zone'

export const DAY_MS = 86_400_000

/** An IANA time zone name the runtime knows, e.g. Europe/Paris. */
export const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine(isTimeZone, 'an IANA time zone such as Europe/Paris or America/New_York')
export type TimeZone = z.infer<typeof TimeZone>

export type DayClock = {
  timeZone: string
  /** The local day number of an instant. */
  dayOf(ms: number): number
  /** The instant local midnight starts this day. */
  startOf(day: number): number
}

/** Day number of a calendar date (no time zone involved). */
export const dayOfDate = (year: number, month: number, date: number) => Math.floor(Date.UTC(year, month - 1, date) / DAY_MS)

/** `YYYY-MM-DD` of a day number. */
export const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** Monday of the ISO week holding this day (1970-01-01 was a Thursday). */
export const weekOf = (day: number) => day - ((day + 3) % 7)

/** First day of the calendar month holding this day. */
export function monthOf(day: number): number {
  const date = new Date(day * DAY_MS)
  return dayOfDate(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
}

/** The month before the one starting at `month`. */
export function previousMonth(month: number): number {
  return monthOf(month - 1)
}

export function dayClock(timeZone: string): DayClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  const wall = (ms: number) => {
    const parts: Record<string, number> = {}
    for (const part of format.formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value)
    return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>
  }
  const dayOf = (ms: number) => {
    const w = wall(ms)
    return dayOfDate(w.year, w.month, w.day)
  }
  /** Local wall time minus UTC at an instant, in ms. */
  const offsetAt = (ms: number) => {
    const w = wall(ms)
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000
  }
  const startOf = (day: number) => {
    const midnightUtc = day * DAY_MS
    // Two passes settle the offset across a DST change; a midnight skipped by DST starts at the first valid instant.
    let guess = midnightUtc - offsetAt(midnightUtc)
    guess = midnightUtc - offsetAt(guess)
    return dayOf(guess) < day ? guess + 3_600_000 : guess
  }
  return { timeZone, dayOf, startOf }
}

/** `YYYY-MM-DD` (a local date) or an ISO datetime with offset (an instant). */
const DateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })])

export const MetricsRange = z
  .object({ from: DateOrInstant.optional(), to: DateOrInstant.optional() })
  .strict()
export type MetricsRange = z.infer<typeof MetricsRange>

const LONGEST_RANGE_DAYS = 3660
const DEFAULT_RANGE_DAYS = 30

export type DayRange = { first: number; last: number }

/**
 * The local days a range covers, both ends included: a date is that local day; an instant `from` is the
 * day holding it, an instant `to` (exclusive) the day holding the moment before. Default: the last 30 days.
 */
export function dayRangeOf(range: MetricsRange, clock: DayClock, now: number): { ok: true; days: DayRange } | { ok: false; message: string } {
  const dayFrom = (value: string, end: boolean) => {
    if (value.length === 10) {
      const [y, m, d] = value.split('-').map(Number) as [number, number, number]
      return dayOfDate(y, m, d)
    }
    return clock.dayOf(Date.parse(value) - (end ? 1 : 0))
  }
  const last = range.to ? dayFrom(range.to, true) : clock.dayOf(now)
  const first = range.from ? dayFrom(range.from, false) : last - (DEFAULT_RANGE_DAYS - 1)
  if (first > last) return { ok: false, message: '`from` must be before `to`' }
  if (last - first + 1 > LONGEST_RANGE_DAYS) return { ok: false, message: `a range covers at most ${LONGEST_RANGE_DAYS} days` }
  return { ok: true, days: { first, last } }
}

/**
 * A range as instants, for reports kept per instant (experiment exposures): a local date `from` is its
 * local midnight, a local date `to` the midnight after it (both days included); instants stay as given
 * (`to` exclusive); a missing end stays open.
 */
export function instantsOf(range: MetricsRange, clock: DayClock): { from?: number; to?: number } {
  const at = (value: string | undefined, end: boolean) => {
    if (value === undefined) return undefined
    if (value.length !== 10) return Date.parse(value)
    const [y, m, d] = value.split('-').map(Number) as [number, number, number]
    return clock.startOf(dayOfDate(y, m, d) + (end ? 1 : 0))
  }
  return { from: at(range.from, false), to: at(range.to, true) }
}

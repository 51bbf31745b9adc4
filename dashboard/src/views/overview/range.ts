// Date ranges of the overview as local dates (YYYY-MM-DD, both ends included) in the site's time zone, and
// the previous period of the same length that deltas compare against. Pure functions.

const DAY = 86_400_000

export type Dates = { from: string; to: string }

/** Today's local date in a time zone (falls back to UTC for an unknown zone). */
export function todayIn(timeZone: string | undefined, now = Date.now()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  } catch {
    return new Date(now).toISOString().slice(0, 10)
  }
}

export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10)
export const lengthInDays = ({ from, to }: Dates) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY) + 1

/** The last `days` local days up to today. */
export const lastDays = (days: number, today: string): Dates => ({ from: addDays(today, 1 - days), to: today })

/** The same number of days just before the range. */
export function previousPeriod(range: Dates): Dates {
  const to = addDays(range.from, -1)
  return { from: addDays(to, 1 - lengthInDays(range)), to }
}

export const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))

/** Relative change; null when there is nothing to compare with. */
export function delta(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current == null || previous == null || previous === 0) return null
  return (current - previous) / previous
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant)
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return (Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(instant / 1000) * 1000) / 60_000
}

/** The instant local midnight starts a date in the zone (for the APIs that take ISO instants). */
export function localMidnight(date: string, timeZone: string | undefined): string {
  const guess = Date.parse(`${date}T00:00:00Z`)
  try {
    const first = guess - offsetAt(guess, timeZone || 'UTC') * 60_000
    return new Date(guess - offsetAt(first, timeZone || 'UTC') * 60_000).toISOString()
  } catch {
    return new Date(guess).toISOString()
  }
}

/** Local dates as the ISO instants [start of from, start of the day after to). */
export const instantsOf = (range: Dates, timeZone: string | undefined) => ({ from: localMidnight(range.from, timeZone), to: localMidnight(addDays(range.to, 1), timeZone) })

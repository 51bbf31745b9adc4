// Time in the lead's time zone: when a wait ends, whether quiet hours hold a message and until when.
import type { MessagePolicy, WaitStep } from './schema'

/** Queue messages can be delayed at most this long; longer waits are stored and released by the cron. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 3600

const MINUTE = 60_000

/** Minutes since local midnight at `at` in `timeZone`. */
export function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at)
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0)
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0)
  return hour * 60 + minute
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * The next instant (after `from`, to the minute) whose local time is `hhmm`. Walks minute offsets instead
 * of computing zone offsets, so daylight-saving jumps resolve to the first valid minute.
 */
export function nextLocalTime(from: number, hhmm: string, timeZone: string): number {
  const target = minutesOf(hhmm)
  const start = Math.floor(from / MINUTE) * MINUTE + MINUTE
  const delta = (target - localMinutes(start, timeZone) + 1440) % 1440
  let at = start + delta * MINUTE
  // A DST change inside the window shifts local time by up to an hour: correct once.
  const drift = (target - localMinutes(at, timeZone) + 1440) % 1440
  if (drift !== 0) at += (drift > 720 ? drift - 1440 : drift) * MINUTE
  return at <= from ? at + 1440 * MINUTE : at
}

/** When a wait step releases the lead. */
export function waitUntil(step: WaitStep, now: number, timeZone: string): number {
  return step.seconds !== undefined ? now + step.seconds * 1000 : nextLocalTime(now, step.until!, timeZone)
}

/** If `at` falls in quiet hours (local), the end of them; else null. Windows may span midnight. */
export function quietUntil(quiet: MessagePolicy['quietHours'], at: number, timeZone: string): number | null {
  if (!quiet || quiet.start === quiet.end) return null
  const now = localMinutes(at, timeZone)
  const start = minutesOf(quiet.start)
  const end = minutesOf(quiet.end)
  const inside = start < end ? now >= start && now < end : now >= start || now < end
  return inside ? nextLocalTime(at, quiet.end, timeZone) : null
}

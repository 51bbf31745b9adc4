// One delivery policy for email AND in-app messages: frequency caps per lead and quiet hours in her time
// zone, set per site and overridable per flow. A held message is delayed, not dropped, unless it expires.
import { quietUntil } from './schedule'
import type { MessagePolicy } from './schema'

export const DEFAULT_POLICY: Required<Omit<MessagePolicy, 'quietHours'>> & Pick<MessagePolicy, 'quietHours'> = {
  maxPerDay: 3,
  maxPerWeek: 10,
  quietHours: null,
}
export type EffectivePolicy = typeof DEFAULT_POLICY

export const DAY_MS = 86_400_000
export const WEEK_MS = 7 * DAY_MS

export function effectivePolicy(site: MessagePolicy | undefined, flow: MessagePolicy | undefined): EffectivePolicy {
  return { ...DEFAULT_POLICY, ...stripUndefined(site), ...stripUndefined(flow) }
}

const stripUndefined = (policy: MessagePolicy | undefined) =>
  Object.fromEntries(Object.entries(policy ?? {}).filter(([, v]) => v !== undefined)) as MessagePolicy

/** Send times (ms) of the lead's capped messages (email + in-app) in the last week, any order. */
export type RecentSends = readonly number[]

export type PolicyVerdict = { send: true } | { send: false; until: number; reason: 'quiet_hours' | 'frequency_cap' }

/** Whether a capped message may go out at `now`, else when to try again. */
export function applyPolicy(policy: EffectivePolicy, recent: RecentSends, now: number, timeZone: string): PolicyVerdict {
  const quiet = quietUntil(policy.quietHours, now, timeZone)
  if (quiet !== null) return { send: false, until: quiet, reason: 'quiet_hours' }
  const lastDay = recent.filter((t) => t > now - DAY_MS).sort((a, b) => a - b)
  const lastWeek = recent.filter((t) => t > now - WEEK_MS).sort((a, b) => a - b)
  // Held until enough of the window's sends age out of it to make room for one more.
  if (lastDay.length >= policy.maxPerDay) {
    return { send: false, until: lastDay[lastDay.length - policy.maxPerDay]! + DAY_MS + 1, reason: 'frequency_cap' }
  }
  if (lastWeek.length >= policy.maxPerWeek) {
    return { send: false, until: lastWeek[lastWeek.length - policy.maxPerWeek]! + WEEK_MS + 1, reason: 'frequency_cap' }
  }
  return { send: true }
}

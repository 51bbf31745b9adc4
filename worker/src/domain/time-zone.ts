// IANA time zone names as visitors' browsers report them (Intl.DateTimeFormat().resolvedOptions().timeZone).

/** Names already checked: every event carries one, and building a formatter per event is not free. */
const known = new Map<string, boolean>()

/** Whether `zone` is a time zone name this runtime knows (e.g. "Europe/Paris"); anything else is ignored. */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false
  let valid = known.get(zone)
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone })
      valid = true
    } catch {
      valid = false
    }
    // Bounded: a flood of made-up names must not grow the isolate's memory.
    if (known.size < 1000) known.set(zone, valid)
  }
  return valid
}

/**
 * The zone for a lead's quiet hours and waits: the first valid of, in order, hers (the SDK's, stored on the
 * lead), the run's (decided at enrollment), the site's default (`settings.timeZone`); else UTC.
 */
export const firstTimeZone = (...candidates: unknown[]): string => (candidates.find(isTimeZone) as string | undefined) ?? 'UTC'

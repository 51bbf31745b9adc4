// Web vitals per page and variant: p75 LCP/CLS/INP over a range (default: the last week).
import type { Db } from '../db/client'
import { vitalsProperties } from '../db/metrics'
import { summarizeVitals, toSample, type VitalSample } from '../domain/vitals'
import { DAY_MS, MAX_VITALS_SAMPLES, VITALS_DEFAULT_DAYS } from '../limits'

export async function vitalsReport(db: Db, siteId: string, range: { from?: number; to?: number }, now: number) {
  const end = range.to ?? now + 1
  const start = range.from ?? end - VITALS_DEFAULT_DAYS * DAY_MS
  const samples = (await vitalsProperties(db, siteId, start, end, MAX_VITALS_SAMPLES)).map(toSample).filter((s): s is VitalSample => s !== null)
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), samples: samples.length, pages: summarizeVitals(samples) }
}

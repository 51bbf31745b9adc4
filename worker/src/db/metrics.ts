// Metric reads: web-vitals events of a site in a time range.
import { and, eq, gte, lt } from 'drizzle-orm'
import { VITALS_EVENT } from '../domain/vitals'
import type { Db } from './client'
import { events } from './schema'

/** The properties of the site's vitals events in [start, end), at most `limit`. */
export async function vitalsProperties(db: Db, siteId: string, start: number, end: number, limit: number) {
  const rows = await db
    .select({ data: events.data })
    .from(events)
    .where(and(eq(events.siteId, siteId), eq(events.type, 'track'), eq(events.name, VITALS_EVENT), gte(events.ts, start), lt(events.ts, end)))
    .limit(limit)
  return rows.map((row) => row.data ?? null)
}

// Enrollment queries: start a run exactly once, find the last run, end runs on a goal, load due runs.
import { and, desc, eq, gt, lte, sql } from 'drizzle-orm'
import type { PastEnrollment } from '../domain/flows/triggers'
import { jsonList } from './binding'
import type { Db } from './client'
import { events, flowEnrollments, messages, visitors, type EnrollmentRow } from './schema'

export type EnrollmentKey = { flowId: string; leadId: string; number: number }

export const sameKey = (key: EnrollmentKey) =>
  and(eq(flowEnrollments.flowId, key.flowId), eq(flowEnrollments.leadId, key.leadId), eq(flowEnrollments.number, key.number))

/** The runs of these flows for these leads (read with `latestRuns`). */
export const lastEnrollmentsQuery = (db: Db, flowIds: readonly string[], leadIds: readonly string[]) =>
  db
    .select({
      flowId: flowEnrollments.flowId,
      leadId: flowEnrollments.leadId,
      number: flowEnrollments.number,
      status: flowEnrollments.status,
      enrolledAt: flowEnrollments.enrolledAt,
      endedAt: flowEnrollments.endedAt,
    })
    .from(flowEnrollments)
    .where(and(sql`${flowEnrollments.flowId} in ${jsonList(flowIds)}`, sql`${flowEnrollments.leadId} in ${jsonList(leadIds)}`))

/** The latest run per (flow, lead), keyed `flow|lead`. */
export function latestRuns(rows: ReadonlyArray<PastEnrollment & { flowId: string; leadId: string }>): Map<string, PastEnrollment> {
  const last = new Map<string, PastEnrollment>()
  for (const row of rows) {
    const key = `${row.flowId}|${row.leadId}`
    if ((last.get(key)?.number ?? 0) < row.number) last.set(key, row)
  }
  return last
}

/** The latest run of each of these flows for each of these leads. */
export async function lastEnrollments(db: Db, flowIds: readonly string[], leadIds: readonly string[]): Promise<Map<string, PastEnrollment>> {
  if (flowIds.length === 0 || leadIds.length === 0) return new Map()
  return latestRuns(await lastEnrollmentsQuery(db, flowIds, leadIds).all())
}

export type NewEnrollment = EnrollmentKey & { siteId: string; timeZone: string; at: number }

/** Inserts runs; returns the ones this call created (a racing request's identical key inserts nothing). */
export async function insertEnrollments(
  db: Db,
  runs: readonly NewEnrollment[],
  before: readonly D1PreparedStatement[] = [],
): Promise<{ created: EnrollmentKey[]; rowsWritten: number }> {
  if (runs.length === 0 && before.length === 0) return { created: [], rowsWritten: 0 }
  const statements = runs.map((run) =>
    db.$client
      .prepare(
        `insert into flow_enrollments (flow_id, lead_id, number, site_id, cursor, next_at, time_zone, enrolled_at)
         values (?, ?, ?, ?, '0', ?, ?, ?) on conflict do nothing returning flow_id, lead_id, number`,
      )
      .bind(run.flowId, run.leadId, run.number, run.siteId, run.at, run.timeZone, run.at),
  )
  const all = await db.$client.batch<{ flow_id: string; lead_id: string; number: number }>([...before, ...statements])
  const results = all.slice(before.length)
  return {
    rowsWritten: all.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
    created: results.flatMap((r) => r.results.map((row) => ({ flowId: row.flow_id, leadId: row.lead_id, number: row.number }))),
  }
}

/** Ends a lead's active runs of a flow at once (goal reached) and cancels their unsent messages. */
export function exitStatements(db: Db, flowId: string, leadId: string, reason: string, now: number) {
  return [
    db
      .update(flowEnrollments)
      .set({ status: 'exited', cursor: null, nextAt: null, endedAt: now, exitReason: reason })
      .where(and(eq(flowEnrollments.flowId, flowId), eq(flowEnrollments.leadId, leadId), eq(flowEnrollments.status, 'active'))),
    db
      .update(messages)
      .set({ status: 'cancelled', reason: `exited: ${reason}` })
      .where(and(eq(messages.flowId, flowId), eq(messages.leadId, leadId), eq(messages.status, 'queued'))),
  ]
}

export function findEnrollment(db: Db, key: EnrollmentKey): Promise<EnrollmentRow | undefined> {
  return db.select().from(flowEnrollments).where(sameKey(key)).get()
}

/** The lead's events since `since` (count triggers' widest window), newest first, bounded. */
export function leadEventsSince(db: Db, siteId: string, leadId: string, since: number) {
  return db
    .select({ type: events.type, name: events.name, ts: events.ts, data: events.data, context: events.context })
    .from(events)
    .where(
      and(
        eq(events.siteId, siteId),
        sql`${events.anonymousId} in (select ${visitors.anonymousId} from ${visitors} where ${visitors.siteId} = ${siteId} and ${visitors.leadId} = ${leadId})`,
        gt(events.ts, since),
      ),
    )
    .orderBy(desc(events.ts))
    .limit(5000)
}

/** Active runs due by `until` (a lost job, or a long wait coming within the queue's delay horizon). */
export function dueEnrollments(db: Db, from: number, until: number, limit: number) {
  return db
    .select()
    .from(flowEnrollments)
    .where(and(eq(flowEnrollments.status, 'active'), gt(flowEnrollments.nextAt, from), lte(flowEnrollments.nextAt, until)))
    .orderBy(flowEnrollments.nextAt)
    .limit(limit)
    .all()
}

export function enrollmentsOfLead(db: Db, siteId: string, leadId: string) {
  return db
    .select()
    .from(flowEnrollments)
    // Through the primary key (flow, lead): the site's flow ids, then the lead.
    .where(and(sql`${flowEnrollments.flowId} in (select id from flows where site_id = ${siteId})`, eq(flowEnrollments.leadId, leadId)))
    .orderBy(desc(flowEnrollments.enrolledAt))
    .limit(200)
    .all()
}

export function recentRunsOfFlow(db: Db, flowId: string, limit: number) {
  return db.select().from(flowEnrollments).where(eq(flowEnrollments.flowId, flowId)).orderBy(desc(flowEnrollments.enrolledAt)).limit(limit).all()
}

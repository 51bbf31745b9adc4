// The cron's flow tasks: release long waits and long holds as they come within the queue's 12-hour delay
// horizon, restart runs and deliveries whose job was lost, and enroll leads gone quiet (inactive trigger).
import { and, eq, gte, lt } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { dueEnrollments, insertEnrollments, lastEnrollments, type NewEnrollment } from '../../db/enrollments'
import { flowConfigs } from '../../db/flows'
import { stuckMessages } from '../../db/messages'
import { leads } from '../../db/schema'
import { listSites } from '../../db/sites'
import { MAX_QUEUE_DELAY_SECONDS } from '../../domain/flows/schedule'
import { nextEnrollmentNumber, passesFilter, timeZoneOf } from '../../domain/flows/triggers'
import type { FlowJob } from '../../queue/flow-jobs'
import { toFlowLead } from './run-steps'

/** How often the flow sweep runs (its cron expression is FLOW_SWEEP in queue/cron.ts). */
export const SWEEP_INTERVAL_MS = 10 * 60_000
/** A job due this long ago and still not run was lost (a failed send after the D1 write). */
const OVERDUE_MS = 5 * 60_000
const HORIZON_MS = MAX_QUEUE_DELAY_SECONDS * 1000
const SWEEP_LIMIT = 1000

async function sendAll(jobs: Queue<FlowJob>, items: Array<{ body: FlowJob; delaySeconds?: number }>) {
  for (let i = 0; i < items.length; i += 100) await jobs.sendBatch(items.slice(i, i + 100))
}

const delayUntil = (at: number, now: number) => Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)))

/** Enqueues runs and messages due within the horizon band, and the overdue ones. */
export async function sweepFlows(db: Db, jobs: Queue<FlowJob>, now: number): Promise<{ runs: number; messages: number }> {
  // Waits set more than 12 h ahead enter the band (horizon − interval, horizon] exactly once.
  const [entering, overdue, held] = await Promise.all([
    dueEnrollments(db, now + HORIZON_MS - SWEEP_INTERVAL_MS, now + HORIZON_MS, SWEEP_LIMIT),
    dueEnrollments(db, 0, now - OVERDUE_MS, SWEEP_LIMIT),
    stuckMessages(db, now - OVERDUE_MS, now + HORIZON_MS - SWEEP_INTERVAL_MS, now + HORIZON_MS, SWEEP_LIMIT),
  ])
  const runs = [...entering, ...overdue].map((run) => ({
    body: { kind: 'flow-step' as const, siteId: run.siteId, flowId: run.flowId, leadId: run.leadId, number: run.number, step: run.cursor! },
    delaySeconds: delayUntil(run.nextAt!, now),
  }))
  const deliveries = held.map((m) => ({ body: { kind: 'deliver' as const, siteId: m.siteId, messageId: m.id }, delaySeconds: delayUntil(m.dueAt, now) }))
  await sendAll(jobs, [...runs, ...deliveries])
  return { runs: runs.length, messages: deliveries.length }
}

/**
 * Inactive triggers: leads whose last activity crossed N days ago since the previous hourly run (a band
 * two runs wide, so a late cron misses nobody; the enrollment key absorbs the overlap).
 */
export async function enrollInactiveLeads(db: Db, jobs: Queue<FlowJob>, now: number, bandMs = 2 * 3_600_000): Promise<number> {
  let enrolled = 0
  for (const site of await listSites(db)) {
    const flows = (await flowConfigs.get(db, site.id, now)).filter((f) => f.definition.trigger.type === 'inactive')
    for (const flow of flows) {
      const days = (flow.definition.trigger as { days: number }).days
      const cutoff = now - days * 86_400_000
      const rows = await db
        .select()
        .from(leads)
        .where(and(eq(leads.siteId, site.id), lt(leads.lastSeen, cutoff), gte(leads.lastSeen, cutoff - bandMs)))
        .limit(SWEEP_LIMIT)
        .all()
      const matching = rows.filter((row) => passesFilter(flow.definition, toFlowLead(row)))
      const last = await lastEnrollments(db, [flow.id], matching.map((r) => r.id))
      const runs: NewEnrollment[] = matching.flatMap((row) => {
        const number = nextEnrollmentNumber(flow.definition, last.get(`${flow.id}|${row.id}`) ?? null, now)
        const zone = timeZoneOf(toFlowLead(row), [], site.settings.timeZone)
        return number === null ? [] : [{ flowId: flow.id, leadId: row.id, siteId: site.id, number, timeZone: zone, at: now }]
      })
      const { created } = await insertEnrollments(db, runs)
      await sendAll(jobs, created.map((key) => ({ body: { kind: 'flow-step' as const, siteId: site.id, step: '0', ...key } })))
      enrolled += created.length
    }
  }
  return enrolled
}

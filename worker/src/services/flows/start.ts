// After an ingest batch is durable: end runs whose goal was reached (cancelling their pending messages at
// once), start the flows the batch triggers (exactly once per enrollment key), record message interactions.
// Cheap when nothing matches: enabled flows come from a per-isolate cache and matching is in memory.
import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { exitStatements, insertEnrollments, lastEnrollmentsQuery, latestRuns, leadEventsSince, type NewEnrollment } from '../../db/enrollments'
import { flowConfigs, type EnabledFlow } from '../../db/flows'
import { messages, type SiteRow } from '../../db/schema'
import {
  countCrossed,
  evaluateTrigger,
  eventMatches,
  goalReachedAt,
  nextEnrollmentNumber,
  passesFilter,
  timeZoneOf,
  type FlowEvent,
  type LeadTransition,
} from '../../domain/flows/triggers'
import type { FlowJob } from '../../queue/flow-jobs'
import type { Job } from '../../queue/jobs'

const DAY_MS = 86_400_000
const INTERACTIONS = { 'message shown': 'shownAt', 'message clicked': 'clickedAt', 'message dismissed': 'dismissedAt' } as const

/**
 * (flow, lead) pairs known to have a run, per isolate: a `once` flow that already ran for a lead costs
 * ingest nothing on her later batches. Only a shortcut — the enrollment key stays the authority.
 */
export class KnownRuns {
  static MAX = 50_000
  private readonly keys = new Set<string>()

  has(flowId: string, leadId: string): boolean {
    return this.keys.has(`${flowId}|${leadId}`)
  }

  add(flowId: string, leadId: string): void {
    if (this.keys.size >= KnownRuns.MAX) this.keys.clear()
    this.keys.add(`${flowId}|${leadId}`)
  }
}

export const knownRuns = new KnownRuns()

export type FlowStartSummary = { enrolled: number; exited: number; rowsWritten: number }

/**
 * Starts the flows of changes already committed (events stored, a re-score or re-stage written). Those
 * changes will not be computed again (a retried request finds its events stored), so a start that fails
 * here is handed to the queue as a start-flows job instead of being lost; if even the queue refuses it,
 * the error is the caller's.
 */
export async function startFlowsOrDefer(db: Db, jobs: Queue<Job>, site: SiteRow, transitions: readonly LeadTransition[], now: number): Promise<FlowStartSummary> {
  try {
    return await startFlows(db, jobs as Queue<FlowJob>, site, transitions, now)
  } catch (error) {
    console.error('flow start deferred to the queue', error)
    await jobs.send({ kind: 'start-flows', siteId: site.id, at: now, transitions: [...transitions] })
    return { enrolled: 0, exited: 0, rowsWritten: 0 }
  }
}

export async function startFlows(db: Db, jobs: Queue<FlowJob>, site: SiteRow, transitions: readonly LeadTransition[], now: number): Promise<FlowStartSummary> {
  if (transitions.length === 0) return { enrolled: 0, exited: 0, rowsWritten: 0 }
  let rowsWritten = await recordInteractions(db, transitions)
  const flows = await flowConfigs.get(db, site.id, now)
  if (flows.length === 0) return { enrolled: 0, exited: 0, rowsWritten }

  const exits: Array<{ flow: EnabledFlow; leadId: string; at: number }> = []
  type Candidate = Omit<NewEnrollment, 'number'> & { flow: EnabledFlow; inBatch: number | null }
  const candidates: Candidate[] = []
  for (const transition of transitions) {
    const lead = transition.after
    for (const flow of flows) {
      const goalAt = goalReachedAt(flow.definition.goal, transition.events)
      if (goalAt !== null) {
        exits.push({ flow, leadId: lead.id, at: goalAt })
        continue // reaching the goal in the same batch starts nothing
      }
      const verdict = evaluateTrigger(flow.definition.trigger, transition)
      if (verdict.fires === false || !passesFilter(flow.definition, lead)) continue
      if (flow.definition.reentry.type === 'once' && knownRuns.has(flow.id, lead.id)) continue // ran already: no read, no write
      const inBatch = verdict.fires === 'count' ? verdict.inBatch : null
      candidates.push({ flow, inBatch, flowId: flow.id, leadId: lead.id, siteId: site.id, timeZone: timeZoneOf(lead, transition.events, site.settings.timeZone), at: now })
    }
  }
  if (exits.length === 0 && candidates.length === 0) return { enrolled: 0, exited: 0, rowsWritten }

  // One read round trip: count windows (one query per lead, the widest window) and the last runs of
  // cool-down flows. `once` flows need no read: their run is number 1 and the key refuses a second.
  const windows = new Map<string, number>()
  for (const c of candidates) {
    if (c.inBatch === null) continue
    const days = (c.flow.definition.trigger as { count: { withinDays: number } }).count.withinDays
    windows.set(c.leadId, Math.min(windows.get(c.leadId) ?? now, now - days * DAY_MS))
  }
  const cooldown = candidates.filter((c) => c.flow.definition.reentry.type === 'cooldown')
  const leadIds = [...windows.keys()]
  const reads = [
    ...leadIds.map((leadId) => leadEventsSince(db, site.id, leadId, windows.get(leadId)!)),
    lastEnrollmentsQuery(db, [...new Set(cooldown.map((c) => c.flowId))], [...new Set(cooldown.map((c) => c.leadId))]),
  ]
  const results = (await db.batch(reads as never)) as unknown[][]
  const histories = new Map(leadIds.map((leadId, i) => [leadId, results[i] as FlowEvent[]]))
  const last = latestRuns(results[results.length - 1] as Parameters<typeof latestRuns>[0])

  const runs: NewEnrollment[] = candidates.flatMap(({ flow, inBatch, ...run }) => {
    if (inBatch !== null) {
      const trigger = flow.definition.trigger as Extract<EnabledFlow['definition']['trigger'], { type: 'event' }>
      const since = now - trigger.count!.withinDays * DAY_MS
      const count = (histories.get(run.leadId) ?? []).filter((event) => event.ts > since && eventMatches(trigger.match, event)).length
      if (!countCrossed(trigger, count, inBatch)) return []
    }
    const number = nextEnrollmentNumber(flow.definition, last.get(`${run.flowId}|${run.leadId}`) ?? null, now)
    return number === null ? [] : [{ ...run, number }]
  })
  // One write round trip: goal exits first (they cancel pending messages), then the new runs.
  const exitQueries = exits.flatMap((e) => exitStatements(db, e.flow.id, e.leadId, 'goal', now))
  const { created, rowsWritten: written } = await insertEnrollments(db, runs, exitQueries.map((q) => db.$client.prepare(q.toSQL().sql).bind(...q.toSQL().params)))
  rowsWritten += written
  // Inserted or refused by the key, a `once` run now exists: later batches skip the flow for this lead.
  for (const run of runs) if (run.number === 1) knownRuns.add(run.flowId, run.leadId)
  if (created.length > 0) {
    const bodies = created.map((key) => ({ body: { kind: 'flow-step' as const, siteId: site.id, step: '0', ...key } }))
    // A failed send leaves the run due (next_at = now): the cron sweep starts it.
    for (let i = 0; i < bodies.length; i += 100) await jobs.sendBatch(bodies.slice(i, i + 100)).catch((error) => console.error('flow enqueue failed', error))
  }
  return { enrolled: created.length, exited: exits.length, rowsWritten }
}

/** The SDK's 'Message Shown/Clicked/Dismissed' events, only for the visitor's own messages. */
async function recordInteractions(db: Db, transitions: readonly LeadTransition[]): Promise<number> {
  const updates = []
  for (const { after, events } of transitions) {
    for (const event of events) {
      if (event.type !== 'track') continue
      const column = INTERACTIONS[(event.name ?? '').toLowerCase() as keyof typeof INTERACTIONS]
      const id = event.data?.messageId
      if (!column || typeof id !== 'string') continue
      updates.push(
        db
          .update(messages)
          .set({ [column]: event.ts })
          .where(and(eq(messages.id, id), eq(messages.leadId, after.id), isNull(messages[column]))),
      )
    }
  }
  return runCounted(db, updates)
}

/** Runs drizzle statements as one D1 batch and returns the rows written (the ingest cost budget). */
async function runCounted(db: Db, queries: ReadonlyArray<{ toSQL(): { sql: string; params: unknown[] } }>): Promise<number> {
  if (queries.length === 0) return 0
  const results = await db.$client.batch(queries.map((q) => db.$client.prepare(q.toSQL().sql).bind(...q.toSQL().params)))
  return results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0)
}


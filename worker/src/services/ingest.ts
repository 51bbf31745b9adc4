// Ingest: accepted events → identity → score → stage, written as ONE D1 transaction (a merge's replay
// included), so personalization's next read sees the new score. In queue mode the consumer does the same.
import type { SiteRow } from '../db/schema'
import type { Db } from '../db/client'
import { randomId, visitorLeadId } from '../db/ids'
import { countIgnoredTraffic } from '../db/sites'
import {
  conversionStatements,
  eventInserts,
  leadRemovals,
  loadIngestSnapshot,
  runCountingWrites,
  storedEventIds,
  visitorRepoints,
  visitorWrites,
} from '../db/ingest'
import { clearLedger, scoringStatements, upsertLead } from '../db/lead-rows'
import { visitorHistories } from '../db/rescore'
import { siteHosts } from '../domain/attribution'
import { ignoredTraffic } from '../domain/bots'
import { dedupeBatch, normalizeEvent, type EventBatch, type NormalizedEvent } from '../domain/events'
import { applyEvents, type IdMinter, type LeadChanges } from '../domain/leads'
import { scoringConfigOf } from '../domain/lifecycle'
import { compileRules, type CompiledRules, type ScorableEvent } from '../domain/rules'
import { rescoreLeadHistory, scoreLeadEvents, type ScoredLead } from '../domain/scoring'
import type { JobQueue } from '../queue/jobs'
import type { LeadTransition } from '../domain/flows/triggers'
import { startFlows } from './flows/start'

export type IngestMode = 'direct' | 'queue'

export type IngestResult = { accepted: number; duplicates: number; ignored?: number; rowsWritten: number }

/**
 * POST /v1/events after validation: drops repeats within the batch and automated agents' events, then
 * stores (direct mode) or enqueues (queue mode: durable once the queue has it; the consumer writes D1).
 */
export async function ingestBatch(
  db: Db,
  jobs: JobQueue,
  input: { site: SiteRow; batch: EventBatch; userAgent: string | undefined; mode: IngestMode },
  now: number,
): Promise<IngestResult> {
  const { site, batch, mode } = input
  const { unique, repeats } = dedupeBatch(batch.batch)
  const ignored = ignoredTraffic(input.userAgent, { acceptAutomated: site.settings.acceptAutomated, automatedBrowser: batch.automated })
  if (ignored) {
    // Answered, not stored, and counted where the site owner can see it (GET /api/sites/:id `ignored`).
    if (unique.length > 0) await countIgnoredTraffic(db, site.id, ignored, unique.length)
    return { accepted: 0, duplicates: repeats, ignored: unique.length, rowsWritten: 0 }
  }
  const ownHosts = siteHosts(site)
  const events = unique.map((event) => normalizeEvent(event, batch.sentAt, now, ownHosts))
  let accepted: number
  let rowsWritten = 0
  if (mode === 'queue') {
    const stored = await storedEventIds(db, site.id, events.map((e) => e.eventId))
    const fresh = events.filter((e) => !stored.has(e.eventId))
    if (fresh.length > 0) await jobs.send({ kind: 'ingest', siteId: site.id, receivedAt: now, events: fresh })
    accepted = fresh.length
  } else {
    const stored = await storeEvents(db, site, events, now)
    // After the events are durable: goals end runs at once, triggers enroll (exactly once per key).
    const flows = await startFlows(db, jobs, site, stored.transitions, Date.now())
    accepted = stored.accepted
    rowsWritten = stored.rowsWritten + flows.rowsWritten
  }
  return { accepted, duplicates: batch.batch.length - accepted, rowsWritten }
}

/**
 * Stores the events not yet stored, folds them into their leads and scores them. Idempotent: events
 * already stored (a replay, or a queue message redelivered after its transaction committed) change nothing.
 *
 * The one place that reads lead state and builds the statements that write it: exact counters under
 * parallel requests are a change to this function alone.
 */
export async function storeEvents(
  db: Db,
  site: SiteRow,
  batch: readonly NormalizedEvent[],
  now: number,
): Promise<{ accepted: number; rowsWritten: number; transitions: LeadTransition[] }> {
  const snapshot = await loadIngestSnapshot(db, site.id, batch)
  const fresh = batch.filter((event) => !snapshot.storedEventIds.has(event.eventId))
  if (fresh.length === 0) return { accepted: 0, rowsWritten: 0, transitions: [] }
  // Score and stage before the batch: flows trigger on crossings.
  const before = new Map(snapshot.leads.map((lead) => [lead.id, { score: lead.score, stage: lead.stage }]))
  const changes = applyEvents(snapshot, fresh, await idMinter(site.id, fresh))

  const rules = compileRules(snapshot.rules)
  const config = scoringConfigOf(site.scoring)
  // A merge combines two ledgers whose limits were counted apart: the survivor's whole history is replayed.
  const survivors = new Set(changes.repoint.map((r) => r.into))
  const replayed = survivors.size > 0 ? await replayMerges(db, site.id, changes, survivors, rules, config, now) : new Map<string, ScoredLead>()
  const scored = changes.write.map(
    (lead) =>
      replayed.get(lead.id) ??
      scoreLeadEvents(lead, changes.eventsByLead.get(lead.id) ?? [], snapshot.entries.get(lead.id) ?? [], rules, config, now),
  )

  const inserts = eventInserts(db, site.id, fresh, now)
  const statements = [
    ...inserts,
    // Removals go before writes: the surviving lead may take over the removed lead's email.
    ...leadRemovals(db, site.id, changes.remove),
    ...scored.flatMap((s) => [
      ...(replayed.has(s.lead.id) ? [clearLedger(db, site.id, s.lead.id)] : []),
      upsertLead(db, site.id, s.lead),
      ...scoringStatements(db, site.id, s, now),
    ]),
    ...visitorRepoints(db, site.id, changes.repoint),
    ...visitorWrites(db, site.id, changes.visitors),
    ...(snapshot.goals.length === 0 ? [] : conversionStatements(db, site.id, changes.eventsByLead, snapshot.goals)),
  ]
  const { results, rowsWritten } = await runCountingWrites(db, statements)
  const insertedRows = results.slice(0, inserts.length)
  const accepted = insertedRows.reduce((sum, rows) => sum + rows.length, 0)
  // What flows trigger on: each lead's state before and after, with the events this call stored.
  const stored = new Set(insertedRows.flatMap((rows) => (rows as Array<{ eventId?: string; event_id?: string }>).map((r) => r.eventId ?? r.event_id)))
  const transitions = scored.flatMap(({ lead }) => {
    const leadEvents = (changes.eventsByLead.get(lead.id) ?? []).filter((e) => stored.has(e.eventId))
    return leadEvents.length > 0 ? [{ before: before.get(lead.id) ?? null, after: lead, events: leadEvents }] : []
  })
  return { accepted, rowsWritten, transitions }
}

/** Lead ids for first-time visitors are a hash of (site, anonymous id): two racing requests agree. */
async function idMinter(siteId: string, events: readonly NormalizedEvent[]): Promise<IdMinter> {
  const anonymousIds = [...new Set(events.map((e) => e.anonymousId))]
  const leadIds = new Map(await Promise.all(anonymousIds.map(async (aid) => [aid, await visitorLeadId(siteId, aid)] as const)))
  return { forVisitor: (aid) => leadIds.get(aid)!, fresh: () => randomId('ld_') }
}

/**
 * Each merge survivor replayed over its history as it will stand once this batch commits: the stored
 * events of every visitor that ends up with it, plus the batch's own events.
 */
async function replayMerges(
  db: Db,
  siteId: string,
  changes: LeadChanges,
  survivors: ReadonlySet<string>,
  rules: CompiledRules,
  config: ReturnType<typeof scoringConfigOf>,
  now: number,
): Promise<Map<string, ScoredLead>> {
  const merged = changes.repoint.map((r) => r.from)
  const pointedNow = new Map(changes.visitors.map((v) => [v.anonymousId, v.leadId]))
  const history = await visitorHistories(db, siteId, [...survivors, ...merged], [...pointedNow.keys()])
  const into = new Map(changes.repoint.map((r) => [r.from, r.into]))
  const finalLead = new Map(history.links.map((link) => [link.anonymousId, into.get(link.leadId) ?? link.leadId]))
  for (const [anonymousId, leadId] of pointedNow) finalLead.set(anonymousId, leadId)

  const replayed = new Map<string, ScoredLead>()
  for (const lead of changes.write) {
    if (!survivors.has(lead.id)) continue
    const stored: ScorableEvent[] = history.events.filter((e) => finalLead.get(e.anonymousId) === lead.id)
    const events = [...stored, ...(changes.eventsByLead.get(lead.id) ?? [])].sort((a, b) => a.ts - b.ts)
    replayed.set(lead.id, rescoreLeadHistory(lead, events, rules, config, now))
  }
  return replayed
}

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
  unchangedSince,
  visitorRepoints,
  visitorWrites,
} from '../db/ingest'
import { retryOnWriteConflict } from '../db/guards'
import { clearRuleLedger, scoringStatements, upsertLead } from '../db/lead-rows'
import { visitorHistories } from '../db/rescore'
import { siteHosts } from '../domain/attribution'
import { ignoredTraffic } from '../domain/bots'
import { dedupeBatch, normalizeEvent, type EventBatch, type IncomingEvent, type NormalizedEvent } from '../domain/events'
import { identityClaim, isVerifiedIdentity } from '../domain/identity'
import { applyEvents, type IdMinter, type LeadChanges } from '../domain/leads'
import { scoringConfigOf } from '../domain/lifecycle'
import { compileRules, type CompiledRules, type ScorableEvent } from '../domain/rules'
import { isFlowEntry, rescoreLeadHistory, scoreLeadEvents, type LedgerEntry, type ScoredLead } from '../domain/scoring'
import { INGEST_WRITE_ATTEMPTS } from '../limits'
import type { JobQueue } from '../queue/jobs'
import type { LeadTransition } from '../domain/flows/triggers'
import { startFlowsOrDefer } from './flows/start'

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
  const events = await Promise.all(unique.map(async (event) => verifyIdentity(site, event, normalizeEvent(event, batch.sentAt, now, ownHosts))))
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
    const flows = await startFlowsOrDefer(db, jobs, site, stored.transitions, Date.now())
    accepted = stored.accepted
    rowsWritten = stored.rowsWritten + flows.rowsWritten
  }
  return { accepted, duplicates: batch.batch.length - accepted, rowsWritten }
}

/**
 * Stores the events not yet stored, folds them into their leads and scores them. Idempotent: events
 * already stored (a replay, or a queue message redelivered after its transaction committed) change nothing.
 *
 * Optimistic concurrency: the transaction re-checks, first, that the lead state it was computed from is
 * unchanged (lead versions, visitor links) and inserts events without ON CONFLICT; a parallel request
 * that committed in between fails it whole, and it is computed again from a fresh read.
 */
type StoreResult = { accepted: number; rowsWritten: number; transitions: LeadTransition[] }

export function storeEvents(db: Db, site: SiteRow, batch: readonly NormalizedEvent[], now: number): Promise<StoreResult> {
  return retryOnWriteConflict(INGEST_WRITE_ATTEMPTS, () => storeOnce(db, site, batch, now))
}

async function storeOnce(db: Db, site: SiteRow, batch: readonly NormalizedEvent[], now: number): Promise<StoreResult> {
  const snapshot = await loadIngestSnapshot(db, site.id, batch)
  const seen = new Set<string>()
  const fresh = batch.filter((event) => !snapshot.storedEventIds.has(event.eventId) && !seen.has(event.eventId) && seen.add(event.eventId))
  if (fresh.length === 0) return { accepted: 0, rowsWritten: 0, transitions: [] }
  // Score and stage before the batch: flows trigger on crossings.
  const before = new Map(snapshot.leads.map((lead) => [lead.id, { score: lead.score, stage: lead.stage }]))
  const policy = { requireVerified: site.settings.requireVerifiedIdentity === true }
  const changes = applyEvents(snapshot, fresh, await idMinter(site.id, fresh), policy)

  const rules = compileRules(snapshot.rules)
  const config = scoringConfigOf(site.scoring)
  // A merge combines two ledgers whose limits were counted apart: the survivor's whole history is replayed.
  const survivors = new Set(changes.repoint.map((r) => r.into))
  const replayed = survivors.size > 0 ? await replayMerges(db, site.id, changes, survivors, snapshot.entries, rules, config, now) : new Map<string, ScoredLead>()
  const scored = changes.write.map(
    (lead) =>
      replayed.get(lead.id) ??
      scoreLeadEvents(lead, changes.eventsByLead.get(lead.id) ?? [], snapshot.entries.get(lead.id) ?? [], rules, config, now),
  )

  const created = changes.write.filter((lead) => !snapshot.versions.has(lead.id)).map((lead) => lead.id)
  const statements = [
    unchangedSince(db, site.id, fresh, snapshot, created),
    ...eventInserts(db, site.id, fresh, now),
    // Removals go before writes: the surviving lead may take over the removed lead's email.
    ...leadRemovals(db, site.id, changes.remove),
    ...scored.flatMap((s) => [
      ...(replayed.has(s.lead.id) ? [clearRuleLedger(db, site.id, s.lead.id)] : []),
      upsertLead(db, site.id, s.lead),
      ...scoringStatements(db, site.id, s, now),
    ]),
    ...visitorRepoints(db, site.id, changes.repoint),
    ...visitorWrites(db, site.id, changes.visitors),
    ...(snapshot.goals.length === 0 ? [] : conversionStatements(db, site.id, changes.eventsByLead, snapshot.goals)),
  ]
  const { rowsWritten } = await runCountingWrites(db, statements)
  // Every fresh event was inserted (a conflicting insert fails the whole transaction). What flows trigger
  // on: each lead's state before and after, with the events this call stored.
  const transitions = scored.flatMap(({ lead }) => {
    const leadEvents = changes.eventsByLead.get(lead.id) ?? []
    return leadEvents.length > 0 ? [{ before: before.get(lead.id) ?? null, after: lead, events: leadEvents }] : []
  })
  return { accepted: fresh.length, rowsWritten, transitions }
}

/** An identify carrying a signature is marked verified when it matches the site's identity secret. */
async function verifyIdentity(site: SiteRow, event: IncomingEvent, normalized: NormalizedEvent): Promise<NormalizedEvent> {
  if (event.type !== 'identify' || !event.verification || !site.identitySecret) return normalized
  const claim = identityClaim(event.userId, event.traits?.email)
  return claim && (await isVerifiedIdentity(site.identitySecret, claim, event.verification)) ? { ...normalized, verified: true } : normalized
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
  entries: ReadonlyMap<string, readonly LedgerEntry[]>,
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
    // Flow points stay: the survivor's own, and the merged leads' moved over to her.
    const own = (entries.get(lead.id) ?? []).filter(isFlowEntry)
    const moved = changes.repoint.filter((r) => r.into === lead.id).flatMap((r) => (entries.get(r.from) ?? []).filter(isFlowEntry))
    const scored = rescoreLeadHistory(lead, events, rules, config, now, [...own, ...moved])
    replayed.set(lead.id, { ...scored, add: [...scored.add, ...moved] })
  }
  return replayed
}

// The ingest write path: load what a batch needs in one round trip, write its effects — events, leads,
// score ledger, stage changes — in one transaction, so personalization's next read sees the new score.
import { and, eq, isNull, lte, sql } from 'drizzle-orm'
import type { NormalizedEvent } from '../domain/events'
import type { LeadTransition } from '../domain/flows/triggers'
import { applyEvents, type IdMinter, type KnownIdentities, type LeadChanges } from '../domain/leads'
import { scoringConfigOf } from '../domain/lifecycle'
import { compileRules, type ScoreRule } from '../domain/rules'
import { scoreLeadEvents, type LedgerEntry, type ScoredLead } from '../domain/scoring'
import { chunk, jsonList, rowsPerInsert } from './binding'
import type { Db } from './client'
import { randomId, visitorLeadId } from './ids'
import { clearLedger, scoringStatements, toLead, toLedgerEntry, upsertLead } from './lead-rows'
import { toScoreRule } from './rules'
import { rescoreLeads } from './rescore'
import { events as eventsTable, experiences, exposures, leads, scoreEntries, scoreRules, visitors, type SiteRow } from './schema'


export type IngestSnapshot = KnownIdentities & {
  storedEventIds: Set<string>
  rules: ScoreRule[]
  /** Active experiences with a goal: a matching track event converts the visitor's exposures. */
  goals: Array<{ id: string; goal: string }>
  /** Active ledger entries of the snapshot's leads. */
  entries: Map<string, LedgerEntry[]>
}

/** Which events are already stored; the leads the batch's visitors, user ids and emails belong to; rules. */
export async function loadIngestSnapshot(db: Db, siteId: string, batch: readonly NormalizedEvent[]): Promise<IngestSnapshot> {
  const eventIds = batch.map((e) => e.eventId)
  const anonymousIds = [...new Set(batch.map((e) => e.anonymousId))]
  const userIds = [...new Set(batch.flatMap((e) => (e.type === 'identify' && e.userId ? [e.userId] : [])))]
  const emails = [...new Set(batch.flatMap((e) => (e.email ? [e.email] : [])))]
  const leadIds = sql`(select ${leads.id} from ${leads} where ${leads.siteId} = ${siteId} and (
      ${leads.id} in (select lead_id from visitors where site_id = ${siteId} and anonymous_id in ${jsonList(anonymousIds)})
      or ${leads.userId} in ${jsonList(userIds)} or ${leads.email} in ${jsonList(emails)}))`

  const [stored, visitorRows, leadRows, ruleRows, entryRows, goalRows] = await db.batch([
    storedEventIdsQuery(db, siteId, eventIds),
    db
      .select({ anonymousId: visitors.anonymousId, leadId: visitors.leadId })
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), sql`${visitors.anonymousId} in ${jsonList(anonymousIds)}`)),
    db.select().from(leads).where(sql`${leads.id} in ${leadIds}`),
    db.select().from(scoreRules).where(and(eq(scoreRules.siteId, siteId), eq(scoreRules.enabled, true))),
    db
      .select()
      .from(scoreEntries)
      .where(and(eq(scoreEntries.siteId, siteId), eq(scoreEntries.lapsed, false), sql`${scoreEntries.leadId} in ${leadIds}`)),
    db
      .select({ id: experiences.id, goal: experiences.goal })
      .from(experiences)
      .where(and(eq(experiences.siteId, siteId), eq(experiences.status, 'active'), sql`${experiences.goal} is not null`)),
  ])
  const entries = new Map<string, LedgerEntry[]>()
  for (const row of entryRows) entries.set(row.leadId, [...(entries.get(row.leadId) ?? []), toLedgerEntry(row)])
  return {
    storedEventIds: new Set(stored.map((row) => row.eventId)),
    visitors: new Map(visitorRows.map((row) => [row.anonymousId, row.leadId])),
    leads: leadRows.map(toLead),
    rules: ruleRows.map(toScoreRule),
    entries,
    goals: goalRows.flatMap((row) => (row.goal ? [{ id: row.id, goal: row.goal.toLowerCase() }] : [])),
  }
}

/**
 * Writes new events, lead changes and their scoring atomically (a D1 batch is one transaction). Returns
 * the ids actually inserted (a concurrent replay inserts nothing) and the D1 rows written.
 */
export async function writeIngest(
  db: Db,
  siteId: string,
  batch: readonly NormalizedEvent[],
  changes: LeadChanges,
  scored: readonly ScoredLead[],
  receivedAt: number,
  goals: IngestSnapshot['goals'] = [],
): Promise<{ inserted: string[]; rowsWritten: number }> {
  const rows = batch.map((e) => ({
    siteId,
    eventId: e.eventId,
    type: e.type,
    name: e.name,
    anonymousId: e.anonymousId,
    userId: e.userId,
    ts: e.ts,
    receivedAt,
    url: e.url,
    data: e.data,
    context: e.context,
  }))
  const insertEvents = chunk(rows, rowsPerInsert(11)).map((part) =>
    db.insert(eventsTable).values(part).onConflictDoNothing().returning({ eventId: eventsTable.eventId }),
  )
  // Removals go before writes: the surviving lead may take over the removed lead's email.
  const removals = changes.remove.flatMap((id) => [db.delete(leads).where(eq(leads.id, id)), clearLedger(db, siteId, id)])
  const leadWrites = scored.flatMap((s) => [upsertLead(db, siteId, s.lead), ...scoringStatements(db, siteId, s, receivedAt)])
  const repoints = changes.repoint.map(({ from, into }) =>
    db.update(visitors).set({ leadId: into }).where(and(eq(visitors.siteId, siteId), eq(visitors.leadId, from))),
  )
  const visitorWrites = changes.visitors.map((v) =>
    db
      .insert(visitors)
      .values({ siteId, anonymousId: v.anonymousId, leadId: v.leadId, firstSeen: v.firstSeen })
      .onConflictDoUpdate({ target: [visitors.siteId, visitors.anonymousId], set: { leadId: v.leadId } }),
  )

  // Goal events convert the exposures of every visitor of the lead (after the visitor rows above).
  const conversions = goals.length === 0 ? [] : conversionStatements(db, siteId, changes, goals)

  // Run through D1 directly to read each statement's meta (rows written is the ingest cost budget).
  const statements = [...insertEvents, ...removals, ...leadWrites, ...repoints, ...visitorWrites, ...conversions].map((query) => {
    const { sql: text, params } = query.toSQL()
    return db.$client.prepare(text).bind(...params)
  })
  const results = await db.$client.batch<{ event_id: string }>(statements)
  return {
    inserted: results.slice(0, insertEvents.length).flatMap((result) => result.results.map((row) => row.event_id)),
    rowsWritten: results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0),
  }
}

function conversionStatements(db: Db, siteId: string, changes: LeadChanges, goals: IngestSnapshot['goals']) {
  const statements = []
  for (const [leadId, leadEvents] of changes.eventsByLead) {
    for (const event of leadEvents) {
      if (event.type !== 'track' || !event.name) continue
      const name = event.name.toLowerCase()
      const converted = goals.filter((g) => g.goal === name).map((g) => g.id)
      if (converted.length === 0) continue
      statements.push(
        db
          .update(exposures)
          .set({ convertedAt: event.ts })
          .where(
            and(
              eq(exposures.siteId, siteId),
              isNull(exposures.convertedAt),
              lte(exposures.firstAt, event.ts),
              sql`${exposures.experienceId} in ${jsonList(converted)}`,
              sql`${exposures.anonymousId} in (select anonymous_id from visitors where site_id = ${siteId} and lead_id = ${leadId})`,
            ),
          ),
      )
    }
  }
  return statements
}

/**
 * Stores the events not yet stored, folds them into their leads and scores them. Idempotent: events
 * already stored (a replay, or a queue message redelivered after its transaction committed) change nothing.
 */
export async function storeEvents(
  db: Db,
  site: SiteRow,
  batch: readonly NormalizedEvent[],
  receivedAt: number,
): Promise<{ accepted: number; rowsWritten: number; transitions: LeadTransition[] }> {
  const snapshot = await loadIngestSnapshot(db, site.id, batch)
  const fresh = batch.filter((event) => !snapshot.storedEventIds.has(event.eventId))
  if (fresh.length === 0) return { accepted: 0, rowsWritten: 0, transitions: [] }
  // Score and stage before the batch: flows trigger on crossings.
  const before = new Map(snapshot.leads.map((lead) => [lead.id, { score: lead.score, stage: lead.stage }]))
  const anonymousIds = [...new Set(fresh.map((e) => e.anonymousId))]
  const leadIds = new Map(await Promise.all(anonymousIds.map(async (aid) => [aid, await visitorLeadId(site.id, aid)] as const)))
  const ids: IdMinter = { forVisitor: (aid) => leadIds.get(aid)!, fresh: () => randomId('ld_') }
  const changes = applyEvents(snapshot, fresh, ids)

  const rules = compileRules(snapshot.rules)
  const config = scoringConfigOf(site.scoring)
  const scored = changes.write.map((lead) =>
    scoreLeadEvents(lead, changes.eventsByLead.get(lead.id) ?? [], snapshot.entries.get(lead.id) ?? [], rules, config, receivedAt),
  )
  const { inserted, rowsWritten } = await writeIngest(db, site.id, fresh, changes, scored, receivedAt, snapshot.goals)

  // A merge combines two ledgers whose limits were counted apart: replay the survivor's whole history.
  const survivors = [...new Set(changes.repoint.map((r) => r.into))]
  if (survivors.length > 0 && inserted.length > 0) await rescoreLeads(db, site, survivors, Date.now())
  const stored = new Set(inserted)
  const transitions = scored.flatMap(({ lead }) => {
    const leadEvents = (changes.eventsByLead.get(lead.id) ?? []).filter((e) => stored.has(e.eventId))
    return leadEvents.length > 0 ? [{ before: before.get(lead.id) ?? null, after: lead, events: leadEvents }] : []
  })
  return { accepted: inserted.length, rowsWritten, transitions }
}

const storedEventIdsQuery = (db: Db, siteId: string, eventIds: readonly string[]) =>
  db
    .select({ eventId: eventsTable.eventId })
    .from(eventsTable)
    .where(and(eq(eventsTable.siteId, siteId), sql`${eventsTable.eventId} in ${jsonList(eventIds)}`))

/** Ids of these events already stored for the site. */
export async function storedEventIds(db: Db, siteId: string, eventIds: readonly string[]): Promise<Set<string>> {
  return new Set((await storedEventIdsQuery(db, siteId, eventIds)).map((row) => row.eventId))
}

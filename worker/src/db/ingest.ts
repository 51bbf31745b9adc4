// Ingest queries: what a batch needs, read in one round trip, and the statements that write its effects
// (the ingest service runs them, with the lead and scoring statements, as one transaction).
import { and, eq, isNull, lte, sql } from 'drizzle-orm'
import type { NormalizedEvent } from '../domain/events'
import type { KnownIdentities, LeadChanges } from '../domain/leads'
import type { ScoreRule } from '../domain/rules'
import type { LedgerEntry } from '../domain/scoring'
import { chunk, jsonList, rowsPerInsert } from './binding'
import type { Db } from './client'
import { guard } from './guards'
import { clearLedger, toLead, toLedgerEntry } from './lead-rows'
import { toScoreRule } from './rules'
import { events as eventsTable, experiences, exposures, leads, scoreEntries, scoreRules, visitors } from './schema'


export type IngestSnapshot = KnownIdentities & {
  storedEventIds: Set<string>
  rules: ScoreRule[]
  /** Active experiences with a goal: a matching track event converts the visitor's exposures. */
  goals: Array<{ id: string; goal: string }>
  /** Active ledger entries of the snapshot's leads. */
  entries: Map<string, LedgerEntry[]>
  /** lead id → version read: the write commits only if every one is unchanged (see `unchangedSince`). */
  versions: Map<string, number>
}

/** The leads a batch touches: its visitors' leads and those holding its user ids and emails. */
function touchedLeadIds(siteId: string, batch: readonly NormalizedEvent[]) {
  const anonymousIds = [...new Set(batch.map((e) => e.anonymousId))]
  const userIds = [...new Set(batch.flatMap((e) => (e.type === 'identify' && e.userId ? [e.userId] : [])))]
  const emails = [...new Set(batch.flatMap((e) => (e.email ? [e.email] : [])))]
  return sql`(select ${leads.id} from ${leads} where ${leads.siteId} = ${siteId} and (
      ${leads.id} in (select lead_id from visitors where site_id = ${siteId} and anonymous_id in ${jsonList(anonymousIds)})
      or ${leads.userId} in ${jsonList(userIds)} or ${leads.email} in ${jsonList(emails)}))`
}

/** Which events are already stored; the leads the batch's visitors, user ids and emails belong to; rules. */
export async function loadIngestSnapshot(db: Db, siteId: string, batch: readonly NormalizedEvent[]): Promise<IngestSnapshot> {
  const eventIds = batch.map((e) => e.eventId)
  const anonymousIds = [...new Set(batch.map((e) => e.anonymousId))]
  const leadIds = touchedLeadIds(siteId, batch)

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
    versions: new Map(leadRows.map((row) => [row.id, row.version])),
    goals: goalRows.flatMap((row) => (row.goal ? [{ id: row.id, goal: row.goal.toLowerCase() }] : [])),
  }
}

/**
 * A read-only statement that fails the transaction it runs in when lead state the snapshot read has
 * changed since: a touched lead's version, a lead now matching the batch's visitors / user ids / emails, a
 * lead the batch creates already existing, or a visitor now pointing elsewhere. The caller re-reads and
 * retries. (A failing expression, since SQL outside triggers has no RAISE: json() of invalid text.)
 */
export function unchangedSince(db: Db, siteId: string, batch: readonly NormalizedEvent[], snapshot: IngestSnapshot, created: readonly string[]) {
  const anonymousIds = [...new Set(batch.map((e) => e.anonymousId))]
  const pointed = Object.fromEntries(anonymousIds.flatMap((aid) => (snapshot.visitors.has(aid) ? [[aid, snapshot.visitors.get(aid)!]] : [])))
  const versions = Object.fromEntries(snapshot.versions)
  const holds = sql`(select count(*) from ${leads} where ${leads.id} in ${touchedLeadIds(siteId, batch)}) = ${snapshot.versions.size}
    and (select count(*) from ${leads} l join json_each(${JSON.stringify(versions)}) j on l.id = j.key where l.version = j.value) = ${snapshot.versions.size}
    and (select count(*) from ${leads} where ${leads.id} in ${jsonList(created)}) = 0
    and (select count(*) from ${visitors} where ${visitors.siteId} = ${siteId} and ${visitors.anonymousId} in ${jsonList(anonymousIds)}) = ${Object.keys(pointed).length}
    and (select count(*) from ${visitors} v join json_each(${JSON.stringify(pointed)}) j on v.anonymous_id = j.key
         where v.site_id = ${siteId} and v.lead_id = j.value) = ${Object.keys(pointed).length}`
  return guard(db, holds, 'lead state changed')
}

/**
 * Inserts of new events. No ON CONFLICT: an event stored by a concurrent request since the snapshot fails
 * the whole transaction, so its lead writes never apply twice; the retry sees it stored.
 */
export function eventInserts(db: Db, siteId: string, batch: readonly NormalizedEvent[], receivedAt: number) {
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
  return chunk(rows, rowsPerInsert(eventsTable)).map((part) =>
    db.insert(eventsTable).values(part),
  )
}

/** Leads merged away: the row and its ledger. */
export const leadRemovals = (db: Db, siteId: string, leadIds: readonly string[]) =>
  leadIds.flatMap((id) => [db.delete(leads).where(eq(leads.id, id)), clearLedger(db, siteId, id)])

/** Visitors of a merged-away lead move to the survivor. */
export const visitorRepoints = (db: Db, siteId: string, repoint: LeadChanges['repoint']) =>
  repoint.map(({ from, into }) => db.update(visitors).set({ leadId: into }).where(and(eq(visitors.siteId, siteId), eq(visitors.leadId, from))))

/** Anonymous ids whose lead is new or changed. */
export const visitorWrites = (db: Db, siteId: string, changed: LeadChanges['visitors']) =>
  changed.map((v) =>
    db
      .insert(visitors)
      .values({ siteId, anonymousId: v.anonymousId, leadId: v.leadId, firstSeen: v.firstSeen })
      .onConflictDoUpdate({ target: [visitors.siteId, visitors.anonymousId], set: { leadId: v.leadId } }),
  )

/** Goal events convert the exposures of every visitor of the lead (run after the visitor writes). */
export function conversionStatements(db: Db, siteId: string, eventsByLead: LeadChanges['eventsByLead'], goals: IngestSnapshot['goals']) {
  const statements = []
  for (const [leadId, leadEvents] of eventsByLead) {
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

type Statement = { toSQL(): { sql: string; params: unknown[] } }

/**
 * Runs statements as one D1 batch (one transaction) straight through D1, to read each statement's meta:
 * rows written is the ingest cost budget. Returns each statement's rows and the total rows written.
 */
export async function runCountingWrites(db: Db, statements: readonly Statement[]): Promise<{ results: Array<Record<string, unknown>[]>; rowsWritten: number }> {
  const prepared = statements.map((query) => {
    const { sql: text, params } = query.toSQL()
    return db.$client.prepare(text).bind(...params)
  })
  const results = await db.$client.batch<Record<string, unknown>>(prepared)
  return {
    results: results.map((result) => result.results),
    rowsWritten: results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0),
  }
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

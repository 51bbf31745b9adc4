// The ingest write path: load what a batch needs in one round trip, write its effects in one transaction.
import { eq, and, sql } from 'drizzle-orm'
import type { NormalizedEvent } from '../domain/events'
import { applyEvents, type IdMinter, type KnownIdentities, type Lead, type LeadChanges } from '../domain/leads'
import { randomId, visitorLeadId } from './ids'
import type { Db } from './client'
import { events as eventsTable, leads, visitors } from './schema'

// json_each(?) binds a whole list as one parameter: D1 allows 100 bound parameters per statement.
const jsonList = (values: readonly string[]) => sql`(select value from json_each(${JSON.stringify(values)}))`

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))

function toLead(row: typeof leads.$inferSelect): Lead {
  return {
    id: row.id,
    userId: row.userId,
    email: row.email,
    traits: row.traits,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    sessions: row.sessions,
    eventCount: row.eventCount,
    firstTouch: row.firstTouch ?? null,
    lastTouch: row.lastTouch ?? null,
  }
}

export type IngestSnapshot = KnownIdentities & { storedEventIds: Set<string> }

/** Which events are already stored, and the leads the batch's visitors, user ids and emails belong to. */
export async function loadIngestSnapshot(db: Db, siteId: string, events: readonly NormalizedEvent[]): Promise<IngestSnapshot> {
  const eventIds = events.map((e) => e.eventId)
  const anonymousIds = [...new Set(events.map((e) => e.anonymousId))]
  const userIds = [...new Set(events.flatMap((e) => (e.type === 'identify' && e.userId ? [e.userId] : [])))]
  const emails = [...new Set(events.flatMap((e) => (e.email ? [e.email] : [])))]

  const [stored, visitorRows, leadRows] = await db.batch([
    db
      .select({ eventId: eventsTable.eventId })
      .from(eventsTable)
      .where(and(eq(eventsTable.siteId, siteId), sql`${eventsTable.eventId} in ${jsonList(eventIds)}`)),
    db
      .select({ anonymousId: visitors.anonymousId, leadId: visitors.leadId })
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), sql`${visitors.anonymousId} in ${jsonList(anonymousIds)}`)),
    db
      .select()
      .from(leads)
      .where(
        and(
          eq(leads.siteId, siteId),
          sql`(${leads.id} in (select lead_id from visitors where site_id = ${siteId} and anonymous_id in ${jsonList(anonymousIds)})
            or ${leads.userId} in ${jsonList(userIds)} or ${leads.email} in ${jsonList(emails)})`,
        ),
      ),
  ])
  return {
    storedEventIds: new Set(stored.map((row) => row.eventId)),
    visitors: new Map(visitorRows.map((row) => [row.anonymousId, row.leadId])),
    leads: leadRows.map(toLead),
  }
}

/**
 * Writes new events and their lead changes atomically (a D1 batch is one transaction), so an accepted
 * event and its effect on the lead land together or not at all. Returns the ids actually inserted (a
 * concurrent replay of the same events inserts nothing) and the D1 rows written.
 */
export async function writeIngest(
  db: Db,
  siteId: string,
  events: readonly NormalizedEvent[],
  changes: LeadChanges,
  receivedAt: number,
): Promise<{ inserted: string[]; rowsWritten: number }> {
  const rows = events.map((e) => ({
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
  // D1 binds at most 100 parameters per statement: 9 rows × 11 columns.
  const insertEvents = chunk(rows, 9).map((part) =>
    db.insert(eventsTable).values(part).onConflictDoNothing().returning({ eventId: eventsTable.eventId }),
  )

  const leadWrites = changes.write.map((lead) => {
    const values = {
      id: lead.id,
      siteId,
      userId: lead.userId,
      email: lead.email,
      traits: lead.traits,
      firstSeen: lead.firstSeen,
      lastSeen: lead.lastSeen,
      sessions: lead.sessions,
      eventCount: lead.eventCount,
      firstTouch: lead.firstTouch,
      lastTouch: lead.lastTouch,
    }
    const { id: _id, siteId: _site, ...update } = values
    return db.insert(leads).values(values).onConflictDoUpdate({ target: leads.id, set: update })
  })
  const repoints = changes.repoint.map(({ from, into }) =>
    db.update(visitors).set({ leadId: into }).where(and(eq(visitors.siteId, siteId), eq(visitors.leadId, from))),
  )
  const visitorWrites = changes.visitors.map((v) =>
    db
      .insert(visitors)
      .values({ siteId, anonymousId: v.anonymousId, leadId: v.leadId, firstSeen: v.firstSeen })
      .onConflictDoUpdate({ target: [visitors.siteId, visitors.anonymousId], set: { leadId: v.leadId } }),
  )
  const removals = changes.remove.map((id) => db.delete(leads).where(eq(leads.id, id)))

  // Removals go before writes: the surviving lead may take over the removed lead's email.
  // Run through D1 directly to read each statement's meta (rows written is the ingest cost budget).
  const statements = [...insertEvents, ...removals, ...leadWrites, ...repoints, ...visitorWrites].map((query) => {
    const { sql: text, params } = query.toSQL()
    return db.$client.prepare(text).bind(...params)
  })
  const results = await db.$client.batch<{ event_id: string }>(statements)
  return {
    inserted: results.slice(0, insertEvents.length).flatMap((result) => result.results.map((row) => row.event_id)),
    rowsWritten: results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0),
  }
}

/**
 * Stores the events not yet stored and folds them into their leads. Idempotent: events already stored
 * (a replay, or a queue message redelivered after its transaction committed) change nothing.
 */
export async function storeEvents(
  db: Db,
  siteId: string,
  events: readonly NormalizedEvent[],
  receivedAt: number,
): Promise<{ accepted: number; rowsWritten: number }> {
  const snapshot = await loadIngestSnapshot(db, siteId, events)
  const fresh = events.filter((event) => !snapshot.storedEventIds.has(event.eventId))
  if (fresh.length === 0) return { accepted: 0, rowsWritten: 0 }
  const anonymousIds = [...new Set(fresh.map((e) => e.anonymousId))]
  const leadIds = new Map(await Promise.all(anonymousIds.map(async (aid) => [aid, await visitorLeadId(siteId, aid)] as const)))
  const ids: IdMinter = { forVisitor: (aid) => leadIds.get(aid)!, fresh: () => randomId('ld_') }
  const changes = applyEvents(snapshot, fresh, ids)
  const { inserted, rowsWritten } = await writeIngest(db, siteId, fresh, changes, receivedAt)
  return { accepted: inserted.length, rowsWritten }
}

/** Ids of these events already stored for the site. */
export async function storedEventIds(db: Db, siteId: string, eventIds: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .select({ eventId: eventsTable.eventId })
    .from(eventsTable)
    .where(and(eq(eventsTable.siteId, siteId), sql`${eventsTable.eventId} in ${jsonList(eventIds)}`))
  return new Set(rows.map((row) => row.eventId))
}

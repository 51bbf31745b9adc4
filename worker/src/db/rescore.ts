// Re-scoring reads: leads' whole histories (after a rule change, a merge or for a preview) and pages of
// a site's lead ids. The re-scoring service replays them and writes the results.
import { and, asc, eq, gt, like, sql } from 'drizzle-orm'
import type { Lead } from '../domain/leads'
import type { ScorableEvent } from '../domain/rules'
import { FLOW_RULE_PREFIX, type LedgerEntry } from '../domain/scoring'
import { jsonList } from './binding'
import type { Db } from './client'
import { toLead, toLedgerEntry } from './lead-rows'
import { events, leads, scoreEntries, visitors } from './schema'

/** `kept`: the lead's flow points (ledger entries no rule recomputes). */
/** A lead's history as read, with the lead row's `version` then (a write of it commits only if unchanged). */
export type History = { lead: Lead; events: ScorableEvent[]; kept: LedgerEntry[]; version: number }

const historyColumns = {
  anonymousId: events.anonymousId,
  eventId: events.eventId,
  type: events.type,
  name: events.name,
  ts: events.ts,
  data: events.data,
  context: events.context,
}

const toScorable = (row: { anonymousId: string; eventId: string; type: ScorableEvent['type']; name: string | null; ts: number; data: Record<string, unknown> | null; context: Record<string, unknown> | null }) => ({
  ...row,
  data: row.data ?? null,
  context: row.context ?? null,
})

/** Leads with every event of every anonymous id they own, oldest first. */
export async function loadHistories(db: Db, siteId: string, leadIds: readonly string[]): Promise<History[]> {
  if (leadIds.length === 0) return []
  const ids = jsonList(leadIds)
  const [leadRows, links, eventRows, flowEntryRows] = await db.batch([
    db.select().from(leads).where(and(eq(leads.siteId, siteId), sql`${leads.id} in ${ids}`)),
    db
      .select({ anonymousId: visitors.anonymousId, leadId: visitors.leadId })
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), sql`${visitors.leadId} in ${ids}`)),
    db
      .select(historyColumns)
      .from(events)
      .where(
        and(
          eq(events.siteId, siteId),
          sql`${events.anonymousId} in (select anonymous_id from visitors where site_id = ${siteId} and lead_id in ${ids})`,
        ),
      )
      .orderBy(asc(events.ts)),
    db
      .select()
      .from(scoreEntries)
      .where(and(eq(scoreEntries.siteId, siteId), sql`${scoreEntries.leadId} in ${ids}`, like(scoreEntries.ruleId, `${FLOW_RULE_PREFIX}%`))),
  ])
  const kept = new Map<string, LedgerEntry[]>()
  for (const row of flowEntryRows) kept.set(row.leadId, [...(kept.get(row.leadId) ?? []), toLedgerEntry(row)])
  const leadOf = new Map(links.map((link) => [link.anonymousId, link.leadId]))
  const byLead = new Map<string, ScorableEvent[]>()
  for (const { anonymousId, ...event } of eventRows.map(toScorable)) {
    const leadId = leadOf.get(anonymousId)
    if (leadId) byLead.set(leadId, [...(byLead.get(leadId) ?? []), event])
  }
  return leadRows.map((row) => ({ lead: toLead(row), events: byLead.get(row.id) ?? [], kept: kept.get(row.id) ?? [], version: row.version }))
}

/** One page of a site's lead ids in id order, after `after`. */
export async function leadIdPage(db: Db, siteId: string, after: string, size: number): Promise<string[]> {
  const rows = await db
    .select({ id: leads.id })
    .from(leads)
    .where(and(eq(leads.siteId, siteId), gt(leads.id, after)))
    .orderBy(asc(leads.id))
    .limit(size)
  return rows.map((r) => r.id)
}

export async function countLeads(db: Db, siteId: string): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(leads).where(eq(leads.siteId, siteId)).get()
  return row?.n ?? 0
}

/** The site's most recently seen lead ids, at most `limit`. */
export async function recentLeadIds(db: Db, siteId: string, limit: number): Promise<string[]> {
  const rows = await db.select({ id: leads.id }).from(leads).where(eq(leads.siteId, siteId)).orderBy(sql`${leads.lastSeen} desc`).limit(limit)
  return rows.map((r) => r.id)
}

/**
 * Stored events of the visitors of these leads and of `alsoVisitors`, oldest first, with their anonymous
 * id, and which of these leads each stored visitor belongs to (a merge's history before it commits).
 */
export async function visitorHistories(db: Db, siteId: string, leadIds: readonly string[], alsoVisitors: readonly string[]) {
  const ids = jsonList(leadIds)
  const [links, eventRows] = await db.batch([
    db
      .select({ anonymousId: visitors.anonymousId, leadId: visitors.leadId })
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), sql`${visitors.leadId} in ${ids}`)),
    db
      .select(historyColumns)
      .from(events)
      .where(
        and(
          eq(events.siteId, siteId),
          sql`(${events.anonymousId} in (select anonymous_id from visitors where site_id = ${siteId} and lead_id in ${ids}) or ${events.anonymousId} in ${jsonList(alsoVisitors)})`,
        ),
      )
      .orderBy(asc(events.ts)),
  ])
  return { links, events: eventRows.map(toScorable) }
}

// Lead read queries for the admin API.
import { and, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm'
import { jsonList } from './binding'
import type { Db } from './client'
import { events, leadChanges, leads, scoreEntries, scoreRules, visitors, type EventRow, type LeadRow } from './schema'

export type LeadFilter = {
  anonymousId?: string
  email?: string
  stage?: string
  minScore?: number
  maxScore?: number
  /** First-touch source, e.g. google. */
  source?: string
  limit: number
}

export type LeadWithVisitors = LeadRow & { anonymousIds: string[] }

async function withVisitors(db: Db, rows: LeadRow[]): Promise<LeadWithVisitors[]> {
  if (rows.length === 0) return []
  const links = await db
    .select({ leadId: visitors.leadId, anonymousId: visitors.anonymousId })
    .from(visitors)
    .where(sql`${visitors.leadId} in ${jsonList(rows.map((r) => r.id))}`)
    .orderBy(visitors.firstSeen)
  return rows.map((row) => ({
    ...row,
    anonymousIds: links.filter((l) => l.leadId === row.id).map((l) => l.anonymousId),
  }))
}

export async function listLeads(db: Db, siteId: string, filter: LeadFilter): Promise<LeadWithVisitors[]> {
  const where: SQL[] = [eq(leads.siteId, siteId)]
  if (filter.email) where.push(eq(leads.email, filter.email.trim().toLowerCase()))
  if (filter.stage) where.push(eq(leads.stage, filter.stage))
  if (filter.minScore !== undefined) where.push(gte(leads.score, filter.minScore))
  if (filter.maxScore !== undefined) where.push(lte(leads.score, filter.maxScore))
  if (filter.source) where.push(sql`lower(json_extract(${leads.firstTouch}, '$.source')) = ${filter.source.toLowerCase()}`)
  if (filter.anonymousId) {
    where.push(
      sql`${leads.id} in (select lead_id from visitors where site_id = ${siteId} and anonymous_id = ${filter.anonymousId})`,
    )
  }
  const rows = await db
    .select()
    .from(leads)
    .where(and(...where))
    .orderBy(desc(leads.lastSeen))
    .limit(filter.limit)
  return withVisitors(db, rows)
}

export async function findLead(db: Db, siteId: string, leadId: string): Promise<LeadWithVisitors | undefined> {
  const row = await db.select().from(leads).where(and(eq(leads.siteId, siteId), eq(leads.id, leadId))).get()
  return row ? (await withVisitors(db, [row]))[0] : undefined
}

/** A lead's events, most recent first, across all her anonymous ids. */
export function leadEvents(db: Db, siteId: string, anonymousIds: string[], limit: number): Promise<EventRow[]> {
  if (anonymousIds.length === 0) return Promise.resolve([])
  return db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), sql`${events.anonymousId} in ${jsonList(anonymousIds)}`))
    .orderBy(desc(events.ts))
    .limit(limit)
    .all()
}

/** The lead's ledger with rule names (null when the rule was deleted since), newest first. */
export function scoreBreakdown(db: Db, siteId: string, leadId: string) {
  return db
    .select({
      ruleId: scoreEntries.ruleId,
      rule: scoreRules.name,
      kind: scoreEntries.kind,
      points: scoreEntries.points,
      at: scoreEntries.at,
      eventId: scoreEntries.eventId,
      expiresAt: scoreEntries.expiresAt,
      lapsed: scoreEntries.lapsed,
    })
    .from(scoreEntries)
    .leftJoin(scoreRules, eq(scoreRules.id, scoreEntries.ruleId))
    .where(and(eq(scoreEntries.siteId, siteId), eq(scoreEntries.leadId, leadId)))
    .orderBy(desc(scoreEntries.at))
    .all()
}

export function stageHistory(db: Db, siteId: string, leadId: string) {
  return db
    .select({ from: leadChanges.from, to: leadChanges.to, at: leadChanges.at })
    .from(leadChanges)
    .where(and(eq(leadChanges.siteId, siteId), eq(leadChanges.leadId, leadId), eq(leadChanges.kind, 'stage')))
    .orderBy(desc(leadChanges.seq))
    .all()
}

/** How many events a site has stored. */
export async function countEvents(db: Db, siteId: string): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(events).where(eq(events.siteId, siteId)).get()
  return row?.n ?? 0
}

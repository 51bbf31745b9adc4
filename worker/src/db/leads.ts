// Lead read queries for the admin API.
import { and, asc, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm'
import { INTERNAL_EVENTS } from '../../../contract/names'
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
  /** true: leads with an email or user id; false: anonymous leads. */
  known?: boolean
}

export type LeadSort = 'score' | 'lastSeen'
export type LeadOrder = 'asc' | 'desc'

/** Where the previous page stopped: the sort value and the id of its last lead (the tie-breaker). */
export type LeadCursor = { value: number; id: string }

export type LeadPageRequest = LeadFilter & { sort: LeadSort; order: LeadOrder; limit: number; cursor?: LeadCursor }

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

function filterClauses(siteId: string, filter: LeadFilter): SQL[] {
  const where: SQL[] = [eq(leads.siteId, siteId)]
  if (filter.email) where.push(eq(leads.email, filter.email.trim().toLowerCase()))
  if (filter.stage) where.push(eq(leads.stage, filter.stage))
  if (filter.minScore !== undefined) where.push(gte(leads.score, filter.minScore))
  if (filter.maxScore !== undefined) where.push(lte(leads.score, filter.maxScore))
  if (filter.source) where.push(sql`lower(json_extract(${leads.firstTouch}, '$.source')) = ${filter.source.toLowerCase()}`)
  if (filter.known === true) where.push(sql`(${leads.email} is not null or ${leads.userId} is not null)`)
  if (filter.known === false) where.push(sql`(${leads.email} is null and ${leads.userId} is null)`)
  if (filter.anonymousId) {
    where.push(
      sql`${leads.id} in (select lead_id from visitors where site_id = ${siteId} and anonymous_id = ${filter.anonymousId})`,
    )
  }
  return where
}

/** How many leads match the filter (the list's total, whatever page is shown). */
export async function countLeads(db: Db, siteId: string, filter: LeadFilter): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(leads)
    .where(and(...filterClauses(siteId, filter)))
    .get()
  return row?.n ?? 0
}

/**
 * One page of leads, ordered by (sort value, id) so that the cursor is stable: leads with equal scores or
 * equal last-seen times are neither skipped nor repeated between pages.
 */
export async function listLeads(
  db: Db,
  siteId: string,
  request: LeadPageRequest,
): Promise<{ leads: LeadWithVisitors[]; next: LeadCursor | null }> {
  const column = request.sort === 'score' ? leads.score : leads.lastSeen
  const where = filterClauses(siteId, request)
  const { cursor } = request
  if (cursor) {
    where.push(
      request.order === 'desc'
        ? sql`(${column} < ${cursor.value} or (${column} = ${cursor.value} and ${leads.id} < ${cursor.id}))`
        : sql`(${column} > ${cursor.value} or (${column} = ${cursor.value} and ${leads.id} > ${cursor.id}))`,
    )
  }
  const direction = request.order === 'desc' ? desc : asc
  const rows = await db
    .select()
    .from(leads)
    .where(and(...where))
    .orderBy(direction(column), direction(leads.id))
    .limit(request.limit + 1)
  const page = rows.slice(0, request.limit)
  const last = page[page.length - 1]
  const next = rows.length > request.limit && last ? { value: request.sort === 'score' ? last.score : last.lastSeen, id: last.id } : null
  return { leads: await withVisitors(db, page), next }
}

export async function findLead(db: Db, siteId: string, leadId: string): Promise<LeadWithVisitors | undefined> {
  const row = await db.select().from(leads).where(and(eq(leads.siteId, siteId), eq(leads.id, leadId))).get()
  return row ? (await withVisitors(db, [row]))[0] : undefined
}

/** A lead's events, most recent first, across all her anonymous ids; Cairn's own events only when asked. */
export function leadEvents(
  db: Db,
  siteId: string,
  anonymousIds: string[],
  limit: number,
  internal = false,
): Promise<EventRow[]> {
  if (anonymousIds.length === 0) return Promise.resolve([])
  const where = [eq(events.siteId, siteId), sql`${events.anonymousId} in ${jsonList(anonymousIds)}`]
  if (!internal) where.push(sql`not (${events.type} = 'track' and ${events.name} in ${jsonList([...INTERNAL_EVENTS])})`)
  return db
    .select()
    .from(events)
    .where(and(...where))
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

/** The emails of these leads (null for anonymous ones): a flow's runs name their leads. */
export async function leadEmails(db: Db, siteId: string, leadIds: readonly string[]): Promise<Map<string, string | null>> {
  if (leadIds.length === 0) return new Map()
  const rows = await db
    .select({ id: leads.id, email: leads.email })
    .from(leads)
    .where(and(eq(leads.siteId, siteId), sql`${leads.id} in ${jsonList([...new Set(leadIds)])}`))
    .all()
  return new Map(rows.map((r) => [r.id, r.email]))
}

/** The lead's stored IANA time zone (null when no SDK event reported a valid one). */
export async function leadTimeZone(db: Db, leadId: string): Promise<string | null> {
  const row = await db.select({ timeZone: leads.timeZone }).from(leads).where(eq(leads.id, leadId)).get()
  return row?.timeZone ?? null
}

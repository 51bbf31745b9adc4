// Re-scoring: replays leads' histories against the site's rules (after a rule change, a merge or for a
// preview). Pages of leads keep each request inside Worker limits; large sites go through the JOBS queue.
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import { scoringConfigOf, type ScoringConfig } from '../domain/lifecycle'
import type { Lead } from '../domain/leads'
import { compileRules, type CompiledRules, type ScorableEvent, type ScoreRule } from '../domain/rules'
import { rescoreLeadHistory, type ScoredLead } from '../domain/scoring'
import { jsonList } from './binding'
import type { Db } from './client'
import { clearLedger, scoringStatements, toLead } from './lead-rows'
import { listRules, toScoreRule } from './rules'
import { events, leads, visitors, type SiteRow } from './schema'

/** Leads replayed per D1 transaction. */
export const RESCORE_PAGE = 50

type History = { lead: Lead; events: ScorableEvent[] }

/** Leads with every event of every anonymous id they own, oldest first. */
export async function loadHistories(db: Db, siteId: string, leadIds: readonly string[]): Promise<History[]> {
  if (leadIds.length === 0) return []
  const ids = jsonList(leadIds)
  const [leadRows, links, eventRows] = await db.batch([
    db.select().from(leads).where(and(eq(leads.siteId, siteId), sql`${leads.id} in ${ids}`)),
    db
      .select({ anonymousId: visitors.anonymousId, leadId: visitors.leadId })
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), sql`${visitors.leadId} in ${ids}`)),
    db
      .select({
        anonymousId: events.anonymousId,
        eventId: events.eventId,
        type: events.type,
        name: events.name,
        ts: events.ts,
        data: events.data,
        context: events.context,
      })
      .from(events)
      .where(
        and(
          eq(events.siteId, siteId),
          sql`${events.anonymousId} in (select anonymous_id from visitors where site_id = ${siteId} and lead_id in ${ids})`,
        ),
      )
      .orderBy(asc(events.ts)),
  ])
  const leadOf = new Map(links.map((link) => [link.anonymousId, link.leadId]))
  const byLead = new Map<string, ScorableEvent[]>()
  for (const { anonymousId, ...event } of eventRows) {
    const leadId = leadOf.get(anonymousId)
    if (leadId) byLead.set(leadId, [...(byLead.get(leadId) ?? []), { ...event, data: event.data ?? null, context: event.context ?? null }])
  }
  return leadRows.map((row) => ({ lead: toLead(row), events: byLead.get(row.id) ?? [] }))
}

export function replay(histories: readonly History[], rules: CompiledRules, config: ScoringConfig, now: number): ScoredLead[] {
  return histories.map(({ lead, events }) => rescoreLeadHistory(lead, events, rules, config, now))
}

/** Replays these leads and writes ledgers, scores and stages (only the scoring columns of the lead). */
export async function rescoreLeads(db: Db, site: SiteRow, leadIds: readonly string[], now: number): Promise<{ changed: number }> {
  const rules = compileRules((await listRules(db, site.id)).map(toScoreRule))
  const config = scoringConfigOf(site.scoring)
  let changed = 0
  for (let i = 0; i < leadIds.length; i += RESCORE_PAGE) {
    const scored = replay(await loadHistories(db, site.id, leadIds.slice(i, i + RESCORE_PAGE)), rules, config, now)
    if (scored.length === 0) continue
    changed += scored.filter((s) => s.stageChange).length
    const statements = scored.flatMap((s) => [
      clearLedger(db, site.id, s.lead.id),
      db
        .update(leads)
        .set({
          score: s.lead.score,
          fitScore: s.lead.fitScore,
          engagementScore: s.lead.engagementScore,
          stage: s.lead.stage,
          stageChangedAt: s.lead.stageChangedAt,
          purchases: s.lead.purchases,
          revenue: s.lead.revenue,
          lastPurchaseAt: s.lead.lastPurchaseAt,
          salesEventAt: s.lead.salesEventAt,
          referralEventAt: s.lead.referralEventAt,
          rfm: s.lead.rfm,
        })
        .where(eq(leads.id, s.lead.id)),
      ...scoringStatements(db, site.id, s, now),
    ])
    await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]])
  }
  return { changed }
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

export type Preview = {
  leadsConsidered: number
  sampled: boolean
  before: Record<string, number>
  after: Record<string, number>
  changed: number
  leads: Array<{ id: string; email: string | null; scoreBefore: number; scoreAfter: number; stageBefore: string; stageAfter: string }>
}

/** Most recently seen leads a preview considers: the whole site when small, a recent sample when large. */
export const PREVIEW_LEADS = 500

/** The impact of a draft rule set on existing leads. Reads only: nothing is written. */
export async function previewRules(db: Db, site: SiteRow, draft: readonly ScoreRule[], stages: readonly string[], now: number): Promise<Preview> {
  const recent = await db
    .select({ id: leads.id })
    .from(leads)
    .where(eq(leads.siteId, site.id))
    .orderBy(sql`${leads.lastSeen} desc`)
    .limit(PREVIEW_LEADS + 1)
  const ids = recent.slice(0, PREVIEW_LEADS).map((r) => r.id)
  const rules = compileRules(draft)
  const config = scoringConfigOf(site.scoring)
  const before = Object.fromEntries(stages.map((s) => [s, 0]))
  const after = Object.fromEntries(stages.map((s) => [s, 0]))
  const changes: Preview['leads'] = []
  for (let i = 0; i < ids.length; i += RESCORE_PAGE) {
    for (const { lead, events: history } of await loadHistories(db, site.id, ids.slice(i, i + RESCORE_PAGE))) {
      const next = rescoreLeadHistory(lead, history, rules, config, now).lead
      before[lead.stage] = (before[lead.stage] ?? 0) + 1
      after[next.stage] = (after[next.stage] ?? 0) + 1
      if (next.score !== lead.score || next.stage !== lead.stage) {
        changes.push({ id: lead.id, email: lead.email, scoreBefore: lead.score, scoreAfter: next.score, stageBefore: lead.stage, stageAfter: next.stage })
      }
    }
  }
  changes.sort((a, b) => Math.abs(b.scoreAfter - b.scoreBefore) - Math.abs(a.scoreAfter - a.scoreBefore))
  return {
    leadsConsidered: ids.length,
    sampled: recent.length > PREVIEW_LEADS,
    before,
    after,
    changed: changes.length,
    leads: changes.slice(0, 50),
  }
}

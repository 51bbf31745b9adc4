// Time-driven scoring work for the cron trigger: lapsing points and re-staging inactive customers.
import { and, asc, eq, gt, gte, lte, sql } from 'drizzle-orm'
import { rfmOf, scoringConfigOf, stageOf } from '../domain/lifecycle'
import type { Db } from './client'
import { rescoreLeads } from './rescore'
import { leadChanges, leads, scoreEntries, type SiteRow } from './schema'

/** Leads whose points lapsed since the last run, per site (bounded per run; the next run continues). */
export async function leadsWithLapsedPoints(db: Db, now: number, limit: number): Promise<Map<string, string[]>> {
  const rows = await db
    .selectDistinct({ siteId: scoreEntries.siteId, leadId: scoreEntries.leadId })
    .from(scoreEntries)
    .where(and(sql`${scoreEntries.expiresAt} is not null`, eq(scoreEntries.lapsed, false), lte(scoreEntries.expiresAt, now)))
    .limit(limit)
  const bySite = new Map<string, string[]>()
  for (const row of rows) bySite.set(row.siteId, [...(bySite.get(row.siteId) ?? []), row.leadId])
  return bySite
}

/** Replays the leads whose points lapsed: their score drops and the entries are marked lapsed. */
export async function lapsePoints(db: Db, site: SiteRow, leadIds: string[], now: number) {
  return rescoreLeads(db, site, leadIds, now)
}

/**
 * Customers' stages and RFM move with time alone (at risk after N days without activity, recency bands):
 * recomputed from the stored facts, without replaying events. Pages through the site's customers.
 */
export async function restageCustomers(db: Db, site: SiteRow, now: number, pageSize = 200): Promise<{ changed: number }> {
  const config = scoringConfigOf(site.scoring)
  let after = ''
  let changed = 0
  for (;;) {
    const page = await db
      .select()
      .from(leads)
      .where(and(eq(leads.siteId, site.id), gte(leads.purchases, 1), gt(leads.id, after)))
      .orderBy(asc(leads.id))
      .limit(pageSize)
    if (page.length === 0) break
    after = page[page.length - 1]!.id
    const statements = page.flatMap((lead) => {
      const facts = { ...lead, identified: lead.email !== null || lead.userId !== null }
      const stage = stageOf(facts, config, now)
      const rfm = rfmOf(facts, now)
      if (stage === lead.stage && JSON.stringify(rfm) === JSON.stringify(lead.rfm ?? null)) return []
      const update = db
        .update(leads)
        .set({ stage, rfm, ...(stage !== lead.stage ? { stageChangedAt: now } : {}) })
        .where(eq(leads.id, lead.id))
      if (stage === lead.stage) return [update]
      changed += 1
      return [update, db.insert(leadChanges).values({ siteId: site.id, leadId: lead.id, kind: 'stage', from: lead.stage, to: stage, at: now })]
    })
    if (statements.length > 0) await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]])
    if (page.length < pageSize) break
  }
  return { changed }
}

// Queries of the time-driven scoring work: leads whose points lapsed, customers to re-stage.
import { and, asc, eq, gt, gte, lte, sql } from 'drizzle-orm'
import type { Rfm } from '../domain/lifecycle'
import type { Db } from './client'
import { nextVersion } from './lead-rows'
import { leadChanges, leads, scoreEntries, type LeadRow } from './schema'

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

/** One page of a site's customers (at least one purchase) in id order, after `after`. */
export function customerPage(db: Db, siteId: string, after: string, size: number): Promise<LeadRow[]> {
  return db
    .select()
    .from(leads)
    .where(and(eq(leads.siteId, siteId), gte(leads.purchases, 1), gt(leads.id, after)))
    .orderBy(asc(leads.id))
    .limit(size)
}

/** A lead's new stage and RFM, with the stage change recorded when the stage moved. */
export function restageStatements(db: Db, lead: LeadRow, next: { stage: string; rfm: Rfm | null }, now: number) {
  const moved = next.stage !== lead.stage
  const update = db
    .update(leads)
    .set({ stage: next.stage, rfm: next.rfm, version: nextVersion, ...(moved ? { stageChangedAt: now } : {}) })
    .where(eq(leads.id, lead.id))
  if (!moved) return [update]
  return [update, db.insert(leadChanges).values({ siteId: lead.siteId, leadId: lead.id, kind: 'stage', from: lead.stage, to: next.stage, at: now })]
}

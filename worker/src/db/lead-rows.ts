// Mapping between lead rows and the domain's Lead, and the statements that persist a scored lead.
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Lead } from '../domain/leads'
import { FLOW_RULE_PREFIX, type LedgerEntry, type ScoredLead } from '../domain/scoring'
import { chunk, rowsPerInsert } from './binding'
import type { Db } from './client'
import { guard } from './guards'
import { leadChanges, leads, scoreEntries, type LeadRow, type ScoreEntryRow } from './schema'

export function toLead(row: LeadRow): Lead {
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
    stage: row.stage,
    stageChangedAt: row.stageChangedAt,
    stageFloor: row.stageFloor,
    score: row.score,
    fitScore: row.fitScore,
    engagementScore: row.engagementScore,
    rfm: row.rfm ?? null,
    timeZone: row.timeZone ?? null,
    verified: row.verified,
    purchases: row.purchases,
    revenue: row.revenue,
    lastPurchaseAt: row.lastPurchaseAt,
    salesEventAt: row.salesEventAt,
    referralEventAt: row.referralEventAt,
  }
}

export const toLedgerEntry = (row: ScoreEntryRow): LedgerEntry => ({
  ruleId: row.ruleId,
  key: row.key,
  kind: row.kind,
  points: row.points,
  at: row.at,
  eventId: row.eventId,
  expiresAt: row.expiresAt,
})

/** The next version of a lead row: every write of a lead or its ledger sets it (see db/ingest `unchangedSince`). */
export const nextVersion = sql`${leads.version} + 1`

/**
 * A guard (db/guards) that fails its batch unless every lead still has the version read: a replay computed
 * from older state must not overwrite a newer write.
 */
export function leadsUnchanged(db: Db, versions: ReadonlyMap<string, number>) {
  const expected = JSON.stringify(Object.fromEntries(versions))
  return guard(db, sql`(select count(*) from ${leads} l join json_each(${expected}) j on l.id = j.key where l.version = j.value) = ${versions.size}`, 'lead state changed')
}

/** Insert-or-update of the whole lead row. */
export function upsertLead(db: Db, siteId: string, lead: Lead) {
  const { id, ...rest } = lead
  const values = { ...rest, revenue: lead.revenue }
  return db
    .insert(leads)
    .values({ id, siteId, ...values })
    .onConflictDoUpdate({ target: leads.id, set: { ...values, version: nextVersion } })
}


/**
 * The ledger inserts and removals and the stage change record of a scored lead (not the lead row).
 * Entries already past their expiry at `at` are written as lapsed, so the cron never revisits them.
 */
export function scoringStatements(db: Db, siteId: string, scored: ScoredLead, at: number) {
  const leadId = scored.lead.id
  const inserts = chunk(scored.add, rowsPerInsert(scoreEntries)).map((part) =>
    db
      .insert(scoreEntries)
      .values(part.map((entry) => ({ siteId, leadId, ...entry, lapsed: entry.expiresAt !== null && entry.expiresAt <= at })))
      .onConflictDoNothing(),
  )
  const removals = scored.removeFit.length
    ? [
        db
          .delete(scoreEntries)
          .where(and(eq(scoreEntries.siteId, siteId), eq(scoreEntries.leadId, leadId), eq(scoreEntries.kind, 'fit'), inArray(scoreEntries.ruleId, scored.removeFit))),
      ]
    : []
  const change = scored.stageChange
    ? [db.insert(leadChanges).values({ siteId, leadId, kind: 'stage', from: scored.stageChange.from, to: scored.stageChange.to, at })]
    : []
  return [...removals, ...inserts, ...change]
}

/** Writes only the scoring columns of a replayed lead (its identity and activity are not replayed). */
export const saveScoring = (db: Db, lead: Lead) =>
  db
    .update(leads)
    .set({
      score: lead.score,
      fitScore: lead.fitScore,
      engagementScore: lead.engagementScore,
      stage: lead.stage,
      stageChangedAt: lead.stageChangedAt,
      purchases: lead.purchases,
      revenue: lead.revenue,
      lastPurchaseAt: lead.lastPurchaseAt,
      salesEventAt: lead.salesEventAt,
      referralEventAt: lead.referralEventAt,
      rfm: lead.rfm,
      version: nextVersion,
    })
    .where(eq(leads.id, lead.id))

/** Drops a lead's whole ledger (when the lead is merged away). */
export const clearLedger = (db: Db, siteId: string, leadId: string) =>
  db.delete(scoreEntries).where(and(eq(scoreEntries.siteId, siteId), eq(scoreEntries.leadId, leadId)))

/** Drops the entries a replay recomputes: flows' points are no rule's to recompute, so they stay. */
export const clearRuleLedger = (db: Db, siteId: string, leadId: string) =>
  db
    .delete(scoreEntries)
    .where(and(eq(scoreEntries.siteId, siteId), eq(scoreEntries.leadId, leadId), sql`${scoreEntries.ruleId} not like ${FLOW_RULE_PREFIX + '%'}`))

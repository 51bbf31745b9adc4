// Score rule queries.
import { and, eq, sql } from 'drizzle-orm'
import type { RuleInput, ScoreRule } from '../domain/rules'
import type { Db } from './client'
import { scoreRules, sites, type ScoreRuleRow } from './schema'

export const toScoreRule = (row: ScoreRuleRow): ScoreRule => ({
  id: row.id,
  name: row.name,
  points: row.points,
  limit: row.limit,
  expiresDays: row.expiresDays,
  enabled: row.enabled,
  match: row.match,
})

export function listRules(db: Db, siteId: string): Promise<ScoreRuleRow[]> {
  return db.select().from(scoreRules).where(eq(scoreRules.siteId, siteId)).orderBy(scoreRules.createdAt, scoreRules.id).all()
}

export function findRule(db: Db, siteId: string, ruleId: string): Promise<ScoreRuleRow | undefined> {
  return db.select().from(scoreRules).where(and(eq(scoreRules.siteId, siteId), eq(scoreRules.id, ruleId))).get()
}

const bumpVersion = (db: Db, siteId: string) =>
  db.update(sites).set({ rulesVersion: sql`${sites.rulesVersion} + 1` }).where(eq(sites.id, siteId))

const values = (input: RuleInput) => ({
  name: input.name,
  points: input.points,
  limit: input.limit ?? null,
  expiresDays: input.expiresDays ?? null,
  enabled: input.enabled ?? true,
  match: input.match,
})

/** Creates a rule and bumps the site's rules version in one transaction. */
export async function insertRule(db: Db, siteId: string, id: string, input: RuleInput): Promise<ScoreRuleRow> {
  const [rows] = await db.batch([db.insert(scoreRules).values({ id, siteId, ...values(input) }).returning(), bumpVersion(db, siteId)])
  return rows[0]!
}

export async function replaceRule(db: Db, siteId: string, ruleId: string, input: RuleInput): Promise<ScoreRuleRow | undefined> {
  const [rows] = await db.batch([
    db
      .update(scoreRules)
      .set({ ...values(input), updatedAt: Date.now() })
      .where(and(eq(scoreRules.siteId, siteId), eq(scoreRules.id, ruleId)))
      .returning(),
    bumpVersion(db, siteId),
  ])
  return rows[0]
}

export async function deleteRule(db: Db, siteId: string, ruleId: string): Promise<boolean> {
  const [rows] = await db.batch([
    db.delete(scoreRules).where(and(eq(scoreRules.siteId, siteId), eq(scoreRules.id, ruleId))).returning({ id: scoreRules.id }),
    bumpVersion(db, siteId),
  ])
  return rows.length > 0
}


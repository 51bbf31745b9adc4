// Admin use cases on scoring: rule writes and scoring-configuration changes, each followed by the re-score
// that makes every lead's score and stage agree with the new rules (inline when small, else queued).
import type { Db } from '../../db/client'
import { randomId } from '../../db/ids'
import { deleteRule, insertRule, replaceRule } from '../../db/rules'
import type { ScoreRuleRow, SiteRow } from '../../db/schema'
import { saveScoringConfig } from '../../db/scoring-config'
import { findSite } from '../../db/sites'
import { ScoringConfig, scoringConfigOf, type ScoringConfigInput } from '../../domain/lifecycle'
import type { RuleInput } from '../../domain/rules'
import { invalidRequest } from '../../http/errors'
import type { JobQueue } from '../../queue/jobs'
import { rescoreSite, type RescoreSummary } from '../rescore'

/** Re-scores after a change: the site row is read again so the job carries the new rules version. */
async function rescoreAfterChange(db: Db, jobs: JobQueue, siteId: string, now: number): Promise<RescoreSummary> {
  return rescoreSite(db, jobs, (await findSite(db, siteId))!, now)
}

export async function createRule(db: Db, jobs: JobQueue, site: SiteRow, input: RuleInput, now: number) {
  const rule = await insertRule(db, site.id, randomId('rule_'), input)
  return { rule, rescore: await rescoreAfterChange(db, jobs, site.id, now) }
}

/** The replaced rule and its re-score, or undefined when the site has no such rule. */
export async function changeRule(db: Db, jobs: JobQueue, siteId: string, ruleId: string, input: RuleInput, now: number): Promise<{ rule: ScoreRuleRow; rescore: RescoreSummary } | undefined> {
  const rule = await replaceRule(db, siteId, ruleId, input)
  if (!rule) return undefined
  return { rule, rescore: await rescoreAfterChange(db, jobs, siteId, now) }
}

/** False when the site has no such rule. */
export async function removeRule(db: Db, jobs: JobQueue, siteId: string, ruleId: string, now: number): Promise<boolean> {
  if (!(await deleteRule(db, siteId, ruleId))) return false
  await rescoreAfterChange(db, jobs, siteId, now)
  return true
}

/**
 * Merges a partial scoring configuration into the site's (thresholds key by key), saves it and re-scores:
 * thresholds and presets move stages, and re-deriving them is the same replay as a rule change.
 */
export async function changeScoring(db: Db, jobs: JobQueue, site: SiteRow, input: ScoringConfigInput, now: number) {
  const current = scoringConfigOf(site.scoring)
  const { stages: _readOnly, thresholds, ...rest } = input
  const merged = ScoringConfig.safeParse({ ...current, ...rest, thresholds: { ...current.thresholds, ...thresholds } })
  if (!merged.success) throw invalidRequest(merged.error)
  const saved = (await saveScoringConfig(db, site.id, merged.data))!
  return { site: saved, rescore: await rescoreSite(db, jobs, saved, now) }
}

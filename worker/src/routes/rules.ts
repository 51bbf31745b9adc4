// Admin: score rules, their preview, and the scoring configuration. Saving re-scores the site's leads.
import { Hono } from 'hono'
import { z } from 'zod'
import { scoringConfigOf, ScoringConfig, ScoringConfigInput, stagesOf } from '../domain/lifecycle'
import { ruleKind, RuleInput, type ScoreRule } from '../domain/rules'
import { openDb, type Db } from '../db/client'
import { randomId } from '../db/ids'
import { deleteRule, findRule, insertRule, listRules, replaceRule, toScoreRule } from '../db/rules'
import type { ScoreRuleRow } from '../db/schema'
import { saveScoringConfig } from '../db/scoring-config'
import { ApiError, invalidRequest } from '../http/errors'
import { validate } from '../http/validate'
import { previewRules, rescoreSite } from '../services/rescore'
import { siteNotFound, siteOr404 } from './sites'

export const ruleView = (row: ScoreRuleRow) => ({
  ...toScoreRule(row),
  kind: ruleKind(row.match),
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
})

const ruleNotFound = () => new ApiError(404, 'rule_not_found', 'No rule with this id on this site.')


/** Re-scores after a change: the site row is read again so the job carries the new rules version. */
async function rescoreAfterChange(db: Db, env: Env, siteId: string) {
  return rescoreSite(db, env.JOBS, await siteOr404(db, siteId), Date.now())
}

const PreviewBody = z.object({ rules: z.array(RuleInput).max(500) }).strict()

const configView = (config: ScoringConfig) => ({ ...config, stages: stagesOf(config.preset) })

export const rulesApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/rules', async (c) => {
    const db = openDb(c.env.DB)
    await siteOr404(db, c.req.param('siteId'))
    return c.json({ rules: (await listRules(db, c.req.param('siteId'))).map(ruleView) })
  })
  .post('/:siteId/rules/preview', validate('json', PreviewBody), async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const draft: ScoreRule[] = c.req.valid('json').rules.map((rule, i) => ({
      id: `draft_${i}`,
      name: rule.name,
      points: rule.points,
      limit: rule.limit ?? null,
      expiresDays: rule.expiresDays ?? null,
      enabled: rule.enabled ?? true,
      match: rule.match,
    }))
    const stages = stagesOf(scoringConfigOf(site.scoring).preset)
    return c.json(await previewRules(db, site, draft, stages, Date.now()))
  })
  .post('/:siteId/rules', validate('json', RuleInput), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    await siteOr404(db, siteId)
    const rule = await insertRule(db, siteId, randomId('rule_'), c.req.valid('json'))
    const rescore = await rescoreAfterChange(db, c.env, siteId)
    return c.json({ ...ruleView(rule), rescore }, 201)
  })
  .get('/:siteId/rules/:ruleId', async (c) => {
    const rule = await findRule(openDb(c.env.DB), c.req.param('siteId'), c.req.param('ruleId'))
    if (!rule) throw ruleNotFound()
    return c.json(ruleView(rule))
  })
  .put('/:siteId/rules/:ruleId', validate('json', RuleInput), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    const rule = await replaceRule(db, siteId, c.req.param('ruleId'), c.req.valid('json'))
    if (!rule) throw ruleNotFound()
    const rescore = await rescoreAfterChange(db, c.env, siteId)
    return c.json({ ...ruleView(rule), rescore })
  })
  .delete('/:siteId/rules/:ruleId', async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    if (!(await deleteRule(db, siteId, c.req.param('ruleId')))) throw ruleNotFound()
    await rescoreAfterChange(db, c.env, siteId)
    return c.body(null, 204)
  })
  .get('/:siteId/scoring', async (c) => {
    const site = await siteOr404(openDb(c.env.DB), c.req.param('siteId'))
    return c.json(configView(scoringConfigOf(site.scoring)))
  })
  .put('/:siteId/scoring', validate('json', ScoringConfigInput), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    const current = scoringConfigOf((await siteOr404(db, siteId)).scoring)
    const { stages: _readOnly, thresholds, ...input } = c.req.valid('json')
    const merged = ScoringConfig.safeParse({ ...current, ...input, thresholds: { ...current.thresholds, ...thresholds } })
    if (!merged.success) throw invalidRequest(merged.error)
    const site = await saveScoringConfig(db, siteId, merged.data)
    if (!site) throw siteNotFound()
    // Thresholds and presets move stages; the ledger is unchanged but re-deriving is the same replay.
    const rescore = await rescoreSite(db, c.env.JOBS, site, Date.now())
    return c.json({ ...configView(scoringConfigOf(site.scoring)), restaged: rescore.changed ?? null, rescore })
  })

// Admin: score rules, their preview, and the scoring configuration. Saving re-scores the site's leads.
import { Hono } from 'hono'
import { z } from 'zod'
import { scoringConfigOf, ScoringConfigInput, stagesOf, type ScoringConfig } from '../domain/lifecycle'
import { ruleKind, RuleInput, type ScoreRule } from '../domain/rules'
import { openDb } from '../db/client'
import { findRule, listRules, toScoreRule } from '../db/rules'
import type { ScoreRuleRow } from '../db/schema'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { changeRule, changeScoring, createRule, removeRule } from '../services/admin/rules'
import { previewRules } from '../services/rescore'
import { siteOr404 } from './sites'

export const ruleView = (row: ScoreRuleRow) => ({
  ...toScoreRule(row),
  kind: ruleKind(row.match),
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
})

const ruleNotFound = () => new ApiError(404, 'rule_not_found', 'No rule with this id on this site.')

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
    const site = await siteOr404(db, c.req.param('siteId'))
    const { rule, rescore } = await createRule(db, c.env.JOBS, site, c.req.valid('json'), Date.now())
    return c.json({ ...ruleView(rule), rescore }, 201)
  })
  .get('/:siteId/rules/:ruleId', async (c) => {
    const rule = await findRule(openDb(c.env.DB), c.req.param('siteId'), c.req.param('ruleId'))
    if (!rule) throw ruleNotFound()
    return c.json(ruleView(rule))
  })
  .put('/:siteId/rules/:ruleId', validate('json', RuleInput), async (c) => {
    const changed = await changeRule(openDb(c.env.DB), c.env.JOBS, c.req.param('siteId'), c.req.param('ruleId'), c.req.valid('json'), Date.now())
    if (!changed) throw ruleNotFound()
    return c.json({ ...ruleView(changed.rule), rescore: changed.rescore })
  })
  .delete('/:siteId/rules/:ruleId', async (c) => {
    if (!(await removeRule(openDb(c.env.DB), c.env.JOBS, c.req.param('siteId'), c.req.param('ruleId'), Date.now()))) throw ruleNotFound()
    return c.body(null, 204)
  })
  .get('/:siteId/scoring', async (c) => {
    const site = await siteOr404(openDb(c.env.DB), c.req.param('siteId'))
    return c.json(configView(scoringConfigOf(site.scoring)))
  })
  .put('/:siteId/scoring', validate('json', ScoringConfigInput), async (c) => {
    const db = openDb(c.env.DB)
    const { site, rescore } = await changeScoring(db, c.env.JOBS, await siteOr404(db, c.req.param('siteId')), c.req.valid('json'), Date.now())
    return c.json({ ...configView(scoringConfigOf(site.scoring)), restaged: rescore.changed ?? null, rescore })
  })

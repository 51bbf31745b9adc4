// Score rules: what a marketer says an action or a trait is worth, and whether an event or a lead matches.
import { z } from 'zod'
import { CONDITION_OPS, conditionHolds, type MatchDocument } from '../../../contract/conditions'
import { compileGlob, type GlobTest } from '../../../contract/glob'

export { conditionHolds, readField, type MatchDocument } from '../../../contract/conditions'

export const ConditionOp = z.enum(CONDITION_OPS)
export type ConditionOp = z.infer<typeof ConditionOp>

const FieldPath = z
  .string()
  .trim()
  .regex(/^(properties|traits|context)(\.[A-Za-z0-9_$-]+)+$/, 'a dotted path starting with properties., traits. or context.')

export const Condition = z
  .object({
    field: FieldPath,
    op: ConditionOp,
    value: z.union([z.string().max(500), z.number(), z.boolean()]).optional(),
  })
  .strict()
  .refine((c) => c.op === 'exists' || c.value !== undefined, { message: 'value is required unless op is exists', path: ['value'] })
export type Condition = z.infer<typeof Condition>

const Where = z.array(Condition).max(20).optional()
const Glob = z.string().trim().min(1).max(500)

export const RuleMatch = z.discriminatedUnion('type', [
  z.object({ type: z.literal('page'), path: Glob.optional(), where: Where }).strict(),
  z.object({ type: z.literal('track'), event: Glob, where: Where }).strict(),
  z.object({ type: z.literal('identify'), where: Where }).strict(),
])
export type RuleMatch = z.infer<typeof RuleMatch>

export const RuleInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    points: z.number().int().min(-1000).max(1000),
    limit: z.number().int().min(1).max(100_000).nullable().optional(),
    expiresDays: z.number().int().min(1).max(3650).nullable().optional(),
    enabled: z.boolean().optional(),
    match: RuleMatch,
  })
  .strict()
export type RuleInput = z.infer<typeof RuleInput>

/** A rule as scoring uses it. Identify rules are fit rules; page and track rules are engagement rules. */
export type ScoreRule = {
  id: string
  name: string
  points: number
  limit: number | null
  expiresDays: number | null
  enabled: boolean
  match: RuleMatch
}

export type RuleKind = 'fit' | 'engagement'
export const ruleKind = (match: RuleMatch): RuleKind => (match.type === 'identify' ? 'fit' : 'engagement')

export const allConditionsHold = (where: readonly Condition[] | undefined, doc: MatchDocument) =>
  (where ?? []).every((condition) => conditionHolds(condition, doc))

/** The event shape scoring needs (a stored or a freshly normalized event). */
export type ScorableEvent = {
  eventId: string
  type: 'page' | 'track' | 'identify'
  name: string | null
  ts: number
  data: Record<string, unknown> | null
  context: Record<string, unknown> | null
}

/** Rules prepared once per request: globs compiled, split by kind, disabled rules dropped. */
export type CompiledRules = {
  engagement: Array<{ rule: ScoreRule; pattern: GlobTest | null }>
  fit: ScoreRule[]
}

export function compileRules(rules: readonly ScoreRule[]): CompiledRules {
  const enabled = rules.filter((rule) => rule.enabled)
  return {
    engagement: enabled.flatMap((rule) => {
      const { match } = rule
      if (match.type === 'identify') return []
      const glob = match.type === 'track' ? match.event : match.path
      return [{ rule, pattern: glob ? compileGlob(glob) : null }]
    }),
    fit: enabled.filter((rule) => rule.match.type === 'identify'),
  }
}

/** The engagement rules that count this event. Fit rules never match events: they read lead traits. */
export function rulesMatchingEvent(rules: CompiledRules, event: ScorableEvent): ScoreRule[] {
  const matched: ScoreRule[] = []
  for (const { rule, pattern } of rules.engagement) {
    if (rule.match.type !== event.type) continue
    if (pattern && !pattern(event.name ?? '')) continue
    if (!allConditionsHold(rule.match.where, { properties: event.data, context: event.context })) continue
    matched.push(rule)
  }
  return matched
}

/** Whether a fit rule holds for the lead's current traits. */
export function fitRuleHolds(rule: ScoreRule, traits: Record<string, unknown>, identified: boolean): boolean {
  return rule.match.type === 'identify' && identified && allConditionsHold(rule.match.where, { traits })
}

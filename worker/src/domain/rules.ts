// Score rules: what a marketer says an action or a trait is worth, and whether an event or a lead matches.
import { z } from 'zod'

export const ConditionOp = z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'])
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

/** What a rule's conditions read: the event's properties, the lead's traits, the event context. */
export type MatchDocument = {
  properties?: Record<string, unknown> | null
  traits?: Record<string, unknown> | null
  context?: Record<string, unknown> | null
}

/** `*` matches any characters (including `/`); everything else is literal; case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`, 'i')
}

export function readField(doc: MatchDocument, path: string): unknown {
  const [root, ...rest] = path.split('.')
  let value: unknown = doc[root as keyof MatchDocument]
  for (const key of rest) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

const asNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  return undefined
}

/** Compares loosely where marketers expect it: "5000" equals 5000, text comparisons ignore case. */
export function conditionHolds(condition: Condition, doc: MatchDocument): boolean {
  const actual = readField(doc, condition.field)
  const expected = condition.value
  switch (condition.op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== ''
    case 'eq':
    case 'neq': {
      const a = asNumber(actual)
      const b = asNumber(expected)
      const same =
        a !== undefined && b !== undefined ? a === b : String(actual ?? '').toLowerCase() === String(expected ?? '').toLowerCase()
      return condition.op === 'eq' ? actual !== undefined && same : !same
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = asNumber(actual)
      const b = asNumber(expected)
      if (a === undefined || b === undefined) return false
      return condition.op === 'gt' ? a > b : condition.op === 'gte' ? a >= b : condition.op === 'lt' ? a < b : a <= b
    }
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => String(item).toLowerCase() === String(expected).toLowerCase())
      return typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase())
  }
}

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
  engagement: Array<{ rule: ScoreRule; pattern: RegExp | null }>
  fit: ScoreRule[]
}

export function compileRules(rules: readonly ScoreRule[]): CompiledRules {
  const enabled = rules.filter((rule) => rule.enabled)
  return {
    engagement: enabled.flatMap((rule) => {
      const { match } = rule
      if (match.type === 'identify') return []
      const glob = match.type === 'track' ? match.event : match.path
      return [{ rule, pattern: glob ? globToRegExp(glob) : null }]
    }),
    fit: enabled.filter((rule) => rule.match.type === 'identify'),
  }
}

/** The engagement rules that count this event. Fit rules never match events: they read lead traits. */
export function rulesMatchingEvent(rules: CompiledRules, event: ScorableEvent): ScoreRule[] {
  const matched: ScoreRule[] = []
  for (const { rule, pattern } of rules.engagement) {
    if (rule.match.type !== event.type) continue
    if (pattern && !pattern.test(event.name ?? '')) continue
    if (!allConditionsHold(rule.match.where, { properties: event.data, context: event.context })) continue
    matched.push(rule)
  }
  return matched
}

/** Whether a fit rule holds for the lead's current traits. */
export function fitRuleHolds(rule: ScoreRule, traits: Record<string, unknown>, identified: boolean): boolean {
  return rule.match.type === 'identify' && identified && allConditionsHold(rule.match.where, { traits })
}

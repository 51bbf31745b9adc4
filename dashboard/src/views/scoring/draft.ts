// The rules draft: pure functions over the saved rules and the marketer's edits (no DOM, no fetch).
import type { ConditionOp, Rule, RuleDraft, RuleMatch } from '../../api/types'

export type DraftItem = { key: number; id: string | null; input: RuleDraft }
export type DraftStatus = '' | 'new' | 'edited'

export const OPS: readonly ConditionOp[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists']

let lastKey = 0
export const nextKey = () => ++lastKey

/** The RuleInput of a rule, keys in a fixed order so that drafts compare as JSON. */
export function toInput({ name, points, limit, expiresDays, enabled, match }: RuleDraft): RuleDraft {
  const fit = match.type === 'identify'
  const where = match.where?.length ? { where: match.where.map(({ field, op, value }) => (op === 'exists' ? { field, op } : { field, op, value })) } : {}
  const head: RuleMatch =
    match.type === 'page' ? { type: 'page', path: match.path } : match.type === 'track' ? { type: 'track', event: match.event } : { type: 'identify' }
  return {
    name,
    points,
    ...(!fit && limit != null ? { limit } : {}),
    ...(!fit && expiresDays != null ? { expiresDays } : {}),
    enabled: enabled !== false,
    match: { ...head, ...where } as RuleMatch,
  }
}

export const fromRule = (rule: Rule): DraftItem => ({ key: nextKey(), id: rule.id, input: toInput(rule) })
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export function draftStatus(item: DraftItem, rules: readonly Rule[]): DraftStatus {
  if (!item.id) return 'new'
  const saved = rules.find((rule) => rule.id === item.id)
  return saved && same(item.input, toInput(saved)) ? '' : 'edited'
}

/** [[n, 'new'], [n, 'edited'], [n, 'removed']] */
export function draftChanges(draft: readonly DraftItem[], rules: readonly Rule[]): Array<[number, string]> {
  const count = (status: DraftStatus) => draft.filter((item) => draftStatus(item, rules) === status).length
  const removed = rules.filter((rule) => !draft.some((item) => item.id === rule.id)).length
  return [
    [count('new'), 'new'],
    [count('edited'), 'edited'],
    [removed, 'removed'],
  ]
}

export const describeCounts = (counts: Array<[number, string]>) =>
  counts
    .filter(([n]) => n)
    .map(([n, word]) => `${n} ${word}`)
    .join(', ')

const quote = (v: unknown) => (typeof v === 'string' && /^[^\s"]+$/.test(v) && !/^(-?[\d.]+|true|false)$/.test(v) ? v : JSON.stringify(v))

/** "Page /pricing* · where properties.plan eq growth" */
export function matchSummary(match: RuleMatch): string {
  const head = match.type === 'page' ? `Page ${match.path || '*'}` : match.type === 'track' ? `Event ${match.event}` : 'Identify'
  const conds = (match.where ?? []).map((c) => (c.op === 'exists' ? `${c.field} exists` : `${c.field} ${c.op} ${quote(c.value)}`))
  return conds.length ? `${head} · where ${conds.join(' and ')}` : head
}

/** Numbers and booleans typed in a condition are sent as such (contains always takes text). */
export function conditionValue(op: string, text: string): string | number | boolean {
  const trimmed = text.trim()
  if (op === 'contains') return text
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  return trimmed === 'true' || trimmed === 'false' ? trimmed === 'true' : text
}

/** The editor's form values (text, as typed). */
export type RuleForm = {
  name: string
  type: RuleMatch['type']
  path: string
  event: string
  points: string
  limit: string
  expires: string
  where: Array<{ key: number; field: string; op: ConditionOp; value: string }>
}

export function formOf(input: RuleDraft | null): RuleForm {
  const { name, points, limit, expiresDays, match } = input ?? { name: '', points: 10, match: { type: 'page' as const } }
  const text = (v: unknown) => (v == null ? '' : String(v))
  return {
    name,
    type: match.type,
    path: match.type === 'page' ? text(match.path) : '',
    event: match.type === 'track' ? match.event : '',
    points: text(points),
    limit: text(limit),
    expires: text(expiresDays),
    where: (match.where ?? []).map((c) => ({ key: nextKey(), field: c.field, op: c.op, value: text(c.value) })),
  }
}

/** Reads the editor into a RuleInput, with errors by field key mirroring the API's checks. */
export function readRuleForm(form: RuleForm, enabled: boolean): { input: RuleDraft; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const check = (ok: unknown, key: string, message: string) => {
    if (!ok) errors[key] ??= message
  }
  const points = Number(form.points.trim())
  check(form.name.trim(), 'name', 'Enter a name.')
  check(form.points.trim() && Number.isInteger(points) && Math.abs(points) <= 1000, 'points', 'Points must be a whole number from −1000 to 1000.')
  const count = (text: string, key: string) => {
    const n = text.trim() === '' ? null : Number(text.trim())
    check(n === null || (Number.isInteger(n) && n >= 1), key, 'A whole number of at least 1, or empty.')
    return n
  }
  const fit = form.type === 'identify'
  const limit = fit ? null : count(form.limit, 'limit')
  const expiresDays = fit ? null : count(form.expires, 'expiresDays')
  check(form.type !== 'page' || form.path.trim(), 'match.path', 'Enter a path, e.g. /pricing* (or * for every page).')
  check(form.type !== 'track' || form.event.trim(), 'match.event', 'Enter the event name, e.g. Signed Up.')
  const where = form.where.map((c, i) => {
    check(/^(properties|traits|context)\.[^.\s]/.test(c.field.trim()), `match.where.${i}.field`, 'Use a field such as properties.plan, traits.budget or context.url.')
    check(c.op === 'exists' || c.value.trim(), `match.where.${i}.value`, 'Enter a value.')
    return { field: c.field.trim(), op: c.op, value: conditionValue(c.op, c.value) }
  })
  const match = { type: form.type, path: form.path.trim(), event: form.event.trim(), where } as RuleMatch
  return { input: toInput({ name: form.name.trim(), points, limit, expiresDays, enabled, match }), errors }
}

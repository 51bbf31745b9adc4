// Condition operators of score rules and how each compares: shared by scoring and the dashboard's editor.

export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const
export type ConditionOp = (typeof CONDITION_OPS)[number]

export type ConditionSpec = { field: string; op: ConditionOp; value?: string | number | boolean }

/** What a rule's conditions read: the event's properties, the lead's traits, the event context. */
export type MatchDocument = {
  properties?: Record<string, unknown> | null
  traits?: Record<string, unknown> | null
  context?: Record<string, unknown> | null
}

/** The value at a dotted path such as `properties.plan`, or undefined. */
export function readField(doc: MatchDocument, path: string): unknown {
  const [root, ...rest] = path.split('.')
  let value: unknown = Object.prototype.hasOwnProperty.call(doc, root!) ? doc[root as keyof MatchDocument] : undefined
  for (const key of rest) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined
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
export function conditionHolds(condition: ConditionSpec, doc: MatchDocument): boolean {
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

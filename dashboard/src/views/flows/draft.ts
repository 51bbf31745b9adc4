// The flow editor's draft: the flow JSON itself (what the API takes), edited immutably by path. Field keys
// are the API's issue paths ("steps.2.then.0.subject"), so a 400 lands next to the field it names.
import type { Flow, FlowDraft } from '../../api/types'

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
export type Obj = { [key: string]: Json }
/** A path into the draft: keys and list indexes. */
export type Path = ReadonlyArray<string | number>

export const STEP_TYPES = ['email', 'wait', 'in_app', 'webhook', 'branch', 'update'] as const
export type StepType = (typeof STEP_TYPES)[number]
export const STEP_NAMES: Record<StepType, string> = {
  email: 'Email',
  wait: 'Wait',
  in_app: 'In-app message',
  webhook: 'Webhook',
  branch: 'Branch (if / else)',
  update: 'Update lead',
}
export const TRIGGER_TYPES = ['event', 'form', 'score', 'stage', 'inactive'] as const
export const TRIGGER_NAMES: Record<(typeof TRIGGER_TYPES)[number], string> = {
  event: 'Event (page view, track, identify)',
  form: 'Form submitted with answers',
  score: 'Score crosses a threshold',
  stage: 'Lead enters a stage',
  inactive: 'Lead inactive for N days',
}

/** A new step of a type, filled so that it is valid except for the copy the marketer must write. */
export function newStep(type: StepType): Obj {
  switch (type) {
    case 'email':
      return { type, body: 'Hi {{lead.traits.firstName|there}},\n\n' }
    case 'wait':
      return { type, seconds: 86_400 }
    case 'in_app':
      return { type, kind: 'banner', title: '' }
    case 'webhook':
      return { type, url: '', format: 'slack', body: { text: '{{lead.email}} is hot' } }
    case 'branch':
      return { type, if: [{ field: 'lead.email', op: 'exists' }], then: [newStep('email')], else: [] }
    case 'update':
      return { type, tag: '' }
  }
}

export function newTrigger(type: (typeof TRIGGER_TYPES)[number]): Obj {
  switch (type) {
    case 'event':
      return { type, match: { type: 'page', path: '/pricing*' } }
    case 'form':
      return { type, where: [{ field: 'traits.budget', op: 'gte', value: 5000 }] }
    case 'score':
      return { type, gte: 50 }
    case 'stage':
      return { type, stage: 'mql' }
    case 'inactive':
      return { type, days: 30 }
  }
}

export const emptyDraft = (): Obj => ({
  name: '',
  enabled: false,
  trigger: newTrigger('event'),
  filter: [],
  reentry: { type: 'once' },
  steps: [newStep('email')],
})

/** A saved flow as an editable draft: the definition plus name and enabled, without the server's fields. */
export function draftOf(flow: Flow): Obj {
  const { id: _i, templateId: _t, version: _v, stepPaths: _p, createdAt: _c, updatedAt: _u, stats: _s, runs: _r, ...input } = flow as Flow & { runs?: unknown }
  return JSON.parse(JSON.stringify(input)) as Obj
}

export const bodyOf = (draft: Obj) => draft as unknown as FlowDraft

export function getIn(value: Json | undefined, path: Path): Json | undefined {
  let at: Json | undefined = value
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<string | number, Json>)[key]
  }
  return at
}

/** A copy with the value at `path` replaced; `undefined` removes an object key (optional fields left empty). */
export function setIn<T extends Json>(value: T, path: Path, next: Json | undefined): T {
  if (path.length === 0) return next as T
  const [key, ...rest] = path
  if (Array.isArray(value)) {
    const copy = value.slice()
    copy[key as number] = setIn(copy[key as number] ?? {}, rest, next) as Json
    return copy as T
  }
  const obj = (value && typeof value === 'object' ? value : {}) as Obj
  const child = setIn(obj[key as string] ?? (typeof rest[0] === 'number' ? [] : {}), rest, next)
  const { [key as string]: _old, ...others } = obj
  return (child === undefined ? others : { ...obj, [key as string]: child }) as T
}

/** A list with one item moved by `by` places (up: -1, down: +1), clamped to the list. */
export function move<T>(list: readonly T[], index: number, by: number): T[] {
  const to = Math.max(0, Math.min(list.length - 1, index + by))
  const copy = list.slice()
  const [item] = copy.splice(index, 1)
  copy.splice(to, 0, item!)
  return copy
}

export const keyOf = (path: Path) => path.join('.')

/** A short name for the step at an API step path ("1", "2.then.0"): its number and what it does. */
export function stepLabel(steps: readonly unknown[], path: string | null): string {
  if (!path) return '—'
  const parts = path.split('.')
  const words: string[] = []
  let list: readonly unknown[] = steps
  let step: Obj | undefined
  for (let i = 0; i < parts.length; i += 2) {
    step = list[Number(parts[i])] as Obj | undefined
    if (!step) return path
    words.push(String(Number(parts[i]) + 1))
    const arm = parts[i + 1]
    if (arm) {
      words.push(arm)
      list = (step[arm] as unknown[] | undefined) ?? []
    }
  }
  return `${words.join(' ')} · ${describeStep(step!)}`
}

export function describeStep(step: Obj): string {
  const text = (v: Json | undefined) => (typeof v === 'string' && v ? `“${v.length > 40 ? `${v.slice(0, 40)}…` : v}”` : '')
  switch (step.type) {
    case 'email':
      return `email ${text(step.subject) || text((step.subjects as Json[] | undefined)?.[0])}`.trim()
    case 'in_app':
      return `${step.kind === 'modal' ? 'modal' : 'banner'} ${text(step.title)}`.trim()
    case 'wait':
      return step.until ? `wait until ${String(step.until)}` : `wait ${durationText(Number(step.seconds ?? 0))}`
    case 'webhook':
      return `webhook ${step.format === 'signed' ? '(signed)' : '(Slack)'}`
    case 'branch':
      return 'branch'
    case 'update':
      return 'update lead'
    default:
      return String(step.type)
  }
}

export function durationText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`
  if (seconds % 3600 === 0) return `${seconds / 3600} h`
  if (seconds % 60 === 0) return `${seconds / 60} min`
  return `${seconds} s`
}

// The step machine: where an enrollment is (a step path such as "2" or "3.then.0"), what the step there
// asks for, and which path comes next. Branches are decided on the lead as she is when the step runs.
import type { BranchStep, FlowStep, LeadCondition } from './schema'
import { leadConditionsHold, type FlowLead } from './conditions'
import { chooseVariant } from './variants'

export type StepPath = string

type Frame = { steps: readonly FlowStep[]; index: number; prefix: string }

/** The frames from the top level down to the step at `path`, or null if the path no longer exists. */
function framesOf(steps: readonly FlowStep[], path: StepPath): Frame[] | null {
  const parts = path.split('.')
  const frames: Frame[] = []
  let list = steps
  let prefix = ''
  for (let i = 0; i < parts.length; i += 2) {
    const index = Number(parts[i])
    if (!Number.isInteger(index) || index < 0 || index >= list.length) return null
    frames.push({ steps: list, index, prefix })
    const arm = parts[i + 1]
    if (arm === undefined) return frames
    const step = list[index]
    if (step?.type !== 'branch' || (arm !== 'then' && arm !== 'else')) return null
    prefix = `${prefix}${index}.${arm}.`
    list = (arm === 'then' ? step.then : step.else) ?? []
  }
  return null
}

export function stepAt(steps: readonly FlowStep[], path: StepPath): FlowStep | null {
  const frames = framesOf(steps, path)
  if (!frames) return null
  const last = frames[frames.length - 1]!
  return last.steps[last.index] ?? null
}

export const FIRST_STEP: StepPath = '0'

/** The path after `path` when it does not enter a branch: the next sibling, else after the enclosing branch. */
export function nextPath(steps: readonly FlowStep[], path: StepPath): StepPath | null {
  const frames = framesOf(steps, path)
  if (!frames) return null
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!
    if (frame.index + 1 < frame.steps.length) return `${frame.prefix}${frame.index + 1}`
  }
  return null
}

/** Where a branch goes for this lead: the first step of the arm, or past the branch if the arm is empty. */
export function branchTarget(steps: readonly FlowStep[], path: StepPath, branch: BranchStep, lead: FlowLead): StepPath | null {
  const arm = leadConditionsHold(branch.if, lead) ? 'then' : 'else'
  const list = arm === 'then' ? branch.then : branch.else
  return list && list.length > 0 ? `${path}.${arm}.0` : nextPath(steps, path)
}

export type MessageChannel = 'email' | 'in_app' | 'webhook'

/** What running the step at a path means, before any IO. */
export type StepPlan =
  | { kind: 'wait'; step: FlowStep & { type: 'wait' }; next: StepPath | null }
  | { kind: 'message'; channel: MessageChannel; step: FlowStep & { type: 'email' | 'in_app' | 'webhook' }; variant: string | null; next: StepPath | null }
  | { kind: 'update'; step: FlowStep & { type: 'update' }; next: StepPath | null }
  | { kind: 'branch'; next: StepPath | null }
  | { kind: 'missing' }

export function planStep(steps: readonly FlowStep[], path: StepPath, lead: FlowLead): StepPlan {
  const step = stepAt(steps, path)
  if (!step) return { kind: 'missing' }
  const next = nextPath(steps, path)
  switch (step.type) {
    case 'wait':
      return { kind: 'wait', step, next }
    case 'branch':
      return { kind: 'branch', next: branchTarget(steps, path, step, lead) }
    case 'update':
      return { kind: 'update', step, next }
    case 'email': {
      const variant = step.subjects ? chooseVariant(`${lead.id}|${path}`, step.subjects.length) : null
      return { kind: 'message', channel: 'email', step, variant: variant === null ? null : String(variant), next }
    }
    case 'in_app':
    case 'webhook':
      return { kind: 'message', channel: step.type, step, variant: null, next }
  }
}

/** Every step path of a flow, depth first (preview counts and dashboards list steps in this order). */
export function allPaths(steps: readonly FlowStep[], prefix = ''): StepPath[] {
  return steps.flatMap((step, i) => {
    const path = `${prefix}${i}`
    if (step.type !== 'branch') return [path]
    return [path, ...allPaths(step.then, `${path}.then.`), ...allPaths(step.else ?? [], `${path}.else.`)]
  })
}

export type { LeadCondition }

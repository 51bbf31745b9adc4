// Admin use cases on flows: create (from a body or a template), replace, delete — each forgets the cached
// flow configuration of the site — and the per-flow numbers the flows list shows.
import type { Db } from '../../db/client'
import { deleteFlow, flowConfigs, type flowStats, insertFlow, replaceFlow } from '../../db/flows'
import { randomId } from '../../db/ids'
import type { FlowRow } from '../../db/schema'
import { FlowInput, FromTemplate } from '../../domain/flows/schema'
import { findTemplate } from '../../domain/flows/templates'
import { ApiError, invalidRequest } from '../../http/errors'

export type FlowStatsRows = Awaited<ReturnType<typeof flowStats>>

/** enrolled, active, completed, exited by goal; messages per step (and per A/B variant) by status. */
export function statsOf(stats: FlowStatsRows, flowId: string) {
  const runs = stats.enrollments.filter((r) => r.flowId === flowId)
  const count = (pred: (r: FlowStatsRows['enrollments'][number]) => boolean) => runs.filter(pred).reduce((n, r) => n + r.n, 0)
  const steps: Record<string, Record<string, number>> = {}
  for (const m of stats.sent.filter((m) => m.flowId === flowId)) {
    const key = m.variant === null ? m.step! : `${m.step}#${m.variant}`
    const entry = (steps[key] ??= {})
    entry[m.status] = (entry[m.status] ?? 0) + m.n
    entry.opened = (entry.opened ?? 0) + m.opened
    entry.clicked = (entry.clicked ?? 0) + m.clicked
  }
  return {
    enrolled: count(() => true),
    active: count((r) => r.status === 'active'),
    completed: count((r) => r.status === 'completed'),
    exitedByGoal: count((r) => r.status === 'exited' && r.exitReason === 'goal'),
    messagesPerStep: steps,
  }
}

/** A flow from a flow body, or from `{"template": id}` (disabled unless the body says otherwise). */
export async function createFlow(db: Db, siteId: string, body: unknown): Promise<FlowRow> {
  let row: FlowRow
  if (body && typeof body === 'object' && 'template' in body) {
    const parsed = FromTemplate.safeParse(body)
    if (!parsed.success) throw invalidRequest(parsed.error)
    const template = findTemplate(parsed.data.template)
    if (!template) throw new ApiError(400, 'unknown_template', `No template "${parsed.data.template}"; GET …/flows/templates lists them.`)
    const input = { ...template.flow, name: parsed.data.name ?? template.flow.name, enabled: parsed.data.enabled ?? false }
    row = await insertFlow(db, siteId, randomId('flow_'), input, template.id)
  } else {
    const parsed = FlowInput.safeParse(body)
    if (!parsed.success) throw invalidRequest(parsed.error)
    row = await insertFlow(db, siteId, randomId('flow_'), parsed.data)
  }
  flowConfigs.forget(siteId)
  return row
}

/** The replaced flow, or undefined when the site has no such flow. */
export async function changeFlow(db: Db, siteId: string, flowId: string, input: FlowInput): Promise<FlowRow | undefined> {
  const row = await replaceFlow(db, siteId, flowId, input)
  if (row) flowConfigs.forget(siteId)
  return row
}

/** False when the site has no such flow. */
export async function removeFlow(db: Db, siteId: string, flowId: string, now: number): Promise<boolean> {
  if (!(await deleteFlow(db, siteId, flowId, now))) return false
  flowConfigs.forget(siteId)
  return true
}

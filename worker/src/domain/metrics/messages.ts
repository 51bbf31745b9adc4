// Message metrics: counts of the outbox's sends in a range, per channel, shaped per flow, step and
// subject-line variant with their rates. Pure: the rows come from db/message-metrics.ts.
import { allPaths, stepAt } from '../flows/steps'
import type { FlowStep } from '../flows/schema'
import { rate } from './summaries'

export type MessageChannel = 'email' | 'in_app' | 'webhook'

/** Sends of one group (sent in the range) and the outcomes recorded on them since. */
export type MessageCounts = {
  sent: number
  opened: number
  clicked: number
  unsubscribed: number
  bounced: number
  complained: number
  shown: number
  dismissed: number
  /** Emails whose hidden link a link scanner followed: their clicks around that moment were not counted. */
  scanned: number
  /** Emails whose open pixel a privacy proxy loaded (Apple Mail Privacy Protection): not opens unless the site counts them. */
  machineOpened: number
  /** Messages created in the range that ended failed / suppressed (never sent). */
  failed: number
  suppressed: number
}

export type MessageCountRow = MessageCounts & { flowId: string | null; step: string | null; variant: string | null; channel: MessageChannel }
export type MessageDayRow = MessageCounts & { day: number; channel: MessageChannel }

export const NO_COUNTS: MessageCounts = { sent: 0, opened: 0, clicked: 0, unsubscribed: 0, bounced: 0, complained: 0, shown: 0, dismissed: 0, scanned: 0, machineOpened: 0, failed: 0, suppressed: 0 }

export function addCounts(a: MessageCounts, b: MessageCounts): MessageCounts {
  const out = { ...a }
  for (const key of Object.keys(NO_COUNTS) as Array<keyof MessageCounts>) out[key] = a[key] + b[key]
  return out
}

const total = (rows: readonly MessageCounts[]) => rows.reduce(addCounts, NO_COUNTS)

/** Email numbers: delivered = sent minus hard bounces; opens, clicks, unsubscribes and complaints over delivered. */
export function emailView(c: MessageCounts) {
  const delivered = c.sent - c.bounced
  return {
    sent: c.sent,
    delivered,
    opened: c.opened,
    clicked: c.clicked,
    unsubscribed: c.unsubscribed,
    bounced: c.bounced,
    complained: c.complained,
    scanned: c.scanned,
    machineOpened: c.machineOpened,
    failed: c.failed,
    suppressed: c.suppressed,
    rates: {
      delivery: rate(delivered, c.sent),
      open: rate(c.opened, delivered),
      click: rate(c.clicked, delivered),
      clickToOpen: rate(c.clicked, c.opened),
      unsubscribe: rate(c.unsubscribed, delivered),
      bounce: rate(c.bounced, c.sent),
      complaint: rate(c.complained, delivered),
    },
  }
}

/** In-app numbers: shown over delivered to a page, clicked and dismissed over shown. */
export function inAppView(c: MessageCounts) {
  return {
    sent: c.sent,
    shown: c.shown,
    clicked: c.clicked,
    dismissed: c.dismissed,
    rates: { show: rate(c.shown, c.sent), click: rate(c.clicked, c.shown), dismiss: rate(c.dismissed, c.shown) },
  }
}

export const webhookView = (c: MessageCounts) => ({ sent: c.sent, failed: c.failed })

const viewOf = (channel: MessageChannel, c: MessageCounts) =>
  channel === 'email' ? emailView(c) : channel === 'in_app' ? inAppView(c) : webhookView(c)

export type FlowInfo = { id: string; name: string; steps: readonly FlowStep[] }

/** What a step says in a table: its subject (or subject lines), in-app title or webhook URL. */
function stepLabel(step: FlowStep | null): string | null {
  if (!step) return null
  if (step.type === 'email') return step.subject ?? step.subjects?.join(' / ') ?? null
  if (step.type === 'in_app') return step.title
  if (step.type === 'webhook') return step.url
  return null
}

const byChannel = (rows: readonly MessageCountRow[], channel: MessageChannel) => total(rows.filter((r) => r.channel === channel))

/** One flow's numbers per channel, its steps in flow order (removed steps last) and their subject-line variants. */
function flowView(flowId: string | null, rows: readonly MessageCountRow[], info: FlowInfo | undefined) {
  const steps = new Map<string, MessageCountRow[]>()
  for (const row of rows) {
    const key = `${row.step ?? ''}\u0000${row.channel}`
    steps.set(key, [...(steps.get(key) ?? []), row])
  }
  const order = info ? allPaths(info.steps) : []
  const position = (path: string) => (order.indexOf(path) + 1 || order.length + 1)
  return {
    flowId,
    name: info?.name ?? (flowId ? '(deleted flow)' : '(no flow)'),
    ...emailView(byChannel(rows, 'email')),
    inApp: inAppView(byChannel(rows, 'in_app')),
    webhooks: webhookView(byChannel(rows, 'webhook')),
    steps: [...steps.values()]
      .map((group) => {
        const { step: path, channel } = group[0]!
        const step = info && path !== null ? stepAt(info.steps, path) : null
        const variants = group.filter((r) => r.variant !== null).sort((a, b) => Number(a.variant) - Number(b.variant))
        return {
          step: path,
          channel,
          label: stepLabel(step),
          ...viewOf(channel, total(group)),
          variants: variants.map((r) => ({
            variant: r.variant!,
            subject: step?.type === 'email' ? (step.subjects?.[Number(r.variant)] ?? null) : null,
            ...emailView(r),
          })),
        }
      })
      .sort((a, b) => position(a.step ?? '') - position(b.step ?? '') || (a.step ?? '').localeCompare(b.step ?? '') || a.channel.localeCompare(b.channel)),
  }
}

/** One row per (flow, step, variant, channel): days, and sent vs never-sent counts, arrive as separate rows. */
function merged(rows: readonly MessageCountRow[]): MessageCountRow[] {
  const out = new Map<string, MessageCountRow>()
  for (const row of rows) {
    const key = [row.flowId, row.step, row.variant, row.channel].join('\u0000')
    const seen = out.get(key)
    out.set(key, seen ? { ...seen, ...addCounts(seen, row) } : row)
  }
  return [...out.values()]
}

/** The report's body (without the range head): totals per channel, flows, and one point per day of the range. */
export function messageMetrics(groups: readonly MessageCountRow[], dayRows: readonly MessageDayRow[], flows: readonly FlowInfo[], days: readonly number[]) {
  const rows = merged(groups)
  const email = emailView(byChannel(rows, 'email'))
  const { rates, ...totals } = email
  const flowInfo = new Map(flows.map((f) => [f.id, f]))
  const perFlow = new Map<string | null, MessageCountRow[]>()
  for (const row of rows) perFlow.set(row.flowId, [...(perFlow.get(row.flowId) ?? []), row])
  const perDay = new Map<string, MessageCounts>()
  for (const row of dayRows) perDay.set(`${row.day}:${row.channel}`, addCounts(perDay.get(`${row.day}:${row.channel}`) ?? NO_COUNTS, row))
  const dayOf = (day: number, channel: MessageChannel) => perDay.get(`${day}:${channel}`) ?? NO_COUNTS
  return {
    available: flows.length > 0 || rows.length > 0,
    totals,
    rates,
    inApp: inAppView(byChannel(rows, 'in_app')),
    webhooks: webhookView(byChannel(rows, 'webhook')),
    flows: [...perFlow]
      .map(([flowId, group]) => flowView(flowId, group, flowId ? flowInfo.get(flowId) : undefined))
      .sort((a, b) => b.sent + b.inApp.sent + b.webhooks.sent - (a.sent + a.inApp.sent + a.webhooks.sent) || a.name.localeCompare(b.name)),
    days: days.map((day) => {
      const { rates: _rates, ...mail } = emailView(dayOf(day, 'email'))
      const inApp = dayOf(day, 'in_app')
      return { day, ...mail, inApp: { sent: inApp.sent, shown: inApp.shown, clicked: inApp.clicked, dismissed: inApp.dismissed } }
    }),
  }
}

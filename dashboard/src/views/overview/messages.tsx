// The overview's message card: email totals with their rates, one row per flow, and one row per step (or
// subject-line variant). Every column carries its definition; every table exports CSV.
import type { EmailNumbers, MessageStats, MessageStep } from '../../api/types'
import type { Term } from './definitions'
import { Info } from './sections'
import { SortableTable, type Column } from './table'

type Outcome = { key: string; label: string; term: Term; value: number; rate: number | null; base: string }

/** Email numbers shared by the flow and step tables. */
function emailColumns<Row>(pick: (row: Row) => Partial<Record<'sent' | 'delivered' | 'opened' | 'clicked' | 'unsubscribed' | 'bounced' | 'complained', number>> & { rates?: Record<string, number | null> }): Array<Column<Row>> {
  const n = (key: 'sent' | 'delivered' | 'opened' | 'clicked' | 'unsubscribed' | 'bounced' | 'complained') => (row: Row) => pick(row)[key] ?? null
  return [
    { key: 'sent', label: 'Sent', term: 'msgSent', value: n('sent') },
    { key: 'delivered', label: 'Delivered', term: 'msgDelivered', value: n('delivered') },
    { key: 'opened', label: 'Opened', term: 'msgOpened', value: n('opened') },
    { key: 'clicked', label: 'Clicked', term: 'msgClicked', value: n('clicked') },
    { key: 'unsubscribed', label: 'Unsubscribed', term: 'msgUnsubscribed', value: n('unsubscribed') },
    { key: 'bounced', label: 'Bounced', term: 'msgBounced', value: n('bounced') },
    { key: 'complained', label: 'Complaints', term: 'msgComplained', value: n('complained') },
    { key: 'openRate', label: 'Open rate', term: 'openRate', kind: 'rate', value: (row) => pick(row).rates?.open ?? null },
    { key: 'clickRate', label: 'Click rate', term: 'clickRate', kind: 'rate', value: (row) => pick(row).rates?.click ?? null },
  ]
}

type StepRow = { flow: string; step: string | null; channel: MessageStep['channel']; label: string | null; variant: string | null; numbers: MessageStep | EmailNumbers; shown: number | null }

const CHANNEL = { email: 'Email', in_app: 'In-app', webhook: 'Webhook' } as const

export function MessagesCard({ messages }: { messages: MessageStats }) {
  const t = messages.totals
  const r = messages.rates
  const outcomes: Outcome[] = [
    { key: 'sent', label: 'Sent', term: 'msgSent', value: t.sent, rate: null, base: '' },
    { key: 'delivered', label: 'Delivered', term: 'msgDelivered', value: t.delivered, rate: r.delivery, base: 'of sent' },
    { key: 'opened', label: 'Opened', term: 'msgOpened', value: t.opened, rate: r.open, base: 'of delivered' },
    { key: 'clicked', label: 'Clicked', term: 'msgClicked', value: t.clicked, rate: r.click, base: 'of delivered' },
    { key: 'unsubscribed', label: 'Unsubscribed', term: 'msgUnsubscribed', value: t.unsubscribed, rate: r.unsubscribe, base: 'of delivered' },
    { key: 'bounced', label: 'Bounced', term: 'msgBounced', value: t.bounced, rate: r.bounce, base: 'of sent' },
    { key: 'complained', label: 'Complaints', term: 'msgComplained', value: t.complained, rate: r.complaint, base: 'of delivered' },
    { key: 'failed', label: 'Failed', term: 'msgFailed', value: t.failed, rate: null, base: '' },
    { key: 'suppressed', label: 'Suppressed', term: 'msgSuppressed', value: t.suppressed, rate: null, base: '' },
    { key: 'scanned', label: 'Scanned by a filter', term: 'msgScanned', value: t.scanned, rate: null, base: '' },
    { key: 'machineOpened', label: 'Machine opens', term: 'msgMachineOpened', value: t.machineOpened, rate: null, base: '' },
    { key: 'inAppShown', label: 'In-app shown', term: 'inAppShown', value: messages.inApp.shown, rate: messages.inApp.rates.show, base: 'of in-app sent' },
    { key: 'inAppClicked', label: 'In-app clicked', term: 'inAppClicked', value: messages.inApp.clicked, rate: messages.inApp.rates.click, base: 'of shown' },
  ]
  const steps: StepRow[] = messages.flows.flatMap((flow) =>
    flow.steps.flatMap((step): StepRow[] =>
      step.variants.length > 0
        ? step.variants.map((v) => ({ flow: flow.name, step: step.step, channel: step.channel, label: v.subject ?? step.label, variant: v.variant, numbers: v, shown: null }))
        : [{ flow: flow.name, step: step.step, channel: step.channel, label: step.label, variant: null, numbers: step, shown: step.shown ?? null }],
    ),
  )
  return (
    <div class="card" id="ov-messages">
      <h2>Messages <Info term="messages" /></h2>
      {!messages.available && <p class="empty">No flow has sent email yet: these numbers fill in once flows send.</p>}
      <SortableTable
        id="ov-messages-table"
        caption="Message totals"
        rows={outcomes}
        columns={[
          { key: 'k', label: 'Outcome', kind: 'text', value: (o) => o.label },
          { key: 'v', label: 'Messages', term: 'messages', value: (o) => o.value },
          { key: 'rate', label: 'Rate', term: 'messages', kind: 'rate', value: (o) => o.rate },
          { key: 'base', label: 'Rate of', kind: 'text', value: (o) => o.base },
        ]}
        empty="No messages."
        filename="messages.csv"
      />
      {messages.available && (
        <>
        <SortableTable
          id="ov-messages-flows"
          caption="Messages per flow"
          rows={messages.flows}
          columns={[
            { key: 'flow', label: 'Flow', kind: 'text', value: (f) => f.name },
            ...emailColumns((f: MessageStats['flows'][number]) => f),
            { key: 'inAppSent', label: 'In-app sent', term: 'inAppSent', value: (f) => f.inApp.sent },
            { key: 'inAppShown', label: 'In-app shown', term: 'inAppShown', value: (f) => f.inApp.shown },
            { key: 'inAppClicked', label: 'In-app clicked', term: 'inAppClicked', value: (f) => f.inApp.clicked },
          ]}
          empty="No flow sent a message in this range."
          filename="messages-per-flow.csv"
        />
        <SortableTable
          id="ov-messages-steps"
          caption="Messages per step and subject line"
          rows={steps}
          columns={[
            { key: 'flow', label: 'Flow', kind: 'text', value: (s: StepRow) => s.flow },
            { key: 'step', label: 'Step', kind: 'text', value: (s) => s.step },
            { key: 'channel', label: 'Channel', kind: 'text', value: (s) => CHANNEL[s.channel] },
            { key: 'label', label: 'Subject / title', kind: 'text', value: (s) => (s.variant === null ? s.label : `${s.label ?? ''} (variant ${s.variant})`) },
            ...emailColumns((s: StepRow) => (s.channel === 'email' ? s.numbers : { sent: s.numbers.sent, clicked: s.numbers.clicked })),
            { key: 'shown', label: 'Shown', term: 'inAppShown', value: (s) => s.shown },
          ]}
          empty="No step sent a message in this range."
          filename="messages-per-step.csv"
        />
        </>
      )}
    </div>
  )
}

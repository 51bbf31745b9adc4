// What a flow step leaves in the outbox: the rendered content of an email, an in-app message or a webhook.
import { EDGE_MESSAGES } from '../../../../contract/names'
import { renderTokens, type TokenScope } from '../email/tokens'
import type { InAppStep, WebhookStep } from './schema'

export type EmailContent = {
  channel: 'email'
  from: string
  headers: Record<string, string>
  html: string
  text: string
  /** The body's links in order: the only places a click-tracking redirect (/c) may send to. */
  links?: string[]
}
export type InAppContent = {
  channel: 'in_app'
  kind: 'banner' | 'modal'
  title: string
  body?: string
  cta?: { label: string; url: string }
}
export type WebhookContent = { channel: 'webhook'; url: string; format: 'slack' | 'signed'; body: unknown }
export type MessageContent = EmailContent | InAppContent | WebhookContent

/** In-app text is rendered as plain text (the SDK sets textContent), so tokens are not HTML-escaped. */
export function renderInApp(step: InAppStep, scope: TokenScope): InAppContent {
  const text = (value: string) => renderTokens(value, scope, 'text')
  return {
    channel: 'in_app',
    kind: step.kind,
    title: text(step.title),
    ...(step.body ? { body: text(step.body) } : {}),
    ...(step.cta ? { cta: { label: text(step.cta.label), url: step.cta.url } } : {}),
  }
}

/** Renders tokens in every string of the webhook body (JSON-encoded later, so no escaping here). */
export function renderWebhook(step: WebhookStep, scope: TokenScope): WebhookContent {
  const walk = (value: unknown): unknown =>
    typeof value === 'string'
      ? renderTokens(value, scope, 'text')
      : Array.isArray(value)
        ? value.map(walk)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
          : value
  return { channel: 'webhook', url: step.url, format: step.format, body: walk(step.body) }
}

/** The public shape of an in-app message in /v1/personalize: text only, no lead data beyond the copy. */
export const publicInApp = (id: string, content: InAppContent) => ({
  id,
  kind: content.kind,
  title: content.title,
  ...(content.body ? { body: content.body } : {}),
  ...(content.cta ? { cta: content.cta } : {}),
})

/**
 * Edge mode's in-app messages for the SDK: a JSON `<script>` element. Every `<`, `>`, `&`, line separator
 * and non-ASCII character is a \u escape, so no text (a title with `</script>`) can end the element early,
 * and it reads the same whatever charset the page declares.
 */
export function edgeMessagesScript(messages: ReadonlyArray<ReturnType<typeof publicInApp>>): string {
  const json = JSON.stringify(messages).replace(/[<>&]|[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
  return `<script type="application/json" id="${EDGE_MESSAGES}">${json}</script>`
}

// Email links: GET /u/:token (confirmation page), POST /u/:token (RFC 8058 one-click: 200, no redirect,
// no cookie), and the provider's signed webhook for bounces and complaints (POST /email/events).
import { Hono } from 'hono'
import { eq } from 'drizzle-orm'
import { openDb } from '../db/client'
import { findMessage, suppress } from '../db/messages'
import { messages } from '../db/schema'
import { normalizeEmail } from '../domain/events'
import { verifyProviderWebhook, verifyUnsubscribeToken } from '../domain/email/signing'
import { escapeHtml } from '../domain/email/tokens'
import { unsubscribeSecret } from '../services/flows/run-steps'
import { flowEnv } from '../services/flows/settings'
import { ApiError } from '../http/errors'
import { readBodyText } from '../http/body'

const page = (title: string, body: string, status: 200 | 404 = 200) =>
  new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' } },
  )

async function messageOfToken(env: Env, token: string) {
  const secret = unsubscribeSecret(flowEnv(env))
  const id = secret ? await verifyUnsubscribeToken(token, secret) : null
  const message = id ? await findMessage(openDb(env.DB), id) : undefined
  return message?.to ? message : null
}

export const emailLinksApi = new Hono<{ Bindings: Env }>()
  .get('/u/:token', async (c) => {
    const message = await messageOfToken(c.env, c.req.param('token'))
    if (!message) return page('Link not valid', '<p>This unsubscribe link is not valid. Nothing was changed.</p>', 404)
    // A GET never unsubscribes (mail scanners follow links); the form posts the one-click request.
    return page(
      'Unsubscribe',
      `<p>Stop marketing emails to this address?</p><form method="post"><button type="submit">Unsubscribe</button></form>`,
    )
  })
  .post('/u/:token', async (c) => {
    const message = await messageOfToken(c.env, c.req.param('token'))
    if (!message) return page('Link not valid', '<p>This unsubscribe link is not valid. Nothing was changed.</p>', 404)
    await suppress(openDb(c.env.DB), { siteId: message.siteId, email: message.to!, reason: 'unsubscribe', messageId: message.id, at: Date.now() })
    return page('You are unsubscribed', '<p>You will not receive marketing emails from us any more.</p>')
  })
  .post('/email/events', async (c) => {
    const env = flowEnv(c.env)
    if (!env.EMAIL_WEBHOOK_SECRET) throw new ApiError(503, 'webhook_disabled', 'Set the EMAIL_WEBHOOK_SECRET secret to receive provider events.')
    const body = await readBodyText(c.req.raw, 256 * 1024)
    if (body === null) throw new ApiError(413, 'payload_too_large', 'The body is over 256 KiB.')
    const signed = await verifyProviderWebhook(
      { id: c.req.header('svix-id') ?? null, timestamp: c.req.header('svix-timestamp') ?? null, signature: c.req.header('svix-signature') ?? null },
      body,
      env.EMAIL_WEBHOOK_SECRET,
      Date.now(),
    )
    if (!signed) throw new ApiError(401, 'bad_signature', 'The webhook signature does not verify.')
    let event: { type?: string; data?: { email_id?: string; to?: string[] | string; bounce?: { type?: string }; tags?: Record<string, string> } }
    try {
      event = JSON.parse(body)
    } catch {
      throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.')
    }
    const reason = event.type === 'email.complained' ? 'complaint' : event.type === 'email.bounced' && event.data?.bounce?.type !== 'Transient' ? 'bounce' : null
    if (!reason) return c.json({ ignored: true })
    const db = openDb(c.env.DB)
    const messageId = event.data?.tags?.cairn_message
    const message = messageId
      ? await findMessage(db, messageId)
      : event.data?.email_id
        ? await db.select().from(messages).where(eq(messages.providerId, event.data.email_id)).get()
        : undefined
    const to = normalizeEmail(Array.isArray(event.data?.to) ? event.data.to[0] : event.data?.to) ?? message?.to
    if (!message || !to) return c.json({ ignored: true })
    await suppress(db, { siteId: message.siteId, email: to, reason, messageId: message.id, at: Date.now() })
    return c.json({ suppressed: to, reason })
  })

// Email links: GET /u/:token (confirmation page), POST /u/:token (RFC 8058 one-click: 200, no redirect,
// no cookie), the optional open pixel (GET /o/:token) and click redirect (GET /c/:token/:n), and the
// provider's signed webhook for bounces, complaints, opens and clicks (POST /email/events). Each marks its message.
import { Hono } from 'hono'
import { eq } from 'drizzle-orm'
import { openDb } from '../db/client'
import { findMessage, recordMachineOpen, recordOutcome, recordScan, suppress } from '../db/messages'
import { findSite } from '../db/sites'
import { messages } from '../db/schema'
import { normalizeEmail } from '../domain/events'
import { verifyMessageToken, verifyProviderWebhook, verifyUnsubscribeToken } from '../domain/email/signing'
import { escapeHtml } from '../domain/email/tokens'
import { SCANNER_LINK } from '../domain/email/render'
import { isMachineOpen } from '../domain/email/machine-opens'
import { unsubscribeSecret } from '../services/flows/run-steps'
import { emailTrackingOf, flowEnv } from '../services/flows/settings'
import { ApiError } from '../http/errors'
import { adminHostOf } from '../http/hosts'
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

/** The fields Cairn reads from a Resend-style webhook event. */
type ProviderEvent = {
  type?: string
  created_at?: string
  data?: { email_id?: string; to?: string[] | string; bounce?: { type?: string }; tags?: Record<string, string> }
}

/**
 * When the provider saw it (`created_at`), kept between the send and now: a retried event keeps its
 * time, and a clock that disagrees cannot put an open before its email or in the future.
 */
function eventTime(createdAt: string | undefined, sentAt: number, now: number): number {
  const at = createdAt ? Date.parse(createdAt) : NaN
  return Number.isFinite(at) ? Math.min(Math.max(at, sentAt), now) : now
}

/** A 1×1 transparent GIF. */
const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (ch) => ch.charCodeAt(0))
const pixel = () =>
  new Response(PIXEL, { headers: { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store, max-age=0', 'Referrer-Policy': 'no-referrer' } })

/** The email message a tracking token names, with whether its site still tracks this (else null). */
async function trackedMessage(env: Env, purpose: 'open' | 'click', token: string) {
  const secret = unsubscribeSecret(flowEnv(env))
  const id = secret ? await verifyMessageToken(purpose, token, secret) : null
  if (!id) return null
  const db = openDb(env.DB)
  const message = await findMessage(db, id)
  if (!message || message.content.channel !== 'email') return null
  const tracking = emailTrackingOf(await findSite(db, message.siteId))
  return { db, message, record: purpose === 'open' ? tracking.opens : tracking.clicks, ...tracking }
}

/** Tracking links live on the public host only: the admin host never answers them. */
function refuseOnAdminHost(env: Env, url: string) {
  if (adminHostOf(env) === new URL(url).hostname) throw new ApiError(404, 'not_found', 'Not found.')
}

export const emailLinksApi = new Hono<{ Bindings: Env }>()
  .get('/o/:token', async (c) => {
    refuseOnAdminHost(c.env, c.req.url)
    // Always the image (a broken image tells nothing either); only a valid token on a tracking site records.
    const tracked = await trackedMessage(c.env, 'open', c.req.param('token'))
    if (tracked?.record && c.req.method === 'GET') {
      // A privacy proxy's load at delivery says nothing about a reader: kept apart unless the site counts it.
      if (isMachineOpen(c.req.header('user-agent'), c.req.header('cf-connecting-ip'))) {
        await recordMachineOpen(tracked.db, tracked.message.id, Date.now(), !tracked.filterMachineOpens)
      } else {
        await recordOutcome(tracked.db, tracked.message.id, 'opened', Date.now())
      }
    }
    return pixel()
  })
  .get('/c/:token/:n{[0-9]{1,3}}', async (c) => {
    refuseOnAdminHost(c.env, c.req.url)
    const tracked = await trackedMessage(c.env, 'click', c.req.param('token'))
    if (Number(c.req.param('n')) === SCANNER_LINK) {
      // The hidden link: only a link scanner follows it (see SCANNER_LINK). Nothing to see, and nothing to tell it.
      if (tracked?.record && tracked.filterScanners && c.req.method === 'GET') await recordScan(tracked.db, tracked.message.id, Date.now())
      return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' } })
    }
    const content = tracked?.message.content
    // Only a link that was in this very email: the token cannot be pointed anywhere else.
    const link = content?.channel === 'email' ? content.links?.[Number(c.req.param('n'))] : undefined
    // As a header value: non-ASCII in the path or query percent-encoded, an international host in punycode.
    const target = link && URL.canParse(link) ? new URL(link).href : undefined
    if (!tracked || !target) return page('Link not valid', '<p>This link is not valid.</p>', 404)
    if (tracked.record && c.req.method === 'GET') await recordOutcome(tracked.db, tracked.message.id, 'clicked', Date.now(), tracked.filterScanners)
    return new Response(null, { status: 302, headers: { Location: target, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } })
  })
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
    const db = openDb(c.env.DB)
    const at = Date.now()
    await suppress(db, { siteId: message.siteId, email: message.to!, reason: 'unsubscribe', messageId: message.id, at })
    await recordOutcome(db, message.id, 'unsubscribed', at)
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
    let event: ProviderEvent
    try {
      event = JSON.parse(body)
    } catch {
      throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.')
    }
    const reason = event.type === 'email.complained' ? 'complaint' : event.type === 'email.bounced' && event.data?.bounce?.type !== 'Transient' ? 'bounce' : null
    const engagement = event.type === 'email.opened' ? 'opened' : event.type === 'email.clicked' ? 'clicked' : null
    if (!reason && !engagement) return c.json({ ignored: true })
    const db = openDb(c.env.DB)
    const messageId = event.data?.tags?.cairn_message
    const message = messageId
      ? await findMessage(db, messageId)
      : event.data?.email_id
        ? await db.select().from(messages).where(eq(messages.providerId, event.data.email_id)).get()
        : undefined
    if (engagement) {
      // The provider's own open and click tracking (set up in its dashboard): recorded like the pixel's and
      // the tracked links', the earliest time kept (a repeat or a retried event changes nothing).
      if (!message || message.content.channel !== 'email' || message.sentAt === null) return c.json({ ignored: true })
      const filterScanners = engagement === 'clicked' && emailTrackingOf(await findSite(db, message.siteId)).filterScanners
      const result = await recordOutcome(db, message.id, engagement, eventTime(event.created_at, message.sentAt, Date.now()), filterScanners)
      // No row changed: a click around a link scanner's visit, which is the scanner's.
      return c.json(result.meta.changes > 0 ? { recorded: engagement } : { ignored: true })
    }
    const to = normalizeEmail(Array.isArray(event.data?.to) ? event.data.to[0] : event.data?.to) ?? message?.to
    if (!message || !to) return c.json({ ignored: true })
    const at = Date.now()
    await suppress(db, { siteId: message.siteId, email: to, reason: reason!, messageId: message.id, at })
    await recordOutcome(db, message.id, reason === 'bounce' ? 'bounced' : 'complained', at)
    return c.json({ suppressed: to, reason })
  })

// Admin: the outbox (every delivery, any channel), suppressions, dead letters, a lead's flow runs.
import { Hono } from 'hono'
import { z } from 'zod'
import { openDb } from '../db/client'
import { enrollmentsOfLead } from '../db/enrollments'
import { findMessage, listDeadLetters, listMessages, listSuppressions, removeSuppression, suppress } from '../db/messages'
import type { MessageRow } from '../db/schema'
import { normalizeEmail } from '../domain/events'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { runView } from './flows'
import { siteOr404 } from './sites'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export const messageSummary = (m: MessageRow) => ({
  id: m.id,
  channel: m.channel,
  status: m.status,
  to: m.to,
  subject: m.subject,
  flowId: m.flowId,
  leadId: m.leadId,
  step: m.step,
  variant: m.variant,
  reason: m.reason,
  createdAt: iso(m.createdAt),
  sentAt: m.status === 'sent' ? iso(m.sentAt) : null,
  // A lead's message history needs the title of in-app messages and what she did with each message.
  title: m.content.channel === 'in_app' ? m.content.title : null,
  shownAt: iso(m.shownAt),
  dismissedAt: iso(m.dismissedAt),
  openedAt: iso(m.openedAt),
  machineOpenedAt: iso(m.machineOpenedAt),
  clickedAt: iso(m.clickedAt),
})

const messageDetail = (m: MessageRow) => ({
  ...messageSummary(m),
  enrollment: m.enrollment,
  provider: m.provider,
  providerId: m.providerId,
  attempts: m.attempts,
  dueAt: iso(m.dueAt),
  expiresAt: iso(m.expiresAt),
  // The rendered message: headers, html and text for email; the copy for in-app; URL and body for webhooks.
  ...(m.content.channel === 'email'
    ? { headers: m.content.headers, html: m.content.html, text: m.content.text }
    : { content: m.content }),
})

const MessageQuery = z
  .object({
    leadId: z.string().max(64).optional(),
    flowId: z.string().max(64).optional(),
    channel: z.enum(['email', 'in_app', 'webhook']).optional(),
    status: z.enum(['queued', 'sending', 'sent', 'failed', 'suppressed', 'cancelled']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()

const SuppressionInput = z.object({ email: z.string().email().max(320) }).strict()

export const messagesApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/messages', validate('query', MessageQuery), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    await siteOr404(db, siteId)
    const { limit, ...filter } = c.req.valid('query')
    return c.json({ messages: (await listMessages(db, siteId, filter, limit)).map(messageSummary) })
  })
  .get('/:siteId/messages/:messageId', async (c) => {
    const message = await findMessage(openDb(c.env.DB), c.req.param('messageId'))
    if (!message || message.siteId !== c.req.param('siteId')) throw new ApiError(404, 'message_not_found', 'No message with this id on this site.')
    return c.json(messageDetail(message))
  })
  .get('/:siteId/suppressions', async (c) => {
    const db = openDb(c.env.DB)
    await siteOr404(db, c.req.param('siteId'))
    const rows = await listSuppressions(db, c.req.param('siteId'))
    return c.json({ suppressions: rows.map((r) => ({ email: r.email, reason: r.reason, messageId: r.messageId, at: iso(r.at) })) })
  })
  .post('/:siteId/suppressions', validate('json', SuppressionInput), async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    await siteOr404(db, siteId)
    const email = normalizeEmail(c.req.valid('json').email)!
    await suppress(db, { siteId, email, reason: 'manual', at: Date.now() })
    return c.json({ email, reason: 'manual' }, 201)
  })
  .delete('/:siteId/suppressions/:email', async (c) => {
    const removed = await removeSuppression(openDb(c.env.DB), c.req.param('siteId'), normalizeEmail(c.req.param('email')) ?? '')
    if (removed.length === 0) throw new ApiError(404, 'suppression_not_found', 'This address is not suppressed.')
    return c.body(null, 204)
  })
  .get('/:siteId/dead-letters', async (c) => {
    const db = openDb(c.env.DB)
    await siteOr404(db, c.req.param('siteId'))
    const rows = await listDeadLetters(db, c.req.param('siteId'), 200)
    return c.json({ deadLetters: rows.map((r) => ({ id: r.id, kind: r.kind, attempts: r.attempts, at: iso(r.at), body: r.body })) })
  })
  .get('/:siteId/leads/:leadId/runs', async (c) => {
    const db = openDb(c.env.DB)
    const runs = await enrollmentsOfLead(db, c.req.param('siteId'), c.req.param('leadId'))
    return c.json({ runs: runs.map(runView) })
  })

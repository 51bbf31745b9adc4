// Delivers one outbox message: suppression list and delivery policy at send time, an atomic claim, the
// provider call, the outcome. A message is sent at most once per claim; a consumer that stopped mid-send
// is resolved by re-sending only through providers that dedupe (Idempotency-Key), else marked failed.
import type { Db } from '../../db/client'
import { claimMessage, failStaleSend, findMessage, finishMessage, isSuppressed, reclaimMessage, recentCappedSends, updateQueuedMessage } from '../../db/messages'
import { findEnrollment } from '../../db/enrollments'
import { findFlow } from '../../db/flows'
import { randomId } from '../../db/ids'
import type { MessageRow } from '../../db/schema'
import { leadTimeZone } from '../../db/leads'
import { findSite } from '../../db/sites'
import { firstTimeZone } from '../../domain/time-zone'
import { webhookSignature } from '../../domain/email/signing'
import type { EmailContent, WebhookContent } from '../../domain/flows/messages'
import { applyPolicy, effectivePolicy } from '../../domain/flows/policy'
import { MAX_QUEUE_DELAY_SECONDS } from '../../domain/flows/schedule'
import { chooseEmailProvider, type EmailProvider } from '../../email/providers'
import type { DeliverJob, FlowJob } from '../../queue/flow-jobs'
import { flowEnv, type FlowEnv } from './settings'
import { liveInApp } from './in-app'

/** A claim older than this belongs to a consumer that stopped (an invocation runs at most minutes). */
export const STALE_CLAIM_MS = 5 * 60_000
const MAX_ATTEMPTS = 5

/** What the consumer does with the queue message. */
export type Outcome = { ack: true } | { retry: number }
const ACK: Outcome = { ack: true }

export type DeliveryDeps = { now: () => number; provider?: EmailProvider; fetcher?: typeof fetch }

export async function deliverMessage(db: Db, rawEnv: Env, job: DeliverJob, deps: DeliveryDeps): Promise<Outcome> {
  const env = flowEnv(rawEnv)
  const jobs = env.JOBS as Queue<FlowJob>
  const now = deps.now()
  const message = await findMessage(db, job.messageId)
  if (!message) return ACK
  const provider = message.channel === 'email' ? (deps.provider ?? chooseEmailProvider(env)) : null
  const token = randomId('c_', 16)

  if (message.status === 'sending') {
    if ((message.claimedAt ?? 0) > now - STALE_CLAIM_MS) return { retry: 60 } // another consumer is on it
    // Its consumer stopped mid-send: was it sent? Only a deduping provider makes asking again safe. A webhook
    // receiver may ignore the Idempotency-Key it carries (a Slack channel does): never re-sent either.
    if (message.channel === 'webhook' || (message.channel === 'email' && !provider!.idempotent)) {
      await failStaleSend(db, message.id, 'outcome_unknown: the sender stopped during the provider call; not retried to avoid a duplicate')
      return ACK
    }
    if (!(await reclaimMessage(db, message.id, now - STALE_CLAIM_MS, token, now))) return ACK
    return send(db, env, { ...message, claimToken: token }, token, provider, deps)
  }
  if (message.status !== 'queued') return ACK // sent, failed, suppressed or cancelled: nothing to do

  const hold = async (until: number, reason: string): Promise<Outcome> => {
    await updateQueuedMessage(db, message.id, { dueAt: until, reason })
    const delay = Math.ceil((until - now) / 1000)
    // Held, not dropped: a new delayed job (≤ 12 h), else the cron sweep releases it in time.
    if (delay <= MAX_QUEUE_DELAY_SECONDS) await jobs.send(job, { delaySeconds: Math.max(1, delay) })
    return ACK
  }
  if (message.dueAt > now + 1000) return hold(message.dueAt, message.reason ?? 'held')
  if (message.expiresAt <= now) {
    await updateQueuedMessage(db, message.id, { status: 'cancelled', reason: 'expired: held past its expiry by quiet hours or frequency caps' })
    return ACK
  }
  if (message.flowId && message.enrollment !== null) {
    const run = await findEnrollment(db, { flowId: message.flowId, leadId: message.leadId, number: message.enrollment })
    if (run && run.status === 'exited') {
      await updateQueuedMessage(db, message.id, { status: 'cancelled', reason: `exited: ${run.exitReason ?? 'goal'}` })
      return ACK
    }
  }
  if (message.channel === 'email' && message.to && (await isSuppressed(db, message.siteId, message.to))) {
    await updateQueuedMessage(db, message.id, { status: 'suppressed', reason: 'suppressed: the address unsubscribed, bounced or complained' })
    return ACK
  }

  let policy = null
  if (message.channel !== 'webhook') {
    const [site, flow, run, lead] = await Promise.all([
      findSite(db, message.siteId),
      message.flowId ? findFlow(db, message.siteId, message.flowId) : undefined,
      message.flowId && message.enrollment !== null ? findEnrollment(db, { flowId: message.flowId, leadId: message.leadId, number: message.enrollment }) : undefined,
      leadTimeZone(db, message.leadId),
    ])
    const settings = (site?.settings ?? {}) as { messagePolicy?: Parameters<typeof effectivePolicy>[0] }
    policy = effectivePolicy(settings.messagePolicy, flow?.definition.policy)
    // Quiet hours in her time zone (the SDK's, stored on the lead), else the run's, else the site's default.
    const zone = firstTimeZone(lead, run?.timeZone, site?.settings.timeZone)
    const verdict = applyPolicy(policy, await recentCappedSends(db, message.leadId, now), now, zone)
    if (!verdict.send) return hold(verdict.until, `held: ${verdict.reason}`)
  }
  if (!(await claimMessage(db, message, policy, token, now))) {
    // Lost the cap's last slot to a concurrent delivery (or someone else claimed it): look again shortly.
    return (await findMessage(db, message.id))?.status === 'queued' ? { retry: 5 } : ACK
  }
  if (message.channel === 'in_app') {
    // Listed by /v1/personalize from now on: this isolate's set of visitors with live messages is stale.
    liveInApp.forget(message.siteId)
    return ACK
  }
  return send(db, env, message, token, provider, deps)
}

async function send(db: Db, env: FlowEnv, message: MessageRow, token: string, provider: EmailProvider | null, deps: DeliveryDeps): Promise<Outcome> {
  const result =
    message.channel === 'email'
      ? await provider!.send({ id: message.id, to: message.to!, subject: message.subject ?? '', content: message.content as EmailContent })
      : await callWebhook(env, message, deps)
  const providerName = message.channel === 'email' ? provider!.name : 'webhook'
  if (result.ok) {
    await finishMessage(db, message.id, token, { status: 'sent', provider: providerName, providerId: result.providerId, sentAt: deps.now() })
    return ACK
  }
  if (result.retry && message.attempts + 1 < MAX_ATTEMPTS) {
    // Back to the queue with backoff; the cap slot is released (sent_at cleared) until the next try.
    await finishMessage(db, message.id, token, { status: 'queued', reason: result.reason, sentAt: null, claimedAt: null })
    return { retry: Math.min(600, 10 * 2 ** message.attempts) }
  }
  await finishMessage(db, message.id, token, { status: 'failed', reason: result.reason, provider: providerName, sentAt: null })
  return ACK
}

async function callWebhook(env: FlowEnv, message: MessageRow, deps: DeliveryDeps) {
  const content = message.content as WebhookContent
  const body = JSON.stringify(content.body)
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': message.id, 'User-Agent': 'Cairn-Flows/1' }
  if (content.format === 'signed') {
    if (!env.FLOW_WEBHOOK_SECRET) return { ok: false as const, retry: false, reason: 'webhook_secret_missing: set the FLOW_WEBHOOK_SECRET secret to sign webhooks' }
    headers['Cairn-Signature'] = await webhookSignature(body, env.FLOW_WEBHOOK_SECRET, deps.now())
  }
  try {
    const response = await (deps.fetcher ?? fetch)(content.url, { method: 'POST', headers, body })
    if (response.ok) return { ok: true as const, providerId: null }
    const retry = response.status === 429 || response.status >= 500
    return { ok: false as const, retry, reason: `webhook: HTTP ${response.status}` }
  } catch (error) {
    return { ok: false as const, retry: true, reason: `webhook: ${error instanceof Error ? error.message : String(error)}` }
  }
}

// Flows end to end in workerd with real D1 and Queues: the JOBS consumer runs the steps and deliveries;
// some tests also hand jobs to the consumer themselves (createMessageBatch) to redeliver or race them.
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import worker from '../../worker/src/index'
import { openDb } from '../../worker/src/db/client'
import { deliverMessage } from '../../worker/src/services/flows/deliver'
import { startFlowsOrDefer } from '../../worker/src/services/flows/start'
import { storeEvents } from '../../worker/src/services/ingest'
import { findSite } from '../../worker/src/db/sites'
import { EventBatch, normalizeEvent } from '../../worker/src/domain/events'
import { resendProvider } from '../../worker/src/email/providers'
import { FLOW_SWEEP, HOURLY } from '../../worker/src/queue/cron'
import type { FlowJob } from '../../worker/src/queue/flow-jobs'
import type { Job } from '../../worker/src/queue/jobs'
import { admin, call, ORIGIN, pageEvent, sendEvents, uniqueId } from './helpers'
import { createFlow, knownLead, outbox, postProviderEvent, runs, track, viewPricing, waitForOutbox } from './flow-helpers'

const EMAIL_STEP = { type: 'email', subject: 'Hi {{lead.traits.firstName|there}}', body: 'Hello {{lead.traits.firstName|there}} <b>' }
const IN_APP_STEP = { type: 'in_app', kind: 'banner', title: 'Questions about pricing?', body: 'Talk to us.', cta: { label: 'Book a demo', url: '/demo' } }
const PRICING = { type: 'event', match: { type: 'page', path: '/pricing*' } }

async function consume(jobs: Job[], attempts = 1) {
  const batch = createMessageBatch<Job>('cairn-jobs', jobs.map((body, i) => ({ id: uniqueId(`m${i}_`), timestamp: new Date(), attempts, body })))
  const ctx = createExecutionContext()
  await worker.queue(batch, env)
  return getQueueResult(batch, ctx)
}

describe('flow definitions', { timeout: 30_000 }, () => {
  it('bad flow JSON answers 400 with the step named, and stores nothing', async () => {
    // Catches a flow saved with an unknown step, an empty branch or a wait past 90 days.
    const { site } = await knownLead()
    const bad = [
      { steps: [{ type: 'sms', body: 'x' }], path: 'steps.0.type' },
      { steps: [{ type: 'branch', if: [{ field: 'lead.score', op: 'gt', value: 1 }], then: [] }], path: 'steps.0.then' },
      { steps: [{ type: 'wait', seconds: 91 * 86400 }], path: 'steps.0.seconds' },
      { steps: [{ type: 'email', body: 'no subject' }], path: 'steps.0.subject' },
    ]
    for (const { steps, path } of bad) {
      const response = await admin(`/api/sites/${site.id}/flows`, { method: 'POST', json: { name: 'Bad', trigger: PRICING, steps } })
      expect(response.status).toBe(400)
      const body = (await response.json()) as { error: { code: string; issues: Array<{ path: string }> } }
      expect(body.error.code).toBe('invalid_request')
      expect(body.error.issues.map((i) => i.path)).toContain(path)
    }
    const malformed = await admin(`/api/sites/${site.id}/flows`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
    const list = (await (await admin(`/api/sites/${site.id}/flows`)).json()) as { flows: unknown[] }
    expect(list.flows).toEqual([])
  })

  it('lists the templates and instantiates one by id', async () => {
    // Catches a template missing from the list or one that does not save as a valid flow.
    const { site } = await knownLead()
    const { templates } = (await (await admin(`/api/sites/${site.id}/flows/templates`)).json()) as { templates: Array<{ id: string }> }
    expect(templates.map((t) => t.id)).toEqual(expect.arrayContaining(['pricing-follow-up', 'hot-lead', 'budget-split', 'subject-line-test', 'inactive-customer']))
    expect(templates.length).toBeGreaterThanOrEqual(10)
    const created = await admin(`/api/sites/${site.id}/flows`, { method: 'POST', json: { template: 'hot-lead' } })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ name: 'Hot lead', enabled: false, templateId: 'hot-lead', trigger: { count: { gte: 2 } } })
    const unknown = await admin(`/api/sites/${site.id}/flows`, { method: 'POST', json: { template: 'nope' } })
    expect(unknown.status).toBe(400)
  })

  it('previews a draft: leads enrolled now and replayed messages per step, writing nothing', async () => {
    // Catches a preview that writes runs or messages, or ignores counts and filters.
    const { site, aid } = await knownLead()
    await viewPricing(site, aid)
    await viewPricing(site, aid)
    const anonymous = uniqueId('a_')
    await sendEvents(site.key, [pageEvent(anonymous, `${ORIGIN}/pricing`)])
    const draft = { trigger: { ...PRICING, count: { gte: 2, withinDays: 7 } }, steps: [IN_APP_STEP, { type: 'wait', seconds: 60 }, EMAIL_STEP] }
    const response = await admin(`/api/sites/${site.id}/flows/preview`, { method: 'POST', json: draft })
    expect(response.status).toBe(200)
    const preview = (await response.json()) as { enrollNow: { count: number }; replay: { enrollments: number; messagesPerStep: Record<string, { count: number }> } }
    expect(preview.enrollNow.count).toBe(1) // the anonymous visitor viewed pricing once only
    expect(preview.replay.enrollments).toBe(1)
    expect(preview.replay.messagesPerStep['0']!.count).toBe(1)
    const written = await env.DB.prepare('select (select count(*) from flows where site_id = ?1) + (select count(*) from flow_enrollments where site_id = ?1) as n').bind(site.id).first<{ n: number }>()
    expect(written!.n).toBe(0)
  })
})

describe('exactly once', { timeout: 30_000 }, () => {
  it('two racing ingests enroll the lead once and send one email', async () => {
    // Catches an enrollment check-then-insert race (no unique key) producing a second run and email.
    const { site, aid, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: PRICING, steps: [EMAIL_STEP] })
    const responses = await Promise.all(Array.from({ length: 4 }, () => viewPricing(site, aid)))
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202])
    const rows = await waitForOutbox(leadId, (r) => r.some((m) => m.status === 'sent'))
    expect(await runs(flow.id, leadId)).toHaveLength(1)
    expect(rows.filter((m) => m.channel === 'email')).toHaveLength(1)
  })

  it('a redelivered step or delivery message sends nothing twice', async () => {
    // Catches a consumer that re-runs a step's effect or re-sends a sent message on redelivery.
    const { site, aid, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: PRICING, steps: [IN_APP_STEP, EMAIL_STEP] })
    await viewPricing(site, aid)
    const first = await waitForOutbox(leadId, (r) => r.length === 2 && r.every((m) => m.status === 'sent'))
    const step: FlowJob = { kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '0' }
    const deliveries: FlowJob[] = first.map((m) => ({ kind: 'deliver', siteId: site.id, messageId: m.id }))
    for (let delivery = 2; delivery <= 3; delivery++) {
      const result = await consume([step, ...deliveries], delivery)
      expect(result.retryMessages).toEqual([])
      expect(result.explicitAcks).toHaveLength(3)
    }
    const after = await outbox(leadId)
    expect(after).toHaveLength(2)
    expect(after.map((m) => [m.status, m.attempts])).toEqual(first.map((m) => [m.status, m.attempts]))
    const effects = await env.DB.prepare('select count(*) as n from flow_effects where flow_id = ?').bind(flow.id).first<{ n: number }>()
    expect(effects!.n).toBe(2)
  })

  it('a consumer that stops after its D1 write loses nothing: the sweep restarts the run', async () => {
    // Catches a run stranded when the follow-up job was never enqueued (crash between write and send).
    const { site, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: { type: 'stage', stage: 'nobody' }, steps: [EMAIL_STEP] })
    const stale = Date.now() - 10 * 60_000
    // The state a crash leaves: the run is written, its first step job never made it to the queue.
    await env.DB.prepare("insert into flow_enrollments (flow_id, lead_id, number, site_id, cursor, next_at, enrolled_at) values (?, ?, 1, ?, '0', ?, ?)")
      .bind(flow.id, leadId, site.id, stale, stale)
      .run()
    await worker.scheduled(createScheduledController({ cron: FLOW_SWEEP, scheduledTime: Date.now() }), env)
    const rows = await waitForOutbox(leadId, (r) => r.some((m) => m.status === 'sent'))
    expect(rows).toHaveLength(1)
    expect((await runs(flow.id, leadId))[0]!.status).toBe('completed')
  })

  it('a message left "sending" by a stopped consumer: re-sent through a deduping provider, never twice otherwise', async () => {
    // Catches a blind re-send through a provider without idempotency after a crash mid-send.
    const { site, aid, leadId } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, steps: [EMAIL_STEP] })
    await viewPricing(site, aid)
    const [message] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const strand = () =>
      env.DB.prepare("update messages set status = 'sending', claimed_at = ? where id = ?").bind(Date.now() - 10 * 60_000, message!.id).run()
    const db = openDb(env.DB)
    await strand()
    expect(await deliverMessage(db, env, { kind: 'deliver', siteId: site.id, messageId: message!.id }, { now: Date.now })).toEqual({ ack: true })
    expect((await outbox(leadId))[0]).toMatchObject({ status: 'sent' }) // outbox provider: safe to repeat
    await strand()
    const cloudflareEnv = { ...env, EMAIL_PROVIDER: 'cloudflare' } as Env
    await deliverMessage(db, cloudflareEnv, { kind: 'deliver', siteId: site.id, messageId: message!.id }, { now: Date.now })
    expect((await outbox(leadId))[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('outcome_unknown') })
  })

  it('flow starts that fail after the events were committed go to the queue and start there, once', async () => {
    // Catches a trigger lost for good: the events are stored, starting the flows fails (a D1 hiccup), and the
    // client's retry finds the events stored, so no transition is computed again and nobody is enrolled.
    const { site, aid, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: PRICING, steps: [EMAIL_STEP] })
    const siteRow = (await findSite(openDb(env.DB), site.id))!
    const now = Date.now()
    const events = EventBatch.parse({ site: site.key, batch: [pageEvent(aid, `${ORIGIN}/pricing`)] }).batch.map((e) => normalizeEvent(e, undefined, now))
    const stored = await storeEvents(openDb(env.DB), siteRow, events, now)
    expect(stored.transitions).toHaveLength(1)
    const down = new Proxy(openDb(env.DB), {
      get: () => {
        throw new Error('D1_ERROR: Network connection lost.')
      },
    })
    const sent: Job[] = []
    const queue = { send: async (job: Job) => void sent.push(job), sendBatch: async () => undefined } as unknown as Queue<Job>
    expect(await startFlowsOrDefer(down, queue, siteRow, stored.transitions, now)).toMatchObject({ enrolled: 0 })
    expect(sent).toEqual([expect.objectContaining({ kind: 'start-flows', siteId: site.id, at: now })])
    expect(await runs(flow.id, leadId)).toHaveLength(0)
    // The queue runs it (twice, as a redelivery would): one run, one email.
    for (let delivery = 1; delivery <= 2; delivery++) expect((await consume(JSON.parse(JSON.stringify(sent)), delivery)).retryMessages).toEqual([])
    expect(await runs(flow.id, leadId)).toHaveLength(1)
    expect(await waitForOutbox(leadId, (r) => r.length === 1 && r[0]!.status === 'sent')).toHaveLength(1)
  })

  it('a webhook left "sending" by a stopped consumer is not posted again (a Slack channel would show it twice)', async () => {
    // Catches the stale-claim path re-posting a sales alert whose first post may have gone through.
    const { site, aid, leadId } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, steps: [{ type: 'webhook', url: 'https://hooks.test/200/slack', body: { text: 'hot' } }] })
    await viewPricing(site, aid)
    const [message] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    await env.DB.prepare("update messages set status = 'sending', claimed_at = ? where id = ?").bind(Date.now() - 10 * 60_000, message!.id).run()
    let posts = 0
    const counting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      posts++
      return fetch(input, init)
    }) as typeof fetch
    const job = { kind: 'deliver' as const, siteId: site.id, messageId: message!.id }
    expect(await deliverMessage(openDb(env.DB), env, job, { now: Date.now, fetcher: counting })).toEqual({ ack: true })
    expect(posts).toBe(0)
    expect((await outbox(leadId))[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('outcome_unknown') })
    // A claim still fresh belongs to a consumer at work: looked at again later, not posted.
    await env.DB.prepare("update messages set status = 'sending', claimed_at = ? where id = ?").bind(Date.now(), message!.id).run()
    expect(await deliverMessage(openDb(env.DB), env, job, { now: Date.now, fetcher: counting })).toEqual({ retry: 60 })
    expect(posts).toBe(0)
  })
})

describe('goals, caps, suppression', { timeout: 30_000 }, () => {
  it('a goal event ends the run at once and cancels its pending message and steps', async () => {
    // Catches exits applied only after the current delay (a held email still going out after purchase).
    const { site, aid, leadId } = await knownLead()
    const allDay = { quietHours: { start: '00:00', end: '23:59' } }
    const flow = await createFlow(site.id, {
      trigger: PRICING,
      goal: { type: 'track', event: 'Purchased' },
      policy: allDay,
      steps: [EMAIL_STEP, { type: 'wait', seconds: 3600 }, EMAIL_STEP],
    })
    await viewPricing(site, aid)
    await waitForOutbox(leadId, (r) => r[0]?.reason === 'held: quiet_hours')
    expect((await track(site, aid, 'Purchased')).status).toBe(202)
    // At once: in the ingest request, not after the hold or the wait.
    expect((await outbox(leadId)).map((m) => m.status)).toEqual(['cancelled'])
    expect((await runs(flow.id, leadId))[0]).toMatchObject({ status: 'exited', exit_reason: 'goal', cursor: null })
    await consume([{ kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '2' }])
    expect(await outbox(leadId)).toHaveLength(1)
  })

  it('one frequency cap holds across email and in-app, and delays instead of dropping', async () => {
    // Catches caps that count email only (in-app exempt) or that race past the limit in parallel deliveries.
    const { site, aid, leadId } = await knownLead({ settings: { messagePolicy: { maxPerDay: 2 } } })
    await createFlow(site.id, { trigger: PRICING, steps: [IN_APP_STEP, EMAIL_STEP] })
    await createFlow(site.id, { trigger: PRICING, steps: [{ ...IN_APP_STEP, title: 'Second flow' }, { ...EMAIL_STEP, subject: 'Second' }] })
    await viewPricing(site, aid)
    const rows = await waitForOutbox(leadId, (r) => r.length === 4 && r.filter((m) => m.status === 'sent').length === 2 && r.filter((m) => m.reason === 'held: frequency_cap').length === 2)
    expect(rows.filter((m) => m.status === 'queued')).toHaveLength(2)
    expect(new Set(rows.filter((m) => m.status === 'sent').map((m) => m.channel)).size).toBeGreaterThanOrEqual(1)
  })

  it('one-click unsubscribe: GET confirms, POST answers 200 without redirect, the next email is suppressed', async () => {
    // Catches an unsubscribe that needs a cookie or redirects, a GET that unsubscribes, and a send-time
    // suppression check that is missing.
    const { site, aid, leadId, email } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, reentry: { type: 'cooldown', days: 1 }, steps: [EMAIL_STEP] })
    await viewPricing(site, aid)
    const [sent] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const detail = (await (await admin(`/api/sites/${site.id}/messages/${sent!.id}`)).json()) as { headers: Record<string, string>; html: string; text: string }
    expect(detail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    const url = /^<(https:\/\/cairn\.test\/u\/[^>]+)>$/.exec(detail.headers['List-Unsubscribe']!)![1]!
    expect(url).not.toContain(email.split('@')[0]) // opaque: no address in the token
    expect(detail.html).toContain('Hello Ada &lt;b&gt;')
    expect(detail.html).toContain(url.replace(/&/g, '&amp;'))
    const path = new URL(url).pathname
    const page = await call(path)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<form method="post">')
    expect((await call(`${path.slice(0, -3)}AAA`, { method: 'POST' })).status).toBe(404) // tampered signature
    expect(await env.DB.prepare('select count(*) as n from suppressions where site_id = ?').bind(site.id).first('n')).toBe(0)
    const post = await call(path, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' })
    expect(post.status).toBe(200)
    expect(post.headers.get('location')).toBeNull()
    expect(post.headers.get('set-cookie')).toBeNull()
    // A new run (the cool-down is shifted back) writes an email that the suppression list stops.
    await env.DB.prepare('update flow_enrollments set enrolled_at = enrolled_at - 2 * 86400000, ended_at = ended_at - 2 * 86400000 where lead_id = ?').bind(leadId).run()
    await viewPricing(site, aid)
    const rows = await waitForOutbox(leadId, (r) => r.length === 2 && r.some((m) => m.status === 'suppressed'))
    expect(rows.filter((m) => m.status === 'sent')).toHaveLength(1)
  })
})

describe('channels', { timeout: 30_000 }, () => {
  it('in-app messages come back in /v1/personalize for that visitor only, text only, without lead data', async () => {
    // Catches another visitor's message leaking, or an email/score in the public answer.
    const { site, aid, leadId, email } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, steps: [{ ...IN_APP_STEP, title: 'Hi {{lead.traits.firstName|there}} {{lead.email}}' }] })
    await viewPricing(site, aid)
    const [message] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const ask = async (visitor: string) => {
      const response = await call(`/v1/personalize?site=${site.key}&url=${encodeURIComponent(`${ORIGIN}/`)}&aid=${visitor}`, { headers: { origin: ORIGIN } })
      return (await response.json()) as { messages: Array<Record<string, unknown>> }
    }
    const mine = await ask(aid)
    expect(mine.messages).toEqual([{ id: message!.id, kind: 'banner', title: 'Hi Ada ', body: 'Talk to us.', cta: { label: 'Book a demo', url: '/demo' } }])
    expect(JSON.stringify(mine)).not.toContain(email)
    expect((await ask(uniqueId('a_'))).messages).toEqual([])
    // Dismissed by the SDK's tracked event: gone from the next answer.
    await track(site, aid, 'Message Dismissed', { messageId: message!.id })
    expect((await ask(aid)).messages).toEqual([])
  })

  it('the Resend-compatible adapter sends Idempotency-Key and RFC 8058 headers to the provider', async () => {
    // Catches a missing Idempotency-Key (the stand-in refuses it) or unsubscribe headers dropped on the way.
    const { site, aid, leadId } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, policy: { quietHours: { start: '00:00', end: '23:59' } }, steps: [EMAIL_STEP] })
    await viewPricing(site, aid)
    const [held] = await waitForOutbox(leadId, (r) => r[0]?.reason === 'held: quiet_hours')
    await env.DB.prepare('update messages set due_at = 0 where id = ?').bind(held!.id).run()
    const resendEnv = { ...env, RESEND_API_KEY: 're_test_key', RESEND_API_URL: 'https://email-api.test' } as Env
    const db = openDb(env.DB)
    await env.DB.prepare("update flows set definition = json_remove(definition, '$.policy') where site_id = ?").bind(site.id).run()
    expect(await deliverMessage(db, resendEnv, { kind: 'deliver', siteId: site.id, messageId: held!.id }, { now: Date.now })).toEqual({ ack: true })
    const [sent] = await outbox(leadId)
    expect(sent).toMatchObject({ status: 'sent', provider_id: expect.stringContaining(held!.id) })
    // The provider dedupes on the key: the same message sent again returns the same email id.
    const provider = resendProvider('re_test_key', 'https://email-api.test')
    const email = { id: held!.id, to: 'x@example.com', subject: 's', content: { channel: 'email' as const, from: 'a@b.c', headers: { 'List-Unsubscribe': '<https://x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }, html: '', text: '' } }
    expect(await provider.send(email)).toEqual({ ok: true, providerId: sent!.provider_id })
    expect(await resendProvider('wrong', 'https://email-api.test').send(email)).toMatchObject({ ok: false, retry: false })
  })

  it('webhooks: Slack-style JSON by default, HMAC-signed for generic receivers; 5xx retries', async () => {
    // Catches an unsigned generic webhook, lost token rendering, or a failed receiver marked sent.
    const { site, aid, leadId, email } = await knownLead()
    await createFlow(site.id, {
      trigger: PRICING,
      steps: [
        { type: 'webhook', url: 'https://hooks.test/200/slack', body: { text: '{{lead.email}} is hot' } },
        { type: 'webhook', url: 'https://hooks.test/200/generic', format: 'signed', body: { lead: '{{lead.email}}' } },
        { type: 'webhook', url: 'https://hooks.test/503/down' },
      ],
    })
    await viewPricing(site, aid)
    // The 503 receiver's message goes back to the queue for a retry (not failed, not sent).
    const retrying = (m: { step: string; status: string; reason: string | null }) => m.step === '2' && m.status === 'queued' && m.reason === 'webhook: HTTP 503'
    const rows = await waitForOutbox(leadId, (r) => r.length === 3 && r.filter((m) => m.status === 'sent').length === 2 && r.some(retrying))
    const detail = (await (await admin(`/api/sites/${site.id}/messages/${rows[0]!.id}`)).json()) as { content: { body: unknown } }
    expect(detail.content.body).toEqual({ text: `${email} is hot` })
    const seen: Request[] = []
    const capture = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init))
      return fetch(input, init)
    }) as typeof fetch
    await env.DB.prepare("update messages set status = 'queued', claim_token = null where id = ?").bind(rows[1]!.id).run()
    await deliverMessage(openDb(env.DB), env, { kind: 'deliver', siteId: site.id, messageId: rows[1]!.id }, { now: Date.now, fetcher: capture })
    // A receiver holding the secret can verify it: HMAC-SHA256 of "t.body", hex.
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(seen[0]!.headers.get('cairn-signature') ?? '')!
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('test-webhook-secret'), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    const mac = Uint8Array.from(v1!.match(/../g)!.map((h) => parseInt(h, 16)))
    expect(await crypto.subtle.verify('HMAC', key, mac, new TextEncoder().encode(`${t}.${await seen[0]!.clone().text()}`))).toBe(true)
    expect(JSON.parse(await seen[0]!.text())).toEqual({ lead: email })
    expect(seen[0]!.headers.get('idempotency-key')).toBe(rows[1]!.id)
  })

  it('the Cloudflare send_email binding (simulated by miniflare) sends the rendered email', async () => {
    // Catches a binding call the runtime refuses (wrong shape, own headers passed twice).
    const { site, aid, leadId } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, policy: { quietHours: { start: '00:00', end: '23:59' } }, steps: [EMAIL_STEP] })
    await viewPricing(site, aid)
    const [held] = await waitForOutbox(leadId, (r) => r[0]?.reason === 'held: quiet_hours')
    await env.DB.prepare("update flows set definition = json_remove(definition, '$.policy') where site_id = ?").bind(site.id).run()
    await env.DB.prepare('update messages set due_at = 0 where id = ?').bind(held!.id).run()
    const cloudflareEnv = { ...env, EMAIL_PROVIDER: 'cloudflare' } as Env
    await deliverMessage(openDb(env.DB), cloudflareEnv, { kind: 'deliver', siteId: site.id, messageId: held!.id }, { now: Date.now })
    const [sent] = await outbox(leadId)
    expect(sent, JSON.stringify(sent)).toMatchObject({ status: 'sent' })
    expect((await admin(`/api/sites/${site.id}/messages/${held!.id}`).then((r) => r.json())) as object).toMatchObject({ provider: 'cloudflare' })
  })

  it('a signed provider webhook suppresses bounced addresses; unsigned ones are refused', async () => {
    // Catches forged bounce events suppressing addresses, and hard bounces not reaching the list.
    const { site, aid, leadId, email } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, steps: [EMAIL_STEP] })
    await viewPricing(site, aid)
    const [sent] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const bounce = { type: 'email.bounced', data: { to: [email], bounce: { type: 'Permanent' }, tags: { cairn_message: sent!.id } } }
    expect((await postProviderEvent(bounce, { signature: 'v1,' + btoa('forged') })).status).toBe(401)
    expect(await env.DB.prepare('select count(*) as n from suppressions where site_id = ?').bind(site.id).first('n')).toBe(0)
    const accepted = await postProviderEvent(bounce)
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toEqual({ suppressed: email, reason: 'bounce' })
    const list = (await (await admin(`/api/sites/${site.id}/suppressions`)).json()) as { suppressions: Array<{ email: string; reason: string }> }
    expect(list.suppressions).toEqual([expect.objectContaining({ email, reason: 'bounce' })])
  })

  it("the provider's opens and clicks mark their email with the earliest time reported; forged and unknown ones change nothing", async () => {
    // Catches opens counted only from Cairn's pixel, a retried event moving the first open, and unsigned events accepted.
    const { site, aid, leadId } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, steps: [EMAIL_STEP] })
    await viewPricing(site, aid)
    const [sent] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const row = async () =>
      (await env.DB.prepare('select sent_at, opened_at, clicked_at, provider_id from messages where id = ?').bind(sent!.id).first<{ sent_at: number; opened_at: number | null; clicked_at: number | null; provider_id: string }>())!
    // The tests send through the outbox provider, which has no ids: give the email the id a provider would
    // have, and an hour's age so the provider's event times below are in the past.
    const providerId = `em_${uniqueId('')}`
    const sentAt = Date.now() - 3_600_000
    await env.DB.prepare('update messages set provider_id = ?, sent_at = ? where id = ?').bind(providerId, sentAt, sent!.id).run()
    const opened = { type: 'email.opened', created_at: new Date(sentAt + 2000).toISOString(), data: { email_id: providerId, tags: { cairn_message: sent!.id } } }
    expect((await postProviderEvent(opened, { signature: 'v1,' + btoa('forged') })).status).toBe(401)
    expect((await row()).opened_at).toBeNull()
    const first = await postProviderEvent(opened)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ recorded: 'opened' })
    expect((await row()).opened_at).toBe(sentAt + 2000)
    // The same event retried and a later open change nothing; an earlier open reported late moves it back.
    expect((await postProviderEvent(opened)).status).toBe(200)
    expect((await postProviderEvent({ ...opened, created_at: new Date(sentAt + 60_000).toISOString() })).status).toBe(200)
    expect((await row()).opened_at).toBe(sentAt + 2000)
    expect((await postProviderEvent({ ...opened, created_at: new Date(sentAt + 1000).toISOString() })).status).toBe(200)
    expect((await row()).opened_at).toBe(sentAt + 1000)
    // Found by the provider's id alone; a provider clock behind the send is held at the send.
    const clicked = await postProviderEvent({ type: 'email.clicked', created_at: new Date(sentAt - 5000).toISOString(), data: { email_id: providerId } })
    expect(await clicked.json()).toEqual({ recorded: 'clicked' })
    expect((await row()).clicked_at).toBe(sentAt)
    // Unknown messages and event types are acknowledged (no provider retries) and change nothing.
    expect(await (await postProviderEvent({ type: 'email.opened', data: { email_id: 'em_unknown' } })).json()).toEqual({ ignored: true })
    expect(await (await postProviderEvent({ type: 'email.delivery_delayed', data: { email_id: providerId } })).json()).toEqual({ ignored: true })
    const shown = (await (await admin(`/api/sites/${site.id}/messages/${sent!.id}`)).json()) as { openedAt: string | null; clickedAt: string | null }
    expect(shown).toMatchObject({ openedAt: new Date(sentAt + 1000).toISOString(), clickedAt: new Date(sentAt).toISOString() })
  })

  it('in production, a site without a postal address gets its email marked failed with the reason', async () => {
    // Catches a production deployment sending marketing email without the postal address.
    const { site, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: { type: 'stage', stage: 'nobody' }, steps: [EMAIL_STEP] })
    await env.DB.prepare("insert into flow_enrollments (flow_id, lead_id, number, site_id, cursor, next_at, enrolled_at) values (?, ?, 1, ?, '0', ?, ?)")
      .bind(flow.id, leadId, site.id, Date.now(), Date.now())
      .run()
    const { runFlowSteps } = await import('../../worker/src/services/flows/run-steps')
    const production = { ...env, ENVIRONMENT: 'production' } as Env
    await runFlowSteps(openDb(env.DB), production, { kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '0' }, Date.now)
    expect((await outbox(leadId))[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('postal_address_missing') })
  })
})

describe('queue and cron', { timeout: 30_000 }, () => {
  it('dead-lettered jobs are kept in D1 and listed for the operator', async () => {
    // Catches dead letters that vanish with the queue's retention instead of reaching the operator.
    const { site } = await knownLead()
    const job: Job = { kind: 'deliver', siteId: site.id, messageId: 'msg_gone' }
    const batch = createMessageBatch<Job>('cairn-jobs-dlq', [{ id: uniqueId('dl_'), timestamp: new Date(), attempts: 6, body: job }])
    await worker.queue(batch, env)
    const result = await getQueueResult(batch, createExecutionContext())
    expect(result.retryMessages).toEqual([])
    const { deadLetters } = (await (await admin(`/api/sites/${site.id}/dead-letters`)).json()) as { deadLetters: Array<{ kind: string; body: unknown }> }
    expect(deadLetters).toEqual([expect.objectContaining({ kind: 'deliver', body: job })])
  })

  it('a wait over 12 hours is stored, ignores early step jobs, and is released by the sweep when due', async () => {
    // Catches long waits that are never released (the queue cannot delay past 12 h) or released early.
    const { site, aid, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: PRICING, steps: [{ type: 'wait', seconds: 2 * 86400 }, EMAIL_STEP] })
    await viewPricing(site, aid)
    let run: Awaited<ReturnType<typeof runs>>[number] | undefined
    await vi.waitFor(async () => {
      run = (await runs(flow.id, leadId))[0]
      expect(run?.cursor).toBe('1')
    }, { timeout: 10_000 })
    expect(run!.next_at! - Date.now()).toBeGreaterThan(47 * 3600_000)
    // A step job arriving early (a duplicate, a sweep) leaves the wait alone.
    await consume([{ kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '1' }])
    expect(await outbox(leadId)).toEqual([])
    expect((await runs(flow.id, leadId))[0]).toMatchObject({ cursor: '1', next_at: run!.next_at })
    // Two days on (moved back instead of waiting): the sweep releases the run and the email goes out.
    await env.DB.prepare('update flow_enrollments set next_at = ? where flow_id = ?').bind(Date.now() - 6 * 60_000, flow.id).run()
    await worker.scheduled(createScheduledController({ cron: FLOW_SWEEP, scheduledTime: Date.now() }), env)
    expect((await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')).map((m) => m.status)).toEqual(['sent'])
  })

  it('the hourly cron enrolls leads that went quiet for N days (inactive trigger)', async () => {
    // Catches inactivity flows that never start (ingest cannot see silence; only the cron can).
    const { site, leadId } = await knownLead()
    const flow = await createFlow(site.id, { trigger: { type: 'inactive', days: 30 }, steps: [{ type: 'update', tag: 'quiet' }] })
    await env.DB.prepare('update leads set last_seen = ? where id = ?').bind(Date.now() - 30 * 86400_000 - 3600_000, leadId).run()
    await worker.scheduled(createScheduledController({ cron: HOURLY, scheduledTime: Date.now() }), env)
    expect(await runs(flow.id, leadId)).toHaveLength(1)
    await vi.waitFor(async () => expect((await runs(flow.id, leadId))[0]!.status).toBe('completed'), { timeout: 10_000 })
    const lead = await env.DB.prepare('select traits from leads where id = ?').bind(leadId).first<{ traits: string }>()
    expect(JSON.parse(lead!.traits).tags).toEqual(['quiet'])
  })
})

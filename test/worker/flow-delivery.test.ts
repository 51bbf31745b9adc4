// The JOBS consumer under failure (a message that throws mid-batch, the whole batch redelivered) and the
// delivery policy's other half: a held message waits, and is dropped only once it expires.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import worker from '../../worker/src/index'
import { openDb } from '../../worker/src/db/client'
import type { Job } from '../../worker/src/queue/jobs'
import { deliverMessage } from '../../worker/src/services/flows/deliver'
import { createFlow, knownLead, outbox, runs, viewPricing, waitForOutbox } from './flow-helpers'
import { uniqueId } from './helpers'

const EMAIL_STEP = { type: 'email', subject: 'Hi {{lead.traits.firstName|there}}', body: 'Hello' }
const NEVER = { type: 'stage', stage: 'nobody' }

async function consume(messages: Array<{ id: string; body: Job }>, attempts: number) {
  const batch = createMessageBatch<Job>('cairn-jobs', messages.map((m) => ({ ...m, timestamp: new Date(), attempts })))
  const ctx = createExecutionContext()
  await worker.queue(batch, env)
  return getQueueResult(batch, ctx)
}

it('a message that fails mid-batch is retried alone; the batch redelivered whole sends nothing twice', { timeout: 60_000 }, async () => {
  // Catches a consumer that acks or retries the whole batch together (losing or repeating its neighbours'
  // effects), or whose redelivered batch repeats an email or a step.
  const { site, leadId } = await knownLead()
  const flow = await createFlow(site.id, { trigger: NEVER, steps: [EMAIL_STEP, { type: 'update', points: 7 }] })
  await env.DB.prepare("insert into flow_enrollments (flow_id, lead_id, number, site_id, cursor, next_at, enrolled_at) values (?, ?, 1, ?, '0', ?, ?)")
    .bind(flow.id, leadId, site.id, Date.now(), Date.now())
    .run()
  // A row the consumer cannot read (its content is not JSON): the deliver job for it throws.
  const broken = uniqueId('msg_broken_')
  await env.DB.prepare("insert into messages (id, site_id, lead_id, channel, status, content, due_at, expires_at, created_at) values (?, ?, ?, 'in_app', 'queued', '{not json', 0, ?, 0)")
    .bind(broken, site.id, leadId, Date.now() + 3600_000)
    .run()
  const messages = [
    { id: uniqueId('step_'), body: { kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '0' } as Job },
    { id: uniqueId('bad_'), body: { kind: 'deliver', siteId: site.id, messageId: broken } as Job },
  ]
  const first = await consume(messages, 1)
  expect(first.explicitAcks).toEqual([messages[0]!.id])
  expect(first.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([messages[1]!.id]) // retried alone (the result omits its delay)
  const rows = (await outbox(leadId)).filter((m) => m.id !== broken)
  expect(rows.map((m) => m.status)).toEqual(['sent'])
  expect((await runs(flow.id, leadId))[0]).toMatchObject({ status: 'completed' })

  // The isolate died before the acks reached the queue: every message comes back.
  const again = await consume(messages, 2)
  expect(again.explicitAcks).toEqual([messages[0]!.id])
  expect((await outbox(leadId)).filter((m) => m.id !== broken).map((m) => [m.status, m.attempts])).toEqual(rows.map((m) => [m.status, m.attempts]))
  const lead = await env.DB.prepare('select score from leads where id = ?').bind(leadId).first<{ score: number }>()
  expect(lead!.score).toBe(7) // the points step ran once
})

it('a message held by quiet hours stays queued with a later due time, and is cancelled only past its expiry', { timeout: 60_000 }, async () => {
  // Catches a policy that drops held messages (instead of delaying them) or sends them after they expired.
  const { site, aid, leadId } = await knownLead()
  await createFlow(site.id, {
    trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } },
    policy: { quietHours: { start: '00:00', end: '23:59' } },
    steps: [{ type: 'in_app', title: 'Hello', expiresHours: 2 }, EMAIL_STEP],
  })
  await viewPricing(site, aid)
  const held = await waitForOutbox(leadId, (r) => r.length === 2 && r.every((m) => m.reason === 'held: quiet_hours'))
  for (const message of held) {
    const row = await env.DB.prepare('select status, due_at, expires_at from messages where id = ?').bind(message.id).first<{ status: string; due_at: number; expires_at: number }>()
    expect(row!.status).toBe('queued')
    expect(row!.due_at).toBeGreaterThan(Date.now())
  }
  // Still inside quiet hours when it expires: cancelled with the reason, never sent late.
  const inApp = held.find((m) => m.channel === 'in_app')!
  await env.DB.prepare('update messages set due_at = 0, expires_at = ? where id = ?').bind(Date.now() - 1000, inApp.id).run()
  expect(await deliverMessage(openDb(env.DB), env, { kind: 'deliver', siteId: site.id, messageId: inApp.id }, { now: Date.now })).toEqual({ ack: true })
  const after = await outbox(leadId)
  expect(after.find((m) => m.id === inApp.id)).toMatchObject({ status: 'cancelled', reason: expect.stringContaining('expired') })
  expect(after.find((m) => m.channel === 'email')).toMatchObject({ status: 'queued', reason: 'held: quiet_hours' })
})

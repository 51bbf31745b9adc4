// Queue-buffered ingest: durable in the JOBS queue before the 202; the consumer writes D1 idempotently,
// so a message redelivered after a crash changes nothing.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { app } from '../../worker/src/app'
import { normalizeEvent, EventBatch } from '../../worker/src/domain/events'
import worker from '../../worker/src/index'
import type { Job } from '../../worker/src/queue/jobs'
import { BROWSER_UA, countRows, createSite, leadsOf, ORIGIN, pageEvent, trackEvent, uniqueId } from './helpers'

describe('queue ingest mode', () => {
  it('answers 202 once the batch is queued, then the consumer stores it', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    const body = JSON.stringify({ site: site.key, batch: [pageEvent(aid, `${ORIGIN}/`), trackEvent(aid, 'Signed Up')] })
    const queueEnv = { ...env, INGEST_MODE: 'queue' } as unknown as Env
    const request = () =>
      new Request('https://cairn.test/v1/events', { method: 'POST', body, headers: { origin: ORIGIN, 'user-agent': BROWSER_UA } })
    const response = await app.fetch(request(), queueEnv, createExecutionContext())
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 0 })
    await vi.waitFor(async () => expect(await countRows('events', site.id)).toBe(2), { timeout: 10_000, interval: 100 })

    const replay = await app.fetch(request(), queueEnv, createExecutionContext())
    expect(await replay.json()).toEqual({ accepted: 0, duplicates: 2 })
  })

  it('a redelivered ingest message stores its events and lead effects once', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    const parsed = EventBatch.parse({ site: site.key, batch: [pageEvent(aid, `${ORIGIN}/`), pageEvent(aid, `${ORIGIN}/pricing`)] })
    const job: Job = { kind: 'ingest', siteId: site.id, receivedAt: Date.now(), events: parsed.batch.map((e) => normalizeEvent(e, undefined, Date.now())) }
    for (let delivery = 1; delivery <= 2; delivery++) {
      const batch = createMessageBatch<Job>('cairn-jobs', [{ id: `m-${delivery}`, timestamp: new Date(), attempts: delivery, body: job }])
      const ctx = createExecutionContext()
      await worker.queue(batch, env)
      const result = await getQueueResult(batch, ctx)
      expect(result.explicitAcks).toEqual([`m-${delivery}`])
    }
    expect(await countRows('events', site.id)).toBe(2)
    const [lead] = await leadsOf(site.id, `anonymousId=${aid}`)
    expect(lead!.eventCount).toBe(2)
  })
})

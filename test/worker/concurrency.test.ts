// Lead state under parallel ingest: many requests for one visitor at the same moment, replays mixed in,
// in direct and queue mode. Each request reads lead state before its transaction commits, so these catch
// last-writer-wins counters, limits checked against a stale ledger, lost emails and replays that write.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { EventBatch, normalizeEvent } from '../../worker/src/domain/events'
import worker from '../../worker/src/index'
import type { Job } from '../../worker/src/queue/jobs'
import { openDb, type Db } from '../../worker/src/db/client'
import { findSite } from '../../worker/src/db/sites'
import { restageCustomers } from '../../worker/src/services/lifecycle-jobs'
import { rescoreLeads } from '../../worker/src/services/rescore'
import { admin, countRows, createSite, identifyEvent, leadsOf, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId, type TestSite } from './helpers'

const REQUESTS = 20

async function addRules(site: TestSite) {
  const rules = [
    { name: 'Viewed pricing', points: 5, limit: 3, match: { type: 'page', path: '/pricing' } },
    { name: 'Signed up', points: 20, limit: 1, match: { type: 'track', event: 'Signed Up' } },
    { name: 'Work email', points: 15, match: { type: 'identify', where: [{ field: 'traits.company', op: 'exists' }] } },
  ]
  for (const rule of rules) expect((await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: rule })).status).toBe(201)
  // Purchases count through the site's lifecycle events.
  expect((await admin(`/api/sites/${site.id}/scoring`, { method: 'PUT', json: { purchaseEvents: ['Purchased'] } })).status).toBe(200)
}

/** One request's batch: a pricing view, a signup, a purchase of 100. */
const requestBatch = (aid: string) => [pageEvent(aid, `${ORIGIN}/pricing`), trackEvent(aid, 'Signed Up'), trackEvent(aid, 'Purchased', { revenue: 100 })]

async function expectExactLead(site: TestSite, aid: string, email: string) {
  const found = await leadsOf(site.id, `anonymousId=${aid}`)
  expect(found).toHaveLength(1)
  const lead = found[0]!
  expect(await countRows('leads', site.id)).toBe(1)
  expect(await countRows('events', site.id)).toBe(REQUESTS * 3 + 2)
  // Every event is stored; the lead's event count leaves out Cairn's own Web Vitals event.
  expect(lead).toMatchObject({ eventCount: REQUESTS * 3 + 1, purchases: REQUESTS, revenue: REQUESTS * 100, email })
  const detail = (await (await admin(`/api/sites/${site.id}/leads/${lead.id}`)).json()) as { scoreBreakdown: Array<{ rule?: string; ruleId?: string; points: number }> }
  // 3 pricing views (limit 3) + 1 signup (limit 1) + the fit rule.
  expect(detail.scoreBreakdown).toHaveLength(5)
  expect(lead.score).toBe(3 * 5 + 20 + 15)
}

describe('parallel ingest for one lead', () => {
  // Catches counters lost to last-writer-wins, ledger entries beyond a rule's limit, a concurrent Web
  // Vitals write overwriting the identify's email, and a replay that applies lead writes again.
  it('direct mode: exact counters, ledger, score and email with replays mixed in', async () => {
    const site = await createSite()
    await addRules(site)
    const aid = uniqueId('a_')
    const email = `${uniqueId('m')}@example.com`
    const batches = Array.from({ length: REQUESTS }, () => requestBatch(aid))
    const identify = [identifyEvent(aid, null, { email, company: 'Acme' })]
    const vitals = [trackEvent(aid, 'Web Vitals', { metric: 'LCP', value: 900 })]
    const sends = [...batches, identify, vitals, ...batches.slice(0, 8), identify]
    const responses = await Promise.all(sends.map((batch) => sendEvents(site.key, batch)))
    for (const response of responses) expect(response.status).toBe(202)
    const accepted = await Promise.all(responses.map(async (r) => ((await r.json()) as { accepted: number }).accepted))
    expect(accepted.reduce((a, b) => a + b, 0)).toBe(REQUESTS * 3 + 2)
    await expectExactLead(site, aid, email)
  }, 60_000)

  // The same through the queue consumer: parallel deliveries, redeliveries included.
  it('queue mode: the consumer keeps lead state exact under parallel deliveries', async () => {
    const site = await createSite()
    await addRules(site)
    const aid = uniqueId('a_')
    const email = `${uniqueId('m')}@example.com`
    const now = Date.now()
    const jobOf = (batch: unknown[]): Job => ({
      kind: 'ingest',
      siteId: site.id,
      receivedAt: now,
      events: EventBatch.parse({ site: site.key, batch }).batch.map((e) => normalizeEvent(e, undefined, now)),
    })
    const jobs = [
      ...Array.from({ length: REQUESTS }, () => jobOf(requestBatch(aid))),
      jobOf([identifyEvent(aid, null, { email, company: 'Acme' })]),
      jobOf([trackEvent(aid, 'Web Vitals', { metric: 'CLS', value: 0 })]),
    ]
    const deliveries = [...jobs, ...jobs.slice(0, 6)].map((body, i) =>
      createMessageBatch<Job>('cairn-jobs', [{ id: `m-${i}`, timestamp: new Date(), attempts: 1, body }]),
    )
    await Promise.all(
      deliveries.map(async (batch) => {
        const ctx = createExecutionContext()
        await worker.queue(batch, env)
        const result = await getQueueResult(batch, ctx)
        expect(result.retryMessages).toEqual([])
      }),
    )
    await expectExactLead(site, aid, email)
  }, 60_000)

  // Catches two devices identifying as the same person at once ending as two leads, or one lead with
  // the other's counters lost.
  it('two visitors merging concurrently end as one lead with both histories', async () => {
    const site = await createSite()
    await addRules(site)
    const email = `${uniqueId('m')}@example.com`
    const laptop = uniqueId('a_')
    const phone = uniqueId('a_')
    await Promise.all([sendEvents(site.key, requestBatch(laptop)), sendEvents(site.key, requestBatch(phone))])
    const sends = [laptop, phone].flatMap((aid) => [
      [identifyEvent(aid, null, { email })],
      requestBatch(aid),
      [identifyEvent(aid, null, { email }), ...requestBatch(aid)],
    ])
    const responses = await Promise.all(sends.map((batch) => sendEvents(site.key, batch)))
    for (const response of responses) expect(response.status).toBe(202)

    expect(await countRows('leads', site.id)).toBe(1)
    const [lead] = await leadsOf(site.id, `email=${email}`)
    expect(lead!.anonymousIds).toHaveLength(2)
    expect(lead).toMatchObject({ purchases: 6, revenue: 600, eventCount: 22 })
    expect(lead!.score).toBe(3 * 5 + 20) // limits counted over both devices, no fit rule matched
  }, 60_000)
})

/**
 * A Db whose n-th batch first lets `meanwhile` run: another request's write lands between this job's read
 * and its write, the interleaving a busy site produces at random, made certain.
 */
function interleaved(nth: number, meanwhile: () => Promise<unknown>): Db {
  const db = openDb(env.DB)
  let calls = 0
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'batch') return Reflect.get(target, prop, receiver)
      return async (statements: Parameters<Db['batch']>[0]) => {
        if (++calls === nth) await meanwhile()
        return target.batch(statements)
      }
    },
  })
}

describe('background jobs against a concurrent ingest', () => {
  // Catches a re-score (rule change, lapse cron) writing a replay of the state it read over an ingest that
  // committed meanwhile: that event's points and purchase were lost until the next full re-score.
  it("a re-score that read a lead before an ingest committed does not overwrite the ingest's points and purchase", async () => {
    const site = await createSite()
    await addRules(site)
    const aid = uniqueId('a_')
    expect((await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/pricing`)])).status).toBe(202)
    const [lead] = await leadsOf(site.id, `anonymousId=${aid}`)
    const siteRow = (await findSite(openDb(env.DB), site.id))!
    // Batch 1 is the re-score's read, batch 2 its write: the ingest commits in between.
    const db = interleaved(2, async () => expect((await sendEvents(site.key, requestBatch(aid))).status).toBe(202))
    await rescoreLeads(db, env.JOBS as never, siteRow, [lead!.id], Date.now())
    const [after] = await leadsOf(site.id, `anonymousId=${aid}`)
    expect(after).toMatchObject({ purchases: 1, revenue: 100, score: 2 * 5 + 20 })
    const ledger = await env.DB.prepare('select count(*) as n from score_entries where lead_id = ?').bind(lead!.id).first<number>('n')
    expect(ledger).toBe(3)
  })

  // Catches the daily re-stage writing a stage and RFM computed from the customer it read over a purchase
  // that committed meanwhile: her stage history then says she went from customer to at risk while she was a
  // repeat buyer, and her RFM counts one purchase of two.
  it('the daily re-stage computes from the customer as she is when it writes, not as it read her', async () => {
    const site = await createSite()
    await addRules(site)
    const aid = uniqueId('a_')
    expect((await sendEvents(site.key, [trackEvent(aid, 'Purchased', { revenue: 50 })])).status).toBe(202)
    const [customer] = await leadsOf(site.id, `anonymousId=${aid}`)
    expect(customer!.stage).toBe('customer')
    const siteRow = (await findSite(openDb(env.DB), site.id))!
    // A month on, her page is read (one purchase, 31 days ago: at risk); a second purchase commits before the write.
    const db = interleaved(1, async () => expect((await sendEvents(site.key, [trackEvent(aid, 'Purchased', { revenue: 70 })])).status).toBe(202))
    const later = Date.now() + 31 * 86_400_000
    await restageCustomers(db, env.JOBS as never, siteRow, later)
    const [after] = await leadsOf(site.id, `anonymousId=${aid}`)
    expect(after).toMatchObject({ purchases: 2, revenue: 120, stage: 'at_risk' })
    const moves = await env.DB.prepare("select \"from\", \"to\" from lead_changes where lead_id = ? and kind = 'stage' order by seq").bind(customer!.id).all()
    expect(moves.results.at(-1)).toEqual({ from: 'repeat', to: 'at_risk' })
    // Nothing left for a second run at the same moment: what it wrote is what her current state gives.
    expect(await restageCustomers(openDb(env.DB), env.JOBS as never, siteRow, later)).toEqual({ changed: 0 })
    const [again] = await leadsOf(site.id, `anonymousId=${aid}`)
    expect(again!.rfm).toEqual(after!.rfm)
  })
})

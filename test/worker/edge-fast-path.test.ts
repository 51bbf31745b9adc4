// Edge mode's and personalize's hot path against the real Worker (real D1 counted, the real queue counted):
// no D1 statement on a warm edge request, the page marked without a rewrite when no slot is filled, and a
// visitor's repeat exposures sent once per isolate while every decided experience still gets its row.
import { env } from 'cloudflare:workers'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { app } from '../../worker/src/app'
import { ExposureOutbox } from '../../worker/src/services/exposure-outbox'
import { SentExposures, sentExposures } from '../../worker/src/services/sent-exposures'
import type { Job, JobQueue } from '../../worker/src/queue/jobs'
import { admin, countingD1, createSite, ORIGIN, uniqueId, type TestSite } from './helpers'
import { createFlow, knownLead, viewPricing, waitForOutbox } from './flow-helpers'

type Json = Record<string, any>
const WAIT = { timeout: 15_000, interval: 100 }

const headline = { name: 'Campaign', match: { utm: { campaign: 'fast' } }, variants: [{ name: 'V', weight: 100, slots: { headline: 'Fast headline' } }] }

async function addExperience(site: TestSite, experience: unknown): Promise<Json> {
  const response = await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()) as Json
}

/** A request through the app with a counted D1 and a counted JOBS queue, waiting for its waitUntil work. */
function countedWorker() {
  const { d1, counts } = countingD1(env.DB)
  const sent: unknown[] = []
  const jobs = {
    send: (job: unknown) => {
      sent.push(job)
      return env.JOBS.send(job as never)
    },
    sendBatch: env.JOBS.sendBatch.bind(env.JOBS),
  }
  const fetch = async (url: string, init?: RequestInit) => {
    const ctx = createExecutionContext()
    const response = await app.fetch(new Request(url, init), { ...env, DB: d1, JOBS: jobs } as unknown as Env, ctx)
    const text = await response.text()
    await waitOnExecutionContext(ctx)
    return { response, text }
  }
  return { fetch, counts, sent }
}

describe('a warm edge request', () => {
  // Catches a D1 round trip (hostname scan, site row, visitor state) on a request whose audiences need none.
  it('runs no D1 statement once the site configuration is cached', async () => {
    const site = await createSite({ origin: 'https://origin.test' })
    await addExperience(site, headline)
    const worker = countedWorker()
    await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=fast`) // warm-up loads the configuration
    // A returning visitor's request also loads the site's enabled flows (in-app messages) once per isolate.
    await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=other`, { headers: { cookie: 'cairn_aid=a_warm' } })
    const before = worker.counts.statements + worker.counts.batches
    const matched = await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=fast`)
    const unmatched = await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=other`, { headers: { cookie: 'cairn_aid=a_known' } })
    expect(matched.text).toContain('>Fast headline</h1>')
    expect(unmatched.text).toContain('>Origin default</h1>')
    expect(worker.counts.statements + worker.counts.batches - before).toBe(0)
  })

  // Catches a visitor-state read for an id minted on this very request (nothing can be stored for it yet),
  // while a returning visitor's stage is still read (the audience needs it).
  it('reads no visitor state for a new visitor, even when audiences need her stage', async () => {
    const site = await createSite({ origin: 'https://origin.test' })
    await addExperience(site, { ...headline, match: { utm: { campaign: 'fast' }, stage: ['visitor', 'returning'] } })
    const worker = countedWorker()
    const url = `https://cairn.test/edge/${site.key}/?utm_campaign=fast`
    await worker.fetch(url) // warm-up loads the configuration
    const reads = () => worker.counts.statements + worker.counts.batches
    const before = reads()
    const newcomer = await worker.fetch(url)
    expect(newcomer.text).toContain('>Fast headline</h1>')
    expect(reads() - before).toBe(0)
    await worker.fetch(url, { headers: { cookie: 'cairn_aid=a_returning' } })
    expect(reads() - before).toBeGreaterThan(0)
  })
})

describe("the request's country", () => {
  /** An edge request whose `cf` counts its reads (materializing request.cf is a cost of its own). */
  async function edgeWithCountedCf(site: TestSite, query: string) {
    let reads = 0
    const request = new Request(`https://cairn.test/edge/${site.key}/${query}`)
    Object.defineProperty(request, 'cf', { get: () => (reads++, { country: 'FR' }) })
    const ctx = createExecutionContext()
    const response = await app.fetch(request, env, ctx)
    const text = await response.text()
    await waitOnExecutionContext(ctx)
    return { text, reads }
  }

  // Catches request.cf read on every request, where only country audiences and {{country}} tokens need it.
  it('is read only when an audience or a token asks for it, and then once', async () => {
    const plain = await createSite({ origin: 'https://origin.test' })
    await addExperience(plain, headline)
    expect((await edgeWithCountedCf(plain, '?utm_campaign=fast')).reads).toBe(0)
    const local = await createSite({ origin: 'https://origin.test' })
    await addExperience(local, { ...headline, match: { utm: { campaign: 'fast' }, country: ['fr'] }, variants: [{ name: 'V', weight: 100, slots: { headline: 'Hello {{country|there}}' } }] })
    const asked = await edgeWithCountedCf(local, '?utm_campaign=fast')
    expect(asked.text).toContain('>Hello FR</h1>')
    expect(asked.reads).toBe(1)
  })
})

describe('a page where no slot is filled', () => {
  // Catches the decision lost (the SDK would ask again) or page bytes changed when the rewriter is skipped.
  it('is the origin’s bytes unchanged, its decision in Server-Timing', async () => {
    const site = await createSite({ origin: 'https://origin.test' })
    await addExperience(site, headline)
    const worker = countedWorker()
    const edge = await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=other`)
    const origin = await fetch('https://origin.test/')
    const originText = await origin.text()
    expect(edge.text).toBe(originText)
    expect(edge.response.headers.get('server-timing')).toBe('cairn-edge;desc=""')
    expect(edge.response.headers.get('set-cookie')).toMatch(/^cairn_aid=a_/)
    expect(edge.response.headers.get('cache-control')).toBe('private, no-store')
  })

  // Catches the control group losing its decision (its exposure and the SDK's ready callbacks read it).
  it('lists a control-group experience in Server-Timing', async () => {
    const site = await createSite({ origin: 'https://origin.test' })
    const created = await addExperience(site, { ...headline, control: 100 })
    const worker = countedWorker()
    const edge = await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=fast`)
    expect(edge.response.headers.get('server-timing')).toBe(`cairn-edge;desc="${created.id}:control"`)
    expect(edge.text).toContain('>Origin default</h1>')
    expect(edge.text).not.toContain('data-cairn-edge')
  })

  // Catches a filled page without the <html> marker (browsers without serverTiming would ask again).
  it('a filled page carries the decision in both places', async () => {
    const site = await createSite({ origin: 'https://origin.test' })
    const created = await addExperience(site, headline)
    const worker = countedWorker()
    const edge = await worker.fetch(`https://cairn.test/edge/${site.key}/?utm_campaign=fast`)
    const variant = created.variants[0].id
    expect(edge.response.headers.get('server-timing')).toBe(`cairn-edge;desc="${created.id}:${variant}"`)
    expect(edge.text).toContain(`data-cairn-edge="${created.id}:${variant}"`)
    expect(edge.response.headers.get('content-length')).toBeNull()
  })
})

describe('exposures of a returning visitor', () => {
  const personalize = (worker: ReturnType<typeof countedWorker>, site: TestSite, path: string, aid: string) =>
    worker.fetch(`https://cairn.test/v1/personalize?${new URLSearchParams({ site: site.key, url: `${ORIGIN}${path}`, aid })}`, { headers: { origin: ORIGIN } })

  // Catches a queue message per page for a decision already sent, and an exposure lost to the skipping.
  it('are sent once per experience and variant, and each decided experience gets its row', async () => {
    const site = await createSite()
    const first = await addExperience(site, { ...headline, match: { path: '/' } })
    const second = await addExperience(site, { ...headline, name: 'Pricing', match: { path: '/pricing' } })
    const worker = countedWorker()
    const aid = `a_${uniqueId('v')}`
    await personalize(worker, site, '/', aid)
    await personalize(worker, site, '/', aid)
    await personalize(worker, site, '/', aid)
    expect(worker.sent).toHaveLength(1)
    await personalize(worker, site, '/pricing', aid)
    expect(worker.sent).toHaveLength(2)
    await vi.waitFor(async () => {
      const rows = await env.DB.prepare('select experience_id as id from exposures where site_id = ? and anonymous_id = ? order by experience_id').bind(site.id, aid).all<{ id: string }>()
      expect(rows.results.map((r) => r.id)).toEqual([first.id, second.id].sort())
    }, WAIT)
  })

  // Catches a send that failed being remembered as done (its exposure would never be written).
  it('remembers only what was handed to the queue, and forgets the oldest first', () => {
    const sent = new SentExposures(2)
    const a = { id: 'exp_a', variant: 'var_1' }
    const b = { id: 'exp_b', variant: 'var_1' }
    const c = { id: 'exp_c', variant: 'control' }
    expect(sent.unsent('s', 'v', [a, b])).toEqual([a, b])
    sent.remember('s', 'v', [a, b])
    expect(sent.unsent('s', 'v', [a, b, c])).toEqual([c])
    expect(sent.unsent('s', 'other', [a])).toEqual([a])
    expect(sent.unsent('s', 'v', [{ ...a, variant: 'var_2' }])).toHaveLength(1) // a new variant is a new exposure key
    sent.remember('s', 'v', [c])
    expect(sent.unsent('s', 'v', [a, b, c])).toEqual([a])
  })
})

describe('the exposure outbox', () => {
  /** The real queue, with each message it was given recorded (or every send refused). */
  const recordingQueue = (refuse = false) => {
    const sent: Job[] = []
    const queue = {
      send: async (job: Job) => {
        if (refuse) throw new Error('queue unavailable')
        sent.push(job)
        await env.JOBS.send(job)
      },
    } as unknown as JobQueue
    return { queue, sent }
  }
  const exposureOf = (siteId: string, experienceId: string) => ({ siteId, anonymousId: `a_${uniqueId('v')}`, mode: 'edge' as const, at: Date.now(), decided: [{ id: experienceId, variant: 'var_1' }] })

  // Catches a queue message per page view again (the cost the edge bench measured), and an exposure lost in a batch.
  it('sends the visitors decided within the linger as one message, each of them written', async () => {
    const site = await createSite()
    const experience = await addExperience(site, headline)
    const outbox = new ExposureOutbox(60_000, 100) // only a full batch or an explicit flush sends
    const { queue, sent } = recordingQueue()
    const deferred: Promise<unknown>[] = []
    const visitors = Array.from({ length: 5 }, () => exposureOf(site.id, experience.id))
    for (const v of visitors) outbox.add(queue, v, (work) => deferred.push(work))
    expect(deferred).toHaveLength(1) // the first request holds the batch; the others add to it
    expect(sent).toHaveLength(0)
    await outbox.flush(queue)
    expect(sent).toEqual([{ kind: 'exposures', entries: visitors }])
    for (const v of visitors) expect(sentExposures.unsent(site.id, v.anonymousId, v.decided)).toEqual([])
    await vi.waitFor(async () => {
      const n = await env.DB.prepare('select count(*) as n from exposures where site_id = ?').bind(site.id).first<number>('n')
      expect(n).toBe(5)
    }, WAIT)
  })

  // Catches an unbounded message (over the queue's size limit on a busy isolate).
  it('sends a full batch at once, and the next visitor opens a new one', async () => {
    const site = await createSite()
    const { id } = await addExperience(site, headline)
    const outbox = new ExposureOutbox(60_000, 2)
    const { queue, sent } = recordingQueue()
    const deferred: Promise<unknown>[] = []
    const defer = (work: Promise<unknown>) => deferred.push(work)
    outbox.add(queue, exposureOf(site.id, id), defer)
    outbox.add(queue, exposureOf(site.id, id), defer)
    await Promise.all(deferred.slice(1))
    expect(sent.map((job) => ('entries' in job ? job.entries.length : 1))).toEqual([2])
    outbox.add(queue, exposureOf(site.id, id), defer)
    expect(deferred).toHaveLength(3) // linger of batch 1, the full send, linger of batch 2
  })

  // Catches a refused send remembered as done: the visitor's exposure would never be written.
  it('forgets nothing it could not hand to the queue', async () => {
    const site = await createSite()
    const { id } = await addExperience(site, headline)
    const outbox = new ExposureOutbox(60_000, 100)
    const { queue } = recordingQueue(true)
    const exposure = exposureOf(site.id, id)
    outbox.add(queue, exposure, () => {})
    await outbox.flush(queue)
    expect(sentExposures.unsent(exposure.siteId, exposure.anonymousId, exposure.decided)).toEqual(exposure.decided)
    const retry = recordingQueue()
    outbox.add(retry.queue, exposure, () => {})
    await outbox.flush(retry.queue)
    expect(retry.sent).toHaveLength(1) // her next page sends it again
  })
})

describe('in-app messages on the hot path', () => {
  // Catches a D1 read on every personalize request of a returning visitor once a site has an in-app flow
  // (the site's visitors with live messages are known per isolate), and a message then missed for the
  // visitor who has one.
  it('a returning visitor without messages costs no D1 read; one with a message gets it', { timeout: 60_000 }, async () => {
    const { site, aid, leadId } = await knownLead({ origin: ORIGIN })
    await createFlow(site.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'in_app', kind: 'banner', title: 'Talk to sales' }] })
    await viewPricing(site, aid)
    const [message] = await waitForOutbox(leadId, (rows) => rows[0]?.status === 'sent')
    const worker = countedWorker()
    const personalize = (visitor: string) =>
      worker.fetch(`https://cairn.test/v1/personalize?site=${site.key}&url=${encodeURIComponent(`${ORIGIN}/`)}&aid=${visitor}`, { headers: { origin: ORIGIN } })
    await personalize(uniqueId('a_')) // warm-up: configuration, enabled flows, visitors with live messages
    const reads = () => worker.counts.statements + worker.counts.batches
    const before = reads()
    const other = await personalize(uniqueId('a_'))
    expect(JSON.parse(other.text).messages).toEqual([])
    expect(reads() - before).toBe(0)
    const hers = await personalize(aid)
    expect(JSON.parse(hers.text).messages.map((m: Json) => m.id)).toEqual([message!.id])
  })
})

describe('CORS preflights', () => {
  // Catches a D1 scan of every site on each preflight without a site key (a cheap request anyone can repeat),
  // and a cached allowlist that keeps refusing a site created or changed since.
  it('read the sites once per isolate, and a new site is allowed at once', async () => {
    const worker = countedWorker()
    const preflight = (origin: string) =>
      worker.fetch('https://cairn.test/v1/events', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })
    expect((await preflight(ORIGIN)).response.status).toBe(204) // warm-up reads the allowlists
    const before = worker.counts.statements + worker.counts.batches
    expect((await preflight(ORIGIN)).response.status).toBe(204)
    const refused = await preflight('https://evil.test')
    expect(refused.response.status).toBe(403)
    expect((JSON.parse(refused.text) as { error: { code: string } }).error.code).toBe('origin_not_allowed') // errors are JSON (API.md)
    expect(worker.counts.statements + worker.counts.batches - before).toBe(0)
    const origin = `https://${uniqueId('new').toLowerCase()}.test`
    await createSite({ origins: [origin] })
    expect((await preflight(origin)).response.status).toBe(204)
  })
})

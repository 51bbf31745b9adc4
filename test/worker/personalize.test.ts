// Personalization against the real Worker and D1: experiences API, /v1/personalize, /v1/variants, edge
// mode with HTMLRewriter, exposures and conversions, results.
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { admin, call, createSite, identifyEvent, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId, type TestSite } from './helpers'

type Json = Record<string, any>

const blackFriday = {
  name: 'Black Friday ads',
  priority: 10,
  goal: 'Signed Up',
  match: { path: '/', utm: { campaign: 'black-friday' } },
  variants: [{ name: 'Deal', weight: 100, slots: { headline: 'Black Friday: {{utm_term|CRM}} at 40% off', cta: 'Claim the deal' } }],
}

async function addExperience(site: TestSite, experience: unknown): Promise<Json> {
  const response = await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()) as Json
}

function personalize(site: TestSite, page: string, aid?: string, headers: Record<string, string> = {}) {
  const query = new URLSearchParams({ site: site.key, url: page, ...(aid ? { aid } : {}) })
  return call(`/v1/personalize?${query}`, { headers: { origin: ORIGIN, ...headers } })
}

async function decision(site: TestSite, page: string, aid?: string): Promise<Json> {
  const response = await personalize(site, page, aid)
  expect(response.status).toBe(200)
  return (await response.json()) as Json
}

/** Exposures are batch-written by the queue consumer (batches close after up to 1 s). */
const WAIT = { timeout: 15_000, interval: 100 }

const exposureCount = async (siteId: string) =>
  (await env.DB.prepare('select count(*) as n from exposures where site_id = ?').bind(siteId).first<{ n: number }>())!.n

describe('experiences API', () => {
  it('creates an experience with variant ids and lists, replaces and deletes it', async () => {
    const site = await createSite()
    const created = await addExperience(site, blackFriday)
    expect(created).toMatchObject({ name: 'Black Friday ads', status: 'active', priority: 10, control: 0, goal: 'Signed Up' })
    expect(created.variants[0].id).toMatch(/^var_/)
    const list = (await (await admin(`/api/sites/${site.id}/experiences`)).json()) as { experiences: Json[] }
    expect(list.experiences.map((e) => e.id)).toEqual([created.id])
    const put = await admin(`/api/sites/${site.id}/experiences/${created.id}`, {
      method: 'PUT',
      json: { ...blackFriday, variants: [{ ...blackFriday.variants[0], id: created.variants[0].id, weight: 50 }] },
    })
    expect(((await put.json()) as Json).variants[0].id).toBe(created.variants[0].id) // ids survive edits
    expect((await admin(`/api/sites/${site.id}/experiences/${created.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await admin(`/api/sites/${site.id}/experiences/${created.id}`)).status).toBe(404)
  })

  it.each([
    ['script in slot content', { ...blackFriday, variants: [{ name: 'X', weight: 1, slots: { headline: '<script>alert(1)</script>' } }] }],
    ['attributes on inline tags', { ...blackFriday, variants: [{ name: 'X', weight: 1, slots: { headline: '<b onclick="x()">Hi</b>' } }] }],
    ['no weighted variant', { ...blackFriday, variants: [{ name: 'X', weight: 0, slots: { headline: 'Hi' } }] }],
    ['control over 100', { ...blackFriday, control: 101 }],
    ['unknown audience field', { ...blackFriday, match: { path: '/', colour: 'red' } }],
    ['bad slot name', { ...blackFriday, variants: [{ name: 'X', weight: 1, slots: { 'head line': 'Hi' } }] }],
  ])('rejects %s with 400 and saves nothing', async (_label, body) => {
    const site = await createSite()
    const response = await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: body })
    expect(response.status).toBe(400)
    expect(((await (await admin(`/api/sites/${site.id}/experiences`)).json()) as Json).experiences).toEqual([])
  })
})

describe('GET /v1/personalize', () => {
  it('fills the slots of the experience the ad URL matches, and only those', async () => {
    const site = await createSite()
    const exp = await addExperience(site, blackFriday)
    const matched = await decision(site, `${ORIGIN}/?utm_campaign=black-friday&utm_term=pipeline+software`, 'a_1')
    expect(matched).toEqual({
      slots: { headline: 'Black Friday: pipeline software at 40% off', cta: 'Claim the deal' },
      experiences: [{ id: exp.id, variant: exp.variants[0].id }],
      messages: [],
    })
    expect(await decision(site, `${ORIGIN}/?utm_campaign=spring`, 'a_1')).toEqual({ slots: {}, experiences: [], messages: [] })
    expect(await decision(site, `${ORIGIN}/pricing?utm_campaign=black-friday`, 'a_1')).toMatchObject({ slots: {} })
  })

  it('uses the fallback without a term, escapes markup and clips long values', async () => {
    const site = await createSite()
    await addExperience(site, blackFriday)
    expect((await decision(site, `${ORIGIN}/?utm_campaign=black-friday`)).slots.headline).toBe('Black Friday: CRM at 40% off')
    const hostile = await decision(site, `${ORIGIN}/?utm_campaign=black-friday&utm_term=${encodeURIComponent('<img src=x onerror=alert(1)>')}`)
    expect(hostile.slots.headline).toBe('Black Friday: &lt;img src=x onerror=alert(1)&gt; at 40% off')
    const long = await decision(site, `${ORIGIN}/?utm_campaign=black-friday&utm_term=${'word '.repeat(40)}`)
    const term = long.slots.headline.replace('Black Friday: ', '').replace(' at 40% off', '')
    expect(term.length).toBeLessThanOrEqual(60)
    expect(term.endsWith('word')).toBe(true)
  })

  it('buckets deterministically, keeps a visitor in her variant and holds out a control group', async () => {
    const site = await createSite()
    const exp = await addExperience(site, {
      name: 'Headline test',
      match: { path: '/' },
      control: 20,
      variants: [
        { name: 'A', weight: 50, slots: { headline: 'A' } },
        { name: 'B', weight: 50, slots: { headline: 'B' } },
      ],
    })
    const counts: Record<string, number> = {}
    for (let i = 0; i < 300; i++) {
      const aid = `a_bucket_${i}`
      const first = await decision(site, `${ORIGIN}/`, aid)
      if (i % 10 === 0) expect(await decision(site, `${ORIGIN}/`, aid)).toEqual(first)
      const variant = first.experiences[0].variant as string
      counts[variant] = (counts[variant] ?? 0) + 1
      if (variant === 'control') expect(first.slots).toEqual({})
    }
    const [a, b] = exp.variants.map((v: Json) => counts[v.id] ?? 0)
    expect(counts.control).toBeGreaterThan(30) // 20% of 300 = 60 expected
    expect(counts.control).toBeLessThan(95)
    expect(a).toBeGreaterThan(80) // 40% each = 120 expected
    expect(b).toBeGreaterThan(80)
    await vi.waitFor(async () => expect(await exposureCount(site.id)).toBe(300), WAIT) // one exposure per visitor
  }, 60_000)

  it('keeps a visitor in her first variant after the weights change (sticky)', async () => {
    const site = await createSite()
    const body = (weights: [number, number], ids?: string[]) => ({
      name: 'Sticky',
      match: { path: '/' },
      variants: [
        { ...(ids ? { id: ids[0] } : {}), name: 'A', weight: weights[0], slots: { headline: 'A' } },
        { ...(ids ? { id: ids[1] } : {}), name: 'B', weight: weights[1], slots: { headline: 'B' } },
      ],
    })
    const exp = await addExperience(site, body([100, 1]))
    const seen = await decision(site, `${ORIGIN}/`, 'a_sticky')
    await vi.waitFor(async () => expect(await exposureCount(site.id)).toBe(1), WAIT)
    const ids = exp.variants.map((v: Json) => v.id)
    await admin(`/api/sites/${site.id}/experiences/${exp.id}`, { method: 'PUT', json: body([1, 100], ids) })
    expect(await decision(site, `${ORIGIN}/`, 'a_sticky')).toEqual(seen)
  })

  it('gives each slot to the highest-priority matching experience', async () => {
    const site = await createSite()
    await addExperience(site, { name: 'Low', priority: 1, match: { path: '/' }, variants: [{ name: 'L', weight: 1, slots: { headline: 'Low', sub: 'Low sub' } }] })
    await addExperience(site, { name: 'High', priority: 5, match: { path: '/' }, variants: [{ name: 'H', weight: 1, slots: { headline: 'High' } }] })
    await addExperience(site, { name: 'Other slot', priority: 0, match: { path: '/' }, variants: [{ name: 'O', weight: 1, slots: { cta: 'Go' } }] })
    const result = await decision(site, `${ORIGIN}/`, 'a_prio')
    expect(result.slots).toEqual({ headline: 'High', cta: 'Go' })
    expect(result.experiences).toHaveLength(2)
  })

  it('matches stage and score audiences server-side and never reveals them', async () => {
    const site = await createSite()
    await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: { name: 'Pricing', points: 60, match: { type: 'page', path: '/pricing' } } })
    await addExperience(site, { name: 'Hot leads', match: { score: { gte: 50 } }, variants: [{ name: 'Demo', weight: 1, slots: { cta: 'Book a demo' } }] })
    await addExperience(site, { name: 'Leads', match: { stage: ['lead', 'mql'] }, variants: [{ name: 'Hi', weight: 1, slots: { headline: 'Welcome back' } }] })
    const aid = uniqueId('a_')
    expect((await decision(site, `${ORIGIN}/`, aid)).slots).toEqual({})
    await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/pricing`), identifyEvent(aid, null, { email: 'hot@example.com' })])
    const response = await personalize(site, `${ORIGIN}/`, aid)
    const text = await response.text()
    expect(JSON.parse(text).slots).toEqual({ cta: 'Book a demo', headline: 'Welcome back' })
    expect(text).not.toMatch(/score|stage|hot@example|"60"/)
  })

  it('matches device, country and referrer', async () => {
    const site = await createSite()
    await addExperience(site, {
      name: 'Mobile from Google in France',
      match: { device: ['mobile'], country: ['fr'], referrer: '*.google.*' },
      variants: [{ name: 'M', weight: 1, slots: { headline: 'Bonjour' } }],
    })
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'
    const query = (ref: string) => `/v1/personalize?${new URLSearchParams({ site: site.key, url: `${ORIGIN}/`, aid: 'a_fr', ref })}`
    const hit = await call(query('https://www.google.fr/'), { headers: { 'user-agent': iphone, 'cf-ipcountry': 'FR' } })
    expect(((await hit.json()) as Json).slots).toEqual({ headline: 'Bonjour' })
    const desktop = await call(query('https://www.google.fr/'), { headers: { 'cf-ipcountry': 'FR' } })
    expect(((await desktop.json()) as Json).slots).toEqual({})
    const bing = await call(query('https://www.bing.com/'), { headers: { 'user-agent': iphone, 'cf-ipcountry': 'FR' } })
    expect(((await bing.json()) as Json).slots).toEqual({})
  })

  it('answers 400 without a valid url, 401 for an unknown key, 403 for a foreign origin', async () => {
    const site = await createSite()
    expect((await call(`/v1/personalize?site=${site.key}`)).status).toBe(400)
    expect((await call(`/v1/personalize?site=${site.key}&url=javascript:alert(1)`)).status).toBe(400)
    expect((await call(`/v1/personalize?site=pk_nope&url=${encodeURIComponent(`${ORIGIN}/`)}`)).status).toBe(401)
    const foreign = await personalize(site, `${ORIGIN}/`, 'a_x', { origin: 'https://evil.test' })
    expect(foreign.status).toBe(403)
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
    const ok = await personalize(site, `${ORIGIN}/`, 'a_x')
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN)
  })

  it('with Global Privacy Control decides from the URL alone and records no exposure', async () => {
    const site = await createSite()
    await addExperience(site, blackFriday)
    const response = await personalize(site, `${ORIGIN}/?utm_campaign=black-friday`, 'a_gpc', { 'sec-gpc': '1' })
    expect(((await response.json()) as Json).slots.headline).toBe('Black Friday: CRM at 40% off')
    await new Promise((r) => setTimeout(r, 100))
    expect(await exposureCount(site.id)).toBe(0)
  })
})

describe('automated browsers', () => {
  const exposuresOf = async (siteId: string, aid: string) =>
    (await env.DB.prepare('select count(*) as n from exposures where site_id = ? and anonymous_id = ?').bind(siteId, aid).first<{ n: number }>())!.n

  // Catches: a site's own end-to-end tests (navigator.webdriver) counted as exposures in experiment results.
  it('personalizes automated=1 visitors but records their exposure only when the site accepts automated traffic', async () => {
    const page = `${ORIGIN}/?utm_campaign=black-friday`
    for (const acceptAutomated of [false, true]) {
      const site = await createSite({ settings: { acceptAutomated } })
      await addExperience(site, blackFriday)
      const [robot, person] = [uniqueId('a_'), uniqueId('a_')]
      const query = new URLSearchParams({ site: site.key, url: page, aid: robot, automated: '1' })
      const response = await call(`/v1/personalize?${query}`, { headers: { origin: ORIGIN } })
      expect(((await response.json()) as Json).slots.headline).toBe('Black Friday: CRM at 40% off')
      await decision(site, page, person)
      // The person's exposure passes through the same queue after the robot's: once it is written, the robot's would be.
      await vi.waitFor(async () => expect(await exposuresOf(site.id, person)).toBe(1), WAIT)
      if (acceptAutomated) await vi.waitFor(async () => expect(await exposuresOf(site.id, robot)).toBe(1), WAIT)
      else expect(await exposuresOf(site.id, robot)).toBe(0)
    }
  }, 120_000) // waits on the queue consumer twice: slow on a busy machine

  // Catches: any value other than the SDK's flag silently accepted.
  it('refuses a malformed automated flag', async () => {
    const site = await createSite()
    const query = new URLSearchParams({ site: site.key, url: `${ORIGIN}/`, automated: 'yes' })
    expect((await call(`/v1/personalize?${query}`, { headers: { origin: ORIGIN } })).status).toBe(400)
  })
})

describe('GET /v1/variants', () => {
  it('answers builders without a visitor from the edge cache', async () => {
    const site = await createSite()
    await addExperience(site, blackFriday)
    const url = `/v1/variants?${new URLSearchParams({ site: site.key, url: `${ORIGIN}/?utm_campaign=black-friday&utm_term=crm` })}`
    const first = await call(url)
    expect(first.headers.get('cache-control')).toMatch(/public, max-age=\d+/)
    expect(first.headers.get('cairn-cache')).toBe('miss')
    const body = (await first.json()) as Json
    expect(body.slots.headline).toBe('Black Friday: crm at 40% off')
    await vi.waitFor(async () => expect((await call(url)).headers.get('cairn-cache')).toBe('hit'), WAIT)
    expect(await exposureCount(site.id)).toBe(0)
  })

  it('decides per visitor (uncached) with aid', async () => {
    const site = await createSite()
    await addExperience(site, blackFriday)
    const response = await call(`/v1/variants?${new URLSearchParams({ site: site.key, url: `${ORIGIN}/?utm_campaign=black-friday`, aid: 'a_v' })}`)
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(((await response.json()) as Json).experiences).toHaveLength(1)
  })
})

describe('edge mode', () => {
  async function edgeSite(): Promise<TestSite> {
    // The demo pages are this Worker's own static assets: the edge fetch reads them from ASSETS.
    const site = await createSite({ origin: 'https://cairn.test', hostnames: [`www-${uniqueId('h')}.acme.test`] })
    await addExperience(site, blackFriday)
    return site
  }

  it('rewrites slots while streaming, marks the page and sets the visitor cookie', async () => {
    const site = await edgeSite()
    const response = await call(`/edge/${site.key}/?utm_campaign=black-friday&utm_term=%3Cb%3Eoops%3C%2Fb%3E`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    const cookie = response.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^cairn_aid=a_[\w-]+; Max-Age=31536000; Path=\/; SameSite=Lax; Secure$/)
    expect(response.headers.get('server-timing')).toMatch(/^cairn-edge;desc="exp_\w+:var_\w+"$/)
    const html = await response.text()
    expect(html).toMatch(/<html[^>]* data-cairn-edge="exp_\w+:var_\w+"/)
    expect(html).toMatch(/data-cairn-slot="headline"[^>]*>Black Friday: &lt;b&gt;oops&lt;\/b&gt; at 40% off</)
    expect(html).toMatch(/data-cairn-slot="cta"[^>]*>Claim the deal</)
    const aid = /cairn_aid=([^;]+)/.exec(cookie)![1]!
    await vi.waitFor(async () => {
      const row = await env.DB.prepare('select mode from exposures where site_id = ? and anonymous_id = ?').bind(site.id, aid).first<{ mode: string }>()
      expect(row?.mode).toBe('edge')
    }, WAIT)
  })

  it('keeps the visitor of the cookie, and leaves unmatched pages as they are', async () => {
    const site = await edgeSite()
    const response = await call(`/edge/${site.key}/pricing`, { headers: { cookie: 'cairn_aid=a_known' } })
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('server-timing')).toBe('cairn-edge;desc=""') // edge-rendered, nothing applied
    const html = await response.text()
    expect(html).not.toContain('data-cairn-edge') // the page's bytes as the origin sent them
    expect(html).not.toContain('Black Friday')
  })

  it("serves a site's own hostname through the Worker, SDK endpoints excepted", async () => {
    const site = await edgeSite()
    const host = ((await (await admin(`/api/sites/${site.id}`)).json()) as Json).hostnames[0]
    await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { origin: `https://${host}` } })
    const page = await call(`/?utm_campaign=black-friday`.replace(/^/, ''), {}) // the Worker's own host: not a site
    expect(page.headers.get('server-timing')).toBeNull()
    expect(await page.text()).not.toContain('data-cairn-edge')
    const proxied = await exports_fetch(`https://${host}/?utm_campaign=black-friday`)
    expect(await proxied.text()).toContain('Black Friday: CRM at 40% off')
    const sdk = await exports_fetch(`https://${host}/v1/ping`)
    expect(await sdk.json()).toEqual({})
  })

  it('on a site that asks consent first, gives no id and records no exposure until the SDK stored one after a yes', async () => {
    // Catches edge mode remembering (a one-year cookie) and counting as exposed a visitor who has not consented,
    // or who refused (the SDK wipes the cookie; the Worker set a new one on the next page).
    const site = await createSite({ origin: 'https://cairn.test', hostnames: [`www-${uniqueId('h')}.acme.test`], settings: { consentRequired: true } })
    await addExperience(site, blackFriday)
    const pending = await call(`/edge/${site.key}/?utm_campaign=black-friday`)
    expect(pending.headers.get('set-cookie')).toBeNull()
    expect(await pending.text()).toContain('Black Friday: CRM at 40% off') // personalized from the URL all the same
    // After a yes, the SDK's cookie is the visitor's id: used, not replaced.
    const aid = uniqueId('a_')
    const consented = await call(`/edge/${site.key}/?utm_campaign=black-friday`, { headers: { cookie: `cairn_aid=${aid}` } })
    expect(consented.headers.get('set-cookie')).toBeNull()
    await consented.text()
    const exposed = async () => (await env.DB.prepare('select anonymous_id from exposures where site_id = ?').bind(site.id).all<{ anonymous_id: string }>()).results
    await vi.waitFor(async () => expect(await exposed()).toEqual([{ anonymous_id: aid }]), { timeout: 5_000, interval: 50 })
  })

  it('with Global Privacy Control sets no cookie', async () => {
    const site = await edgeSite()
    const response = await call(`/edge/${site.key}/?utm_campaign=black-friday`, { headers: { 'sec-gpc': '1' } })
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(await response.text()).toContain('Black Friday: CRM at 40% off')
  })
})

describe('edge mode with a separate origin server', () => {
  async function originSite(): Promise<{ site: TestSite; host: string }> {
    const host = `shop-${uniqueId('h')}.acme.test`
    const site = await createSite({ origin: 'https://origin.test', hostnames: [host] })
    await addExperience(site, blackFriday)
    return { site, host }
  }

  it('fetches the origin page, streams it through the rewriter and keeps its headers', async () => {
    const { site } = await originSite()
    const response = await call(`/edge/${site.key}/?utm_campaign=black-friday&utm_term=crm`)
    expect(response.headers.get('x-origin')).toBe('yes')
    const html = await response.text()
    expect(html).toContain('>Black Friday: crm at 40% off</h1>')
    expect(html).toContain('>Claim the deal</p>')
    expect(html.length).toBeGreaterThan(14_000) // the whole page came through, not just the head
  })

  it("passes form posts and other writes on a site's hostname to the origin untouched", async () => {
    const { host } = await originSite()
    const post = await exports_fetch(`https://${host}/contact?from=footer`, { method: 'POST', body: 'email=ada%40example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(post.status).toBe(201)
    expect(await post.json()).toEqual({ method: 'POST', path: '/contact', search: '?from=footer', body: 'email=ada%40example.com', forwardedHost: host })
    const json = await exports_fetch(`https://${host}/api/orders`)
    expect(await json.json()).toMatchObject({ method: 'GET', path: '/api/orders' }) // the site's /api, not Cairn's
  })
})

async function exports_fetch(url: string, init?: RequestInit): Promise<Response> {
  const { exports } = await import('cloudflare:workers')
  return exports.default.fetch(new Request(url, init))
}

describe('results', () => {
  it('counts exposures and conversions per variant, with lift and significance against control', async () => {
    const site = await createSite()
    const exp = await addExperience(site, { ...blackFriday, control: 50 })
    const variantId = exp.variants[0].id
    const arms: Record<string, string[]> = { control: [], [variantId]: [] }
    for (let i = 0; i < 60; i++) {
      const aid = `a_res_${i}_${uniqueId('')}`
      const d = await decision(site, `${ORIGIN}/?utm_campaign=black-friday`, aid)
      arms[d.experiences[0].variant]!.push(aid)
    }
    await vi.waitFor(async () => expect(await exposureCount(site.id)).toBe(60), WAIT)
    // Convert every variant visitor and one control visitor; a second goal event changes nothing.
    for (const aid of [...arms[variantId]!, arms.control![0]!]) {
      await sendEvents(site.key, [trackEvent(aid, 'Signed Up'), trackEvent(aid, 'Signed Up')])
    }
    const response = await admin(`/api/sites/${site.id}/metrics/experiences`)
    const [result] = ((await response.json()) as { experiences: Json[] }).experiences
    expect(result!.control).toMatchObject({ exposures: arms.control!.length, conversions: 1 })
    const variant = result!.variants[0]
    expect(variant).toMatchObject({ id: variantId, exposures: arms[variantId]!.length, conversions: arms[variantId]!.length, conversionRate: 1 })
    expect(variant.lift).toBeCloseTo(arms.control!.length - 1, 5)
    expect(variant.significant).toBe(true)
    expect(variant.pValue).toBeLessThan(0.001)
  }, 60_000)

  it('a goal event before any exposure converts nothing', async () => {
    const site = await createSite()
    await addExperience(site, blackFriday)
    const aid = uniqueId('a_')
    await sendEvents(site.key, [trackEvent(aid, 'Signed Up')])
    await decision(site, `${ORIGIN}/?utm_campaign=black-friday`, aid)
    await vi.waitFor(async () => expect(await exposureCount(site.id)).toBe(1), WAIT)
    const [result] = ((await (await admin(`/api/sites/${site.id}/metrics/experiences`)).json()) as { experiences: Json[] }).experiences
    expect(result!.variants[0]).toMatchObject({ exposures: 1, conversions: 0 })
  })
})

// The script tag on the demo site, in Chromium, against the real local Worker and D1: what a visitor does
// reaches D1 exactly once, tied to one lead, without an error in the page.
import type { Browser, Request as PwRequest } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminGet,
  anonymousIdOf,
  baseUrl,
  createSite,
  eventsOf,
  eventually,
  launch,
  leadByVisitor,
  newVisitor,
  type LeadEvent,
  type Watched,
} from './browser'

let browser: Browser
const visitors: Watched[] = []

async function visitor(options?: Parameters<typeof newVisitor>[1]): Promise<Watched> {
  const watched = await newVisitor(browser, options)
  visitors.push(watched)
  return watched
}

async function eventsOfVisitor(anonymousId: string, predicate: (events: LeadEvent[]) => boolean): Promise<LeadEvent[]> {
  return eventually(async () => {
    const lead = await leadByVisitor(anonymousId)
    if (!lead) throw new Error(`no lead yet for ${anonymousId}`)
    const events = await eventsOf(lead.id)
    if (!predicate(events)) throw new Error(`events so far: ${JSON.stringify(events.map((e) => [e.type, e.name]))}`)
    return events
  })
}

const named = (events: LeadEvent[], name: string) => events.filter((e) => e.name === name)

beforeAll(async () => {
  browser = await launch()
})

afterAll(async () => {
  await browser?.close()
})

describe('script tag tracking', () => {
  it('records the landing page view with its ad attribution', async () => {
    const { page } = await visitor()
    await page.goto(`${baseUrl()}/?utm_source=google&utm_medium=cpc&utm_campaign=black-friday&utm_term=crm&gclid=abc123`)
    await page.waitForFunction(() => document.cookie.includes('cairn_aid=') || !!localStorage.getItem('cairn_aid'))
    const aid = await anonymousIdOf(page)
    const events = await eventsOfVisitor(aid, (e) => e.some((x) => x.type === 'page'))
    expect(named(events, '/')).toHaveLength(1)
    const lead = await leadByVisitor(aid)
    expect(lead!.firstTouch).toMatchObject({ source: 'google', medium: 'cpc', campaign: 'black-friday', term: 'crm', gclid: 'abc123' })
  })

  it('delivers events fired right before a navigation (signup form → /thanks)', async () => {
    const { page } = await visitor()
    await page.goto(`${baseUrl()}/signup`)
    await page.waitForFunction(() => typeof (window as unknown as { cairn?: { q?: unknown } }).cairn === 'function' && !(window as any).cairn.q)
    const aid = await anonymousIdOf(page)
    await page.fill('#name', 'Ada Lovelace')
    await page.fill('#email', 'ada.nav@example.com')
    await page.fill('#company', 'Analytical Engines')
    await page.fill('#budget', '12000')
    await Promise.all([page.waitForURL('**/thanks'), page.click('#signup-submit')])
    const events = await eventsOfVisitor(aid, (e) => named(e, 'Signed Up').length === 1 && e.some((x) => x.type === 'identify'))
    expect(named(events, 'Signed Up')).toHaveLength(1)
    const lead = await leadByVisitor(aid)
    expect(lead!.email).toBe('ada.nav@example.com')
    expect(lead!.traits).toMatchObject({ company: 'Analytical Engines', budget: 12000 })
  })

  it('records a page view for SPA navigation (pushState and back)', async () => {
    const { page } = await visitor()
    await page.goto(`${baseUrl()}/spa.html`)
    await page.waitForFunction(() => document.cookie.includes('cairn_aid=') || !!localStorage.getItem('cairn_aid'))
    const aid = await anonymousIdOf(page)
    await page.click('#nav-a')
    await page.click('#nav-b')
    await page.goBack()
    const events = await eventsOfVisitor(aid, (e) => named(e, '/spa/b').length === 1 && named(e, '/spa/a').length === 2)
    expect(named(events, '/spa')).toHaveLength(1) // static assets serve /spa.html at /spa
  })

  it('keeps events made offline and delivers each exactly once after reconnecting and a reload', async () => {
    const { page, context } = await visitor()
    await page.goto(`${baseUrl()}/pricing`)
    await page.waitForFunction(() => document.cookie.includes('cairn_aid=') || !!localStorage.getItem('cairn_aid'))
    const aid = await anonymousIdOf(page)
    await eventsOfVisitor(aid, (e) => named(e, '/pricing').length === 1)

    await context.setOffline(true)
    for (const plan of ['starter', 'growth', 'scale']) {
      await page.evaluate((p) => (window as any).cairn('track', 'Plan Compared', { plan: p }), plan)
    }
    // Persisted at once; offline, the SDK's flush leaves them there.
    await page.waitForFunction(() => (localStorage.getItem('cairn_q:pk_demo') ?? '').split('Plan Compared').length === 4, undefined, { timeout: 60_000 })
    const persisted = await page.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.startsWith('cairn_q')).map((k) => localStorage.getItem(k) ?? '').join(''),
    )
    expect(persisted).toContain('Plan Compared')

    await context.setOffline(false)
    await page.reload()
    const events = await eventsOfVisitor(aid, (e) => named(e, 'Plan Compared').length >= 3)
    // Delivered and settled: the queue is empty, so no second delivery can still be on its way.
    await page.waitForFunction(() => localStorage.getItem('cairn_q:pk_demo') === '[]', undefined, { timeout: 60_000 })
    const final = await eventsOf((await leadByVisitor(aid))!.id)
    expect(named(final, 'Plan Compared')).toHaveLength(3)
    expect(new Set(named(final, 'Plan Compared').map((e) => e.id)).size).toBe(3)
    expect(events.length).toBeGreaterThan(0)
    await eventually(async () => expect(named(await eventsOf((await leadByVisitor(aid))!.id), '/pricing')).toHaveLength(2)) // visit + reload
  })

  it('a replayed batch changes nothing', async () => {
    const { page } = await visitor()
    const bodies: string[] = []
    page.on('request', (request: PwRequest) => {
      if (request.url().endsWith('/v1/events') && request.method() === 'POST') bodies.push(request.postData() ?? '')
    })
    await page.goto(`${baseUrl()}/help/`)
    await page.evaluate(() => (window as any).cairn('track', 'Searched Help', { query: 'billing' }))
    const aid = await eventually(async () => {
      const id = await anonymousIdOf(page)
      if (!id) throw new Error('no id')
      return id
    })
    await eventsOfVisitor(aid, (e) => named(e, 'Searched Help').length === 1)
    const before = await leadByVisitor(aid)
    expect(bodies.length).toBeGreaterThan(0)

    for (const body of bodies) {
      const response = await fetch(`${baseUrl()}/v1/events`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain', origin: baseUrl(), 'user-agent': 'Mozilla/5.0 Chrome/156' },
      })
      expect(response.status).toBe(202)
      const answer = (await response.json()) as { accepted: number; duplicates: number }
      expect(answer.accepted).toBe(0)
      expect(answer.duplicates).toBe(JSON.parse(body).batch.length)
    }
    expect(await leadByVisitor(aid)).toEqual(before)
  })

  it('joins a second device that signs up with the same email to the same lead', async () => {
    const email = `grace.${Date.now()}@example.com`
    const devices: string[] = []
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const { page } = await visitor({ viewport })
      await page.goto(`${baseUrl()}/signup`)
      await page.waitForFunction(() => typeof (window as any).cairn === 'function' && !(window as any).cairn.q)
      devices.push(await anonymousIdOf(page))
      await page.fill('#name', 'Grace Hopper')
      await page.fill('#email', email)
      await page.fill('#budget', '4000')
      await Promise.all([page.waitForURL('**/thanks'), page.click('#signup-submit')])
    }
    expect(devices[0]).not.toBe(devices[1])
    const lead = await eventually(async () => {
      const first = await leadByVisitor(devices[0]!)
      const second = await leadByVisitor(devices[1]!)
      if (!first || first.id !== second?.id) throw new Error('not merged yet')
      return first
    })
    expect(lead.email).toBe(email)
    expect([...lead.anonymousIds].sort()).toEqual([...devices].sort())
  })
})

describe('privacy and robustness', () => {
  it('sends nothing and stores nothing when Global Privacy Control is on', async () => {
    const { page, context } = await visitor()
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }))
    const posts: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/v1/events')) posts.push(r.postData() ?? '')
    })
    // The page's clock is driven by the test: the SDK's flush timers run without waiting on real time.
    await page.clock.install()
    await page.goto(`${baseUrl()}/pricing`)
    await page.evaluate(() => (window as any).cairn('track', 'Clicked', {}))
    await page.clock.runFor(10_000)
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)))
    expect(posts).toEqual([])
    const stored = await page.evaluate(() => ({
      keys: Object.keys(localStorage).filter((k) => k.startsWith('cairn')),
      cookie: document.cookie.includes('cairn'),
    }))
    expect(stored).toEqual({ keys: [], cookie: false })
  })

  it('consent denied clears what was stored and stops sending; granted resumes', async () => {
    const { page } = await visitor()
    const posts: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/v1/events')) posts.push(r.postData() ?? '')
    })
    await page.clock.install()
    await page.goto(`${baseUrl()}/`)
    await page.waitForFunction(() => document.cookie.includes('cairn_aid='))
    await page.evaluate(() => (window as any).cairn('consent', 'denied'))
    const sentBefore = posts.length
    await page.evaluate(() => (window as any).cairn('track', 'After Deny', {}))
    await page.clock.runFor(10_000)
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)))
    expect(posts.slice(sentBefore).join('')).not.toContain('After Deny')
    const stored = await page.evaluate(() => ({
      keys: Object.keys(localStorage).filter((k) => k.startsWith('cairn')),
      cookie: document.cookie.includes('cairn'),
    }))
    expect(stored).toEqual({ keys: [], cookie: false })

    await page.evaluate(() => (window as any).cairn('consent', 'granted'))
    await page.evaluate(() => (window as any).cairn('track', 'After Grant', {}))
    await eventually(async () => expect(posts.join('')).toContain('After Grant'))
  })

  it('works when storage is blocked: events still arrive, nothing throws', async () => {
    const { page, context, errors } = await visitor()
    await context.addInitScript(() => {
      const blocked = () => {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      }
      Object.defineProperty(window, 'localStorage', { get: blocked })
      Object.defineProperty(window, 'sessionStorage', { get: blocked })
      Object.defineProperty(Document.prototype, 'cookie', { get: blocked, set: blocked })
    })
    const bodies: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/v1/events')) bodies.push(r.postData() ?? '')
    })
    await page.goto(`${baseUrl()}/pricing`)
    await page.evaluate(() => (window as any).cairn('track', 'No Storage', {}))
    const anonymousId = await eventually(async () => {
      const sent = bodies.map((b) => JSON.parse(b) as { batch: Array<{ event?: string; anonymousId: string }> })
      const event = sent.flatMap((b) => b.batch).find((e) => e.event === 'No Storage')
      if (!event) throw new Error('not sent yet')
      return event.anonymousId
    })
    await eventsOfVisitor(anonymousId, (e) => named(e, 'No Storage').length === 1)
    expect(errors).toEqual([])
  })

  // Catches: an end-to-end suite driving the demo with plain headless Chromium getting no lead (the demo site
  // must accept automated browsers, as a staging site does).
  it('a plain headless browser on the demo site is tracked: its identify makes a lead', async () => {
    const automated = await launch({ visitor: false })
    try {
      const page = await automated.newPage()
      await page.goto(`${baseUrl()}/pricing`)
      expect(await page.evaluate(() => navigator.webdriver)).toBe(true)
      const email = `headless-${Date.now()}@example.com`
      await page.evaluate((address) => (window as any).cairn('identify', null, { email: address }), email)
      const aid = await anonymousIdOf(page)
      const lead = await eventually(async () => {
        const found = await leadByVisitor(aid)
        if (!found?.email) throw new Error('no lead yet')
        return found
      })
      expect(lead.email).toBe(email)
      expect((await eventsOf(lead.id)).map((e) => e.type)).toEqual(expect.arrayContaining(['page', 'identify']))
    } finally {
      await automated.close()
    }
  })

  // Catches: automation dropped silently or sent without its flag, and ignored events piling up in localStorage.
  // The demo site accepts automated browsers (end-to-end suites drive it); a new site does not: the page is
  // the demo's with that site's key.
  it('a webdriver-driven browser sends its events flagged automated; ignored by a site that does not accept them, nothing piles up', async () => {
    const site = await createSite('No automation')
    const automated = await launch({ visitor: false })
    try {
      const page = await automated.newPage()
      await page.route(`${baseUrl()}/`, async (route) => {
        const response = await route.fetch()
        await route.fulfill({ response, body: (await response.text()).replaceAll('pk_demo', site.key) })
      })
      const answers: Array<{ body: Record<string, unknown>; status: number; json: Record<string, unknown> }> = []
      page.on('response', async (r) => {
        if (!r.url().includes('/v1/events')) return
        const body = JSON.parse(r.request().postData() ?? '{}')
        answers.push({ body, status: r.status(), json: await r.json().catch(() => ({})) })
      })
      await page.goto(`${baseUrl()}/`)
      expect(await page.evaluate(() => navigator.webdriver)).toBe(true)
      await page.evaluate(() => (window as any).cairn('track', 'Bot Click', {}))
      await eventually(async () => {
        const sent = answers.flatMap((a) => (a.body.batch as Array<{ event?: string }>).map((e) => e.event))
        expect(sent).toContain('Bot Click')
      }, { timeout: 30_000 })
      for (const answer of answers) {
        expect(answer.body.automated).toBe(true)
        expect(answer.status).toBe(202)
        expect(answer.json.ignored).toBeTruthy()
      }
      await eventually(async () => expect(await page.evaluate((key) => localStorage.getItem(`cairn_q:${key}`), site.key)).toBe('[]'), { timeout: 30_000 })
      expect((await adminGet<{ ignored: { automated: number } }>(`/api/sites/${site.id}`)).ignored.automated).toBeGreaterThan(0)
    } finally {
      await automated.close()
    }
  })

  it('no error reached any page console', () => {
    expect(visitors.flatMap((v) => v.errors)).toEqual([])
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCairn, createClient } from './client.js'
import { fakeBrowser, type FakeBrowserOptions } from '../test/fake-browser.js'
import { ATTEMPTS_MAX } from './queue.js'

let browser: ReturnType<typeof fakeBrowser>
const setup = (options: FakeBrowserOptions = {}) => (browser = fakeBrowser(options))
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms)
const site = 'pk_demo'
const api = 'https://edge.test'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  browser?.restore()
})

describe('sending', () => {
  it('sends the automatic page view in the wire format of API.md after 1 s', async () => {
    setup({ url: 'https://acme.test/pricing?utm_campaign=bf&gclid=G1', referrer: 'https://google.com/' })
    createCairn({ site, api: api + '/' })
    await wait(900)
    expect(browser.requests).toHaveLength(0)
    await wait(200)
    expect(browser.requests).toHaveLength(1)
    const [request] = browser.requests
    expect(request!.url).toBe('https://edge.test/v1/events')
    expect(request!.init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'text/plain' }, keepalive: true, credentials: 'omit' })
    expect(request!.json).toEqual({ site, sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), batch: [expect.any(Object)] })
    const event = request!.json.batch[0]!
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'page',
      anonymousId: expect.stringMatching(/^a_/),
      timestamp: expect.any(String),
      context: {
        url: 'https://acme.test/pricing?utm_campaign=bf&gclid=G1',
        referrer: 'https://google.com/',
        title: 'Acme',
        locale: 'en-GB',
        screen: '1280x720',
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        campaign: { utm_campaign: 'bf', gclid: 'G1' },
      },
    })
    // Sent and answered 202: nothing left in the persisted queue.
    expect(browser.queue()).toEqual([])
    expect(JSON.parse(browser.storage.getItem('cairn_ft')!)).toEqual({ utm_campaign: 'bf', gclid: 'G1' })
  })

  it('batches: one request for events within a second, at once at 20 events', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    cairn.track('A', { n: 1 })
    cairn.track('B')
    await wait(1000)
    expect(browser.requests).toHaveLength(1)
    expect(browser.requests[0]!.json.batch.map((e) => [e.type, e.event, e.properties])).toEqual([
      ['track', 'A', { n: 1 }],
      ['track', 'B', undefined],
    ])
    for (let i = 0; i < 20; i++) cairn.track('E' + i)
    await wait(10)
    expect(browser.requests).toHaveLength(2)
    expect(browser.requests[1]!.json.batch).toHaveLength(20)
  })

  it('keeps one request in flight per tab', async () => {
    setup()
    let answer!: (status: number) => void
    browser.fetch.mockImplementationOnce(async (url, init) => {
      browser.requests.push({ url, body: init.body as string, init, json: JSON.parse(init.body as string) })
      return { status: await new Promise<number>((resolve) => (answer = resolve)) } as Response
    })
    const cairn = createCairn({ site, api, auto: false })
    for (let i = 0; i < 45; i++) cairn.track('E' + i)
    await wait(5000)
    expect(browser.requests).toHaveLength(1)
    answer(202)
    await wait(10)
    expect(browser.requests.map((r) => r.json.batch.length)).toEqual([20, 20, 5])
  })

  it('sends what an earlier page left in the queue', async () => {
    setup()
    const old = { id: 'old-1', type: 'track', event: 'Offline', anonymousId: 'a_old', timestamp: '2026-01-01T00:00:00.000Z', context: { url: 'https://acme.test/' } }
    browser.storage.setItem('cairn_q:pk_demo', JSON.stringify([{ e: old, n: 0 }]))
    createCairn({ site, api, auto: false })
    await wait(1000)
    expect(browser.events()).toEqual([old])
    expect(browser.queue()).toEqual([])
  })

  // Catches: automation dropped silently (a site's own end-to-end tests see nothing), the flag missing from
  // a batch or a beacon, and an `ignored` 202 kept in the queue so that events pile up in localStorage.
  it('sends every batch from an automated browser with "automated": true, and an ignored 202 empties the queue', async () => {
    setup({ webdriver: true, beacon: true })
    const cairn = createCairn({ site, api })
    cairn.track('A')
    const ready = vi.fn()
    cairn.ready(ready)
    await wait(1000)
    expect(browser.requests).toHaveLength(1)
    expect(browser.requests[0]!.json).toMatchObject({ site, automated: true })
    expect(browser.requests[0]!.json.batch).toHaveLength(2)
    cairn.track('B')
    await browser.hide()
    expect(browser.beacons).toHaveLength(1)
    expect(browser.beacons[0]!.json).toMatchObject({ automated: true, batch: [expect.objectContaining({ event: 'B' })] })
    expect(ready).toHaveBeenCalledOnce()
    expect(browser.queue()).toEqual([])
  })

  // Catches: a route's page view lost when the visitor leaves while it waits for the route's title.
  it('sends a route page view still waiting for its title when the page is hidden', async () => {
    setup({ url: 'https://acme.test/app' })
    createCairn({ site, api })
    await wait(1000)
    browser.history.pushState(null, '', '/pricing')
    await wait(0) // the route is seen; its title wait (up to 300 ms) has begun
    await browser.hide()
    // Handed to the network as the page goes (a beacon or a keepalive fetch), not left to a timer that never runs.
    expect(browser.events().map((e) => [e.type, e.context?.url])).toContainEqual(['page', 'https://acme.test/pricing'])
  })

  // Catches: the automated flag sent by a person's browser (the Worker would drop her events).
  it('says nothing about automation for a person\'s browser', async () => {
    setup()
    createCairn({ site, api })
    await wait(1000)
    expect(Object.keys(browser.requests[0]!.json)).toEqual(['site', 'sentAt', 'batch'])
  })
})

describe('retries', () => {
  it('keeps an event through a 5xx and network errors, then removes it on 202', async () => {
    setup({ statuses: [503, 0, 202] })
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    createCairn({ site, api })
    await wait(1000)
    expect(browser.requests).toHaveLength(1)
    expect(browser.queue()).toMatchObject([{ n: 1 }])
    await wait(1000)
    expect(browser.requests).toHaveLength(2)
    expect(browser.queue()).toMatchObject([{ n: 2 }])
    await wait(1000)
    expect(browser.requests).toHaveLength(3)
    expect(browser.queue()).toEqual([])
    const ids = browser.requests.map((r) => r.json.batch[0]!.id)
    expect(new Set(ids).size).toBe(1)
  })

  it('backs off exponentially up to 30 s and drops an event after its last attempt', async () => {
    setup({ statuses: [500] })
    vi.spyOn(Math, 'random').mockReturnValue(0.999)
    createCairn({ site, api })
    await wait(1000)
    const times = [Date.now()]
    for (let i = 1; i < ATTEMPTS_MAX + 2; i++) {
      while (browser.requests.length == i && Date.now() - times[0]! < 600000) await wait(100)
      times.push(Date.now())
    }
    expect(browser.requests).toHaveLength(ATTEMPTS_MAX)
    expect(browser.queue()).toEqual([])
    const gaps = times.slice(1, ATTEMPTS_MAX).map((t, i) => Math.round((t - times[i]!) / 1000))
    expect(gaps).toEqual([1, 2, 4, 8, 16, 30, 30])
  })

  it.each([400, 401, 403, 404])('drops a batch answered %i without retrying', async (status) => {
    setup({ statuses: [status, 202] })
    const cairn = createCairn({ site, api })
    await wait(1000)
    expect(browser.queue()).toEqual([])
    cairn.track('Next')
    await wait(1000)
    expect(browser.events().map((e) => e.type)).toEqual(['page', 'track'])
  })

  it('on 413 splits the batch in halves before dropping', async () => {
    setup({ statuses: [413, 202, 202] })
    const cairn = createCairn({ site, api, auto: false })
    for (let i = 0; i < 20; i++) cairn.track('E' + i)
    await wait(10)
    expect(browser.requests.map((r) => r.json.batch.length)).toEqual([20, 10, 10])
    expect(browser.queue()).toEqual([])
  })

  // Catches: one invalid event (a 5,000-character URL, a blank name) costing the 19 good ones sent with it.
  it('on 400 splits the batch in halves until only the refused event is dropped', async () => {
    // The fake answers by position: the last request (E3 alone) is refused, as its bad event would be.
    setup({ statuses: [400, 202, 400, 202, 400] })
    const cairn = createCairn({ site, api, auto: false })
    for (let i = 0; i < 4; i++) cairn.track('E' + i)
    await wait(5000)
    expect(browser.requests.map((r) => r.json.batch.length)).toEqual([4, 2, 2, 1, 1])
    const delivered = browser.requests.filter((_, i) => i == 1 || i == 3).flatMap((r) => r.json.batch.map((e: any) => e.event))
    expect(delivered).toEqual(['E0', 'E1', 'E2'])
    expect(browser.queue()).toEqual([])
  })

  it('waits while offline, keeps the events stored, and sends when back online', async () => {
    setup()
    browser.navigator.onLine = false
    createCairn({ site, api })
    await wait(5000)
    await browser.hide()
    expect(browser.requests).toHaveLength(0)
    expect(browser.beacons).toHaveLength(0)
    expect(browser.queue()).toHaveLength(1)
    browser.goOnline()
    await wait(10)
    expect(browser.requests).toHaveLength(1)
    expect(browser.queue()).toEqual([])
  })
})

describe('page hide', () => {
  it('hands everything pending to sendBeacon and forgets it', async () => {
    setup({ beacon: true })
    const cairn = createCairn({ site, api })
    cairn.track('Signed Up', { plan: 'trial' })
    await browser.hide()
    expect(browser.requests).toHaveLength(0)
    expect(browser.beacons).toHaveLength(1)
    expect(browser.beacons[0]!.url).toBe('https://edge.test/v1/events')
    expect(browser.beacons[0]!.json.batch.map((e) => e.type)).toEqual(['page', 'track'])
    expect(browser.queue()).toEqual([])
    await wait(5000)
    expect(browser.requests).toHaveLength(0)
  })

  it('keeps all beacons under the shared 64 KiB budget; the rest stays stored for the next page', async () => {
    setup({ beacon: true })
    const cairn = createCairn({ site, api, auto: false })
    for (let i = 0; i < 15; i++) cairn.track('Big', { text: 'x'.repeat(10000) })
    await browser.hide()
    const total = browser.beacons.reduce((sum, b) => sum + new Blob([b.body]).size, 0)
    expect(total).toBeLessThanOrEqual(65536)
    const sent = browser.beacons.flatMap((b) => b.json.batch).length
    expect(sent).toBeGreaterThan(0)
    expect(browser.queue()).toHaveLength(15 - sent)
    // The keepalive fetch fallback found no budget left either: nothing else went out.
    expect(browser.requests).toHaveLength(0)
  })

  it('falls back to fetch keepalive when sendBeacon refuses', async () => {
    setup({ beacon: false })
    createCairn({ site, api })
    await browser.hide()
    await wait(0)
    expect(browser.requests).toHaveLength(1)
    expect(browser.requests[0]!.init.keepalive).toBe(true)
    expect(browser.queue()).toEqual([])
  })
})

describe('visitor ids', () => {
  it('stores the anonymous id in localStorage and a first-party cookie, and reuses it', async () => {
    setup()
    createCairn({ site, api })
    const aid = browser.storage.getItem('cairn_aid')
    expect(aid).toMatch(/^a_/)
    expect(browser.cookies.get('cairn_aid')).toBe(aid)
    await wait(1000)
    expect(browser.events()[0]!.anonymousId).toBe(aid)
  })

  it('prefers the cookie set by edge mode over localStorage', async () => {
    setup()
    browser.cookies.set('cairn_aid', 'a_edge')
    browser.storage.setItem('cairn_aid', 'a_local')
    createCairn({ site, api })
    await wait(1000)
    expect(browser.events()[0]!.anonymousId).toBe('a_edge')
    expect(browser.storage.getItem('cairn_aid')).toBe('a_edge')
  })

  it('identify sends traits, later events carry the userId; reset forgets it and rotates the anonymous id', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    cairn.identify('u_42', { email: 'ada@example.com', budget: 12000 })
    cairn.track('Signed Up')
    await wait(1000)
    const [identify, track] = browser.events()
    expect(identify).toMatchObject({ type: 'identify', userId: 'u_42', traits: { email: 'ada@example.com', budget: 12000 } })
    expect(track).toMatchObject({ type: 'track', userId: 'u_42', anonymousId: identify!.anonymousId })
    expect(browser.storage.getItem('cairn_uid')).toBe('u_42')

    cairn.reset()
    cairn.track('After logout')
    await wait(1000)
    const after = browser.events()[2]!
    expect(after.userId).toBeUndefined()
    expect(after.anonymousId).not.toBe(identify!.anonymousId)
    expect(browser.storage.getItem('cairn_uid')).toBeNull()
    expect(browser.cookies.get('cairn_aid')).toBe(after.anonymousId)
  })

  // Catches the identity signature not reaching the server (identity verification could never pass).
  it('identify passes the hash from its options as the event verification', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    cairn.identify('u_42', { plan: 'pro' }, { hash: 'ab12' })
    cairn.identify('u_42', { plan: 'team' })
    await wait(1000)
    const [signed, unsigned] = browser.events()
    expect(signed).toMatchObject({ type: 'identify', userId: 'u_42', verification: 'ab12', traits: { plan: 'pro' } })
    expect(unsigned).not.toHaveProperty('verification')
  })

  // Catches: identify(null, traits) treated as a logout (traits dropped, a stranger's anonymous id).
  it('identify(null, traits) sends the traits and keeps the visitor', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    cairn.track('Before')
    cairn.identify(null, { email: 'ada@example.com' })
    cairn.track('After')
    await wait(1000)
    const [before, identify, after] = browser.events()
    expect(identify).toMatchObject({ type: 'identify', traits: { email: 'ada@example.com' }, anonymousId: before!.anonymousId })
    expect(identify!.userId).toBeUndefined()
    expect(after!.anonymousId).toBe(before!.anonymousId)
    expect(browser.cookies.get('cairn_aid')).toBe(before!.anonymousId)
  })

  // Catches: reset keeping the old user id or first touch for the next person on the device.
  it('reset starts a new visitor: new id, no user id, no first touch', async () => {
    setup({ url: 'https://acme.test/?utm_source=google' })
    const cairn = createCairn({ site, api, auto: false })
    cairn.identify('u_1')
    expect(browser.storage.getItem('cairn_ft')).not.toBeNull()
    cairn.reset()
    cairn.track('Next person')
    await wait(1000)
    const [identify, next] = browser.events()
    expect(next).toMatchObject({ event: 'Next person' })
    expect(next!.userId).toBeUndefined()
    expect(next!.anonymousId).not.toBe(identify!.anonymousId)
    expect(browser.storage.getItem('cairn_uid')).toBeNull()
    expect(browser.storage.getItem('cairn_ft')).toBeNull()
  })

  it('a later page remembers the user', async () => {
    setup()
    createCairn({ site, api, auto: false }).identify('u_7')
    createCairn({ site, api, auto: false }).track('Next page')
    await wait(1000)
    expect(browser.events().find((e) => e.event == 'Next page')).toMatchObject({ userId: 'u_7' })
  })
})

describe('consent', () => {
  const cairnKeys = () => Object.keys(browser.storage).filter((key) => key.startsWith('cairn_'))

  it('opt-in mode: nothing stored or sent until granted, then the held events go out with a stored id', async () => {
    setup({ beacon: true })
    const cairn = createCairn({ site, api, consent: 'required' })
    cairn.track('Before choice')
    await wait(5000)
    await browser.hide()
    expect(browser.requests).toHaveLength(0)
    expect(browser.beacons).toHaveLength(0)
    expect(cairnKeys()).toEqual([])
    expect(browser.cookies.size).toBe(0)

    cairn.consent('granted')
    expect(browser.storage.getItem('cairn_consent')).toBe('granted')
    await wait(1000)
    const aid = browser.storage.getItem('cairn_aid')
    expect(browser.events().map((e) => [e.type, e.anonymousId])).toEqual([
      ['page', aid],
      ['track', aid],
    ])
  })

  it('opt-in mode: a stored grant counts on the next page', async () => {
    setup()
    browser.storage.setItem('cairn_consent', 'granted')
    createCairn({ site, api, consent: 'required' })
    await wait(1000)
    expect(browser.events()).toHaveLength(1)
  })

  it('opt-in mode: deny discards what was held', async () => {
    setup()
    const cairn = createCairn({ site, api, consent: 'required' })
    cairn.consent('denied')
    cairn.track('After deny')
    await wait(5000)
    expect(browser.requests).toHaveLength(0)
    expect(cairnKeys()).toEqual([])
  })

  it('denied after granting: clears keys and cookie, drops the unsent queue, sends only necessary events', async () => {
    setup()
    const cairn = createCairn({ site, api })
    cairn.identify('u_1', { email: 'a@b.test' })
    expect(cairnKeys().length).toBeGreaterThan(0)
    cairn.consent('denied')
    expect(cairnKeys()).toEqual([])
    expect(browser.cookies.size).toBe(0)
    cairn.track('Not necessary')
    cairn.track('Cart', { items: 1 }, { necessary: true })
    await wait(1000)
    const events = browser.events()
    expect(events.map((e) => e.event)).toEqual(['Cart'])
    expect(events[0]!.userId).toBeUndefined()
    expect(cairnKeys()).toEqual([])
  })

  it('honours Global Privacy Control: existing keys cleared, nothing stored, only necessary events with a per-page id', async () => {
    setup({ gpc: true })
    browser.storage.setItem('cairn_aid', 'a_old')
    browser.cookies.set('cairn_aid', 'a_old')
    const cairn = createCairn({ site, api })
    cairn.track('Viewed')
    cairn.track('Login', {}, { necessary: true })
    await wait(1000)
    expect(cairnKeys()).toEqual([])
    expect(browser.cookies.size).toBe(0)
    const events = browser.events()
    expect(events.map((e) => e.event)).toEqual(['Login'])
    expect(events[0]!.anonymousId).not.toBe('a_old')
    const second = createCairn({ site, api, auto: false })
    second.track('Again', {}, { necessary: true })
    await wait(1000)
    expect(browser.events()[1]!.anonymousId).not.toBe(events[0]!.anonymousId)
  })

  it('granting again does not resend what another tab already sent', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    cairn.track('X')
    // Another tab drained the shared queue meanwhile.
    browser.storage.setItem('cairn_q:pk_demo', '[]')
    cairn.consent('granted')
    await wait(1000)
    expect(browser.events()).toEqual([])
  })

  it('an explicit grant outranks GPC', async () => {
    setup({ gpc: true })
    browser.storage.setItem('cairn_consent', 'granted')
    createCairn({ site, api })
    await wait(1000)
    expect(browser.events()).toHaveLength(1)
  })
})

describe('robustness', () => {
  it('works in memory when storage is blocked (sandboxed iframe)', async () => {
    setup({ storage: 'blocked', statuses: [500, 202] })
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const cairn = createCairn({ site, api })
    cairn.identify('u_1')
    cairn.track('Clicked')
    await wait(3000)
    const events = browser.events()
    expect(browser.requests).toHaveLength(2)
    expect(events.slice(3).map((e) => e.type)).toEqual(['page', 'identify', 'track'])
    expect(events[4]!.userId).toBe('u_1')
  })

  it('falls back to memory when a write fails (quota)', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    browser.storage.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError')
    }
    cairn.track('A')
    cairn.track('B')
    await wait(1000)
    expect(browser.events().map((e) => e.event)).toEqual(['A', 'B'])
  })

  it('never throws into the page, and a bad call does not block the queue', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => cairn.track('Cyclic', cyclic)).not.toThrow()
    expect(() => cairn.track('Big', { n: BigInt(1) as unknown })).not.toThrow()
    expect(() => cairn.on('message', null as never)).not.toThrow()
    expect(() => cairn.on('__proto__' as 'message', () => {})).not.toThrow()
    cairn.ready(() => {
      throw new Error('host bug')
    })
    cairn.track('Fine')
    await wait(1000)
    expect(browser.events().map((e) => e.event)).toEqual(['Fine'])
  })

  it('ignores a nameless track, which would make the server refuse the whole batch', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    cairn.track('')
    cairn.track(undefined as unknown as string)
    cairn.track('Named')
    await wait(1000)
    expect(browser.events().map((e) => e.event)).toEqual(['Named'])
  })

  it('copies properties when called: later changes by the host do not leak in', async () => {
    setup()
    const cairn = createCairn({ site, api, auto: false })
    const properties = { plan: 'trial' }
    cairn.track('Signed Up', properties)
    properties.plan = 'changed'
    await wait(1000)
    expect(browser.events()[0]!.properties).toEqual({ plan: 'trial' })
  })

  it('ready runs callbacks asynchronously, once, also for late callers', async () => {
    setup()
    const cairn = createCairn({ site, api })
    const first = vi.fn()
    cairn.ready(first)
    expect(first).not.toHaveBeenCalled()
    await wait(0)
    expect(first).toHaveBeenCalledOnce()
    const late = vi.fn()
    cairn.ready(late)
    expect(late).not.toHaveBeenCalled()
    await wait(0)
    expect(late).toHaveBeenCalledOnce()
    expect(first).toHaveBeenCalledOnce()
  })
})

describe('SPA page views', () => {
  it('one page view per new path+query: pushState, replaceState and popstate; no duplicate for the same URL', async () => {
    setup({ url: 'https://acme.test/spa.html' })
    createCairn({ site, api })
    const { history } = browser.window
    history.pushState({}, '', '/spa/a')
    await wait(0)
    history.replaceState({ x: 1 }, '', '/spa/a')
    history.pushState({}, '', '/spa/a#section')
    await wait(0)
    history.pushState({}, '', '/spa/b?tab=2')
    await wait(0)
    browser.popstate('/spa/a')
    await wait(1000)
    const pages = browser.events().filter((e) => e.type == 'page')
    expect(pages.map((e) => new URL(e.context.url).pathname + new URL(e.context.url).search)).toEqual([
      '/spa.html',
      '/spa/a',
      '/spa/b?tab=2',
      '/spa/a',
    ])
    // The referrer of a SPA page view is the previous page.
    expect(pages[1]!.context.referrer).toBe('https://acme.test/spa.html')
  })

  // Catches the race seen in Chromium on a busy machine: a push then Back before either was reported lost the pushed page.
  it('counts a push and a Back made in one burst as two page views, in order', async () => {
    setup({ url: 'https://acme.test/spa' })
    createCairn({ site, api })
    const { history } = browser.window
    history.pushState({}, '', '/spa/a')
    await wait(0)
    history.pushState({}, '', '/spa/b')
    browser.popstate('/spa/a') // before the push above was reported
    await wait(1000)
    const pages = browser.events().filter((e) => e.type == 'page')
    expect(pages.map((e) => new URL(e.context.url).pathname)).toEqual(['/spa', '/spa/a', '/spa/b', '/spa/a'])
  })

  it('keeps the landing attribution on later SPA page views', async () => {
    setup({ url: 'https://acme.test/?utm_source=google&utm_campaign=bf' })
    createCairn({ site, api })
    browser.window.history.pushState({}, '', '/pricing')
    await wait(1000)
    const pages = browser.events()
    expect(pages[1]!.context).toMatchObject({ url: 'https://acme.test/pricing', campaign: { utm_source: 'google', utm_campaign: 'bf' } })
  })

  // Catches: hash routes not counted, #section anchors counted, replaceState clean-ups counted twice.
  it('hash routes are pages; anchors and tracking clean-ups are not', async () => {
    setup({ url: 'https://acme.test/app?utm_source=google&plan=a' })
    createCairn({ site, api })
    browser.window.history.replaceState(null, '', '/app?plan=a')
    await wait(0)
    browser.hashchange('#faq')
    await wait(0)
    browser.hashchange('#/pricing')
    await wait(0)
    browser.hashchange('#!/signup')
    await wait(0)
    browser.hashchange('#/pricing')
    await wait(1000)
    const urls = browser.events().filter((e) => e.type == 'page').map((e) => e.context.url)
    expect(urls).toEqual([
      'https://acme.test/app?utm_source=google&plan=a',
      'https://acme.test/app?plan=a#/pricing',
      'https://acme.test/app?plan=a#!/signup',
      'https://acme.test/app?plan=a#/pricing',
    ])
  })

  // Catches: a route's page view reporting the previous page's title (routers set it after pushState).
  it("waits for the router's title, and keeps each page's own URL", async () => {
    setup({ url: 'https://acme.test/' })
    createCairn({ site, api })
    browser.window.history.pushState({}, '', '/pricing')
    await wait(50)
    browser.document.title = 'Pricing'
    browser.window.history.pushState({}, '', '/signup')
    await wait(1000)
    const pages = browser.events().filter((e) => e.type == 'page')
    expect(pages.map((e) => [e.context.url, e.context.title])).toEqual([
      ['https://acme.test/', 'Acme'],
      ['https://acme.test/pricing', 'Pricing'],
      ['https://acme.test/signup', 'Pricing'],
    ])
  })

  it('auto: false sends no automatic page views', async () => {
    setup()
    createCairn({ site, api, auto: false })
    browser.window.history.pushState({}, '', '/x')
    await wait(1000)
    expect(browser.requests).toHaveLength(0)
  })
})

describe('tabs sharing one localStorage', () => {
  it.each([true, false])('no event is lost or overwritten (Web Locks: %s)', async (locks) => {
    setup({ locks })
    const a = createCairn({ site, api, auto: false })
    const b = createCairn({ site, api, auto: false })
    for (let i = 0; i < 30; i++) (i % 2 ? a : b).track('E' + i)
    expect(browser.queue()).toHaveLength(30)
    await wait(3000)
    const sent = browser.events().map((e) => e.event)
    expect(new Set(sent)).toEqual(new Set(Array.from({ length: 30 }, (_, i) => 'E' + i)))
    expect(browser.queue()).toEqual([])
  })

  it('an event stored by another tab while this one sends is kept', async () => {
    setup()
    let answer!: (status: number) => void
    browser.fetch.mockImplementationOnce(async (url, init) => {
      browser.requests.push({ url, body: init.body as string, init, json: JSON.parse(init.body as string) })
      return { status: await new Promise<number>((resolve) => (answer = resolve)) } as Response
    })
    const a = createCairn({ site, api, auto: false })
    a.track('First')
    await wait(1000)
    createClient({ site, api, auto: false })[0].track('From other tab')
    answer(202)
    await wait(0)
    // The draining tab removed only what it sent, so it found the other tab's event and sent it too.
    expect(browser.events().map((e) => e.event)).toEqual(['First', 'From other tab'])
    expect(browser.queue()).toEqual([])
  })
})

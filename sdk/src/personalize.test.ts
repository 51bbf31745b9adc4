// Client-mode personalization through a whole instance in the fake browser: hold, fill, timeout, edge
// mode, SPA navigations and the lazy web-vitals chunk.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCairn } from './client.js'
import { fakeBrowser, type FakeBrowserOptions, type FakeElement } from '../test/fake-browser.js'

let browser: ReturnType<typeof fakeBrowser>
const setup = (options: FakeBrowserOptions = {}) => (browser = fakeBrowser(options))
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms)
const site = 'pk_demo'
const api = 'https://edge.test'
const slots = { headline: 'Close more deals', cta: 'Start free trial' }
const decision = {
  slots: { headline: 'Black Friday: CRM at 40% off', cta: 'Claim the deal' },
  experiences: [{ id: 'exp_bf', variant: 'var_b' }],
  messages: [],
}
/** An answer that takes `ms` on the fake clock. */
const after = (ms: number, body: unknown) => () => new Promise((resolve) => setTimeout(() => resolve(body), ms))
const texts = () => Object.keys(slots).map((name) => browser.slotNamed(name).textContent)

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  browser?.restore()
})

describe('landing page', () => {
  // Catches: hiding the page instead of the slots, a preflighted or credentialed request, a missing reveal.
  it('holds the pending slots (not the page) with one style rule, fills them from the answer, then reveals', async () => {
    setup({ url: 'https://acme.test/?utm_term=crm', slots, personalize: after(80, decision) })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    expect(browser.personalizations).toHaveLength(1)
    const request = browser.personalizations[0]!
    expect(request.origin + request.pathname).toBe('https://edge.test/v1/personalize')
    expect(Object.fromEntries(request.searchParams)).toEqual({
      site,
      url: 'https://acme.test/?utm_term=crm',
      aid: expect.stringMatching(/^a_/),
    })
    expect(request.search).toContain('url=https%3A%2F%2Facme.test%2F%3Futm_term%3Dcrm')
    expect(browser.personalizeInits[0]).toEqual({ credentials: 'omit' })
    const headline = browser.slotNamed('headline')
    expect(browser.held(headline)).toBe(true)
    expect(browser.document.body.hasAttribute('style')).toBe(false)
    await wait(79)
    expect(browser.held(headline)).toBe(true)
    expect(ready).not.toHaveBeenCalled()
    await wait(1)
    expect(texts()).toEqual(['Black Friday: CRM at 40% off', 'Claim the deal'])
    expect(browser.held(headline)).toBe(false)
    expect(browser.document.head.children.filter((child) => child.tagName == 'style')).toEqual([])
    expect(browser.slotNamed('cta').hasAttribute('data-cairn-done')).toBe(true)
    expect(ready).toHaveBeenCalledOnce()
    expect(ready).toHaveBeenCalledWith([{ id: 'exp_bf', variant: 'var_b' }])
    await wait(5000)
    expect(ready).toHaveBeenCalledOnce()
  })

  // Catches: an automated browser left unpersonalized (a site's end-to-end tests could not see their
  // experiences) or asking without the flag (its exposure would count in the results).
  it('personalizes an automated browser too, flagging the request automated=1', async () => {
    setup({ slots, webdriver: true, personalize: after(10, decision) })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    expect(browser.personalizations).toHaveLength(1)
    expect(browser.personalizations[0]!.searchParams.get('automated')).toBe('1')
    await wait(10)
    expect(texts()).toEqual(['Black Friday: CRM at 40% off', 'Claim the deal'])
    expect(ready).toHaveBeenCalledWith([{ id: 'exp_bf', variant: 'var_b' }])
  })

  // Catches: a slot the decision does not name being emptied or left hidden.
  it('keeps the default of slots the answer does not name', async () => {
    setup({ slots, personalize: () => ({ slots: { headline: 'Hi' }, experiences: [], messages: [] }) })
    createCairn({ site, api })
    await wait(0)
    expect(texts()).toEqual(['Hi', 'Start free trial'])
    expect(browser.held(browser.slotNamed('cta'))).toBe(false)
  })

  // Catches: parsing markup the Worker does not allow (a tag with attributes, a script) as HTML.
  it('inserts a value with disallowed markup as text, never as HTML', async () => {
    const payload = '<img src=x onerror=alert(1)>'
    setup({ slots, personalize: () => ({ slots: { headline: payload }, experiences: [], messages: [] }) })
    createCairn({ site, api })
    await wait(0)
    const headline = browser.slotNamed('headline')
    expect(headline.textContent).toBe(payload)
    expect(headline.children).toEqual([])
    expect(headline.html).toBeUndefined()
  })

  // Catches: escaped visitor values shown as entities, or the marketer's inline tags dropped.
  it('inserts a safe fragment (bare inline tags, escaped visitor values) as HTML', async () => {
    const fragment = 'Black Friday: <strong>&lt;b&gt;crm</strong> at 40% off'
    setup({ slots, personalize: () => ({ slots: { headline: fragment }, experiences: [], messages: [] }) })
    createCairn({ site, api })
    await wait(0)
    const headline = browser.slotNamed('headline')
    expect(headline.html).toBe(fragment)
    expect(headline.textContent).toBe('Black Friday: <b>crm at 40% off')
  })

  // Catches: a hold longer than 300 ms, and a late answer swapping content the visitor already sees.
  it('after 300 ms shows the defaults; a late answer is recorded, never applied', async () => {
    setup({ slots, personalize: after(1000, decision) })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    await wait(299)
    expect(browser.held(browser.slotNamed('headline'))).toBe(true)
    await wait(1)
    expect(browser.held(browser.slotNamed('headline'))).toBe(false)
    expect(texts()).toEqual(['Close more deals', 'Start free trial'])
    expect(ready).toHaveBeenCalledOnce()
    expect(ready).toHaveBeenCalledWith([])
    await wait(700)
    expect(texts()).toEqual(['Close more deals', 'Start free trial'])
    await wait(1000)
    const late = browser.events().find((event) => event.event == 'Personalization Late')
    expect(late?.properties).toEqual({ experiences: 'exp_bf:var_b', ms: 1000 })
    expect(ready).toHaveBeenCalledOnce()
  })

  // Catches: slots staying hidden (or ready never firing) when the endpoint fails.
  it.each([
    ['a 5xx', 503],
    ['a network error', 0],
    ['a body that is not JSON', 'not json'],
  ])('reveals the defaults at once on %s', async (_, answer) => {
    setup({ slots, personalize: () => (answer == 'not json' ? Promise.resolve({ slots: 'nonsense' }) : answer) })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    await wait(1)
    expect(browser.held(browser.slotNamed('headline'))).toBe(false)
    expect(texts()).toEqual(['Close more deals', 'Start free trial'])
    expect(ready).toHaveBeenCalledOnce()
    await wait(1000)
    expect(ready).toHaveBeenCalledOnce()
  })

  // Catches: slots parsed after the script ran (async script in <head>) missing the decision or flashing.
  it('fills slots parsed after the answer and holds them until DOMContentLoaded', async () => {
    setup({ readyState: 'loading', slots: { headline: 'Close more deals' }, personalize: after(50, decision) })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    await wait(50)
    const cta: FakeElement = browser.slot('cta', 'Start free trial')
    expect(browser.held(browser.slotNamed('headline'))).toBe(true)
    expect(browser.held(cta)).toBe(true)
    expect(ready).not.toHaveBeenCalled()
    browser.parsed()
    await wait(0)
    expect(browser.slotNamed('headline').textContent).toBe('Black Friday: CRM at 40% off')
    expect(cta.textContent).toBe('Claim the deal')
    expect(browser.held(cta)).toBe(false)
    expect(ready).toHaveBeenCalledWith([{ id: 'exp_bf', variant: 'var_b' }])
  })

  // Catches: a blank frame (default → hidden → personalized) when the script runs after the first paint.
  it('holds nothing once content is painted, and still applies a decision that comes within 300 ms', async () => {
    setup({ slots, personalize: after(100, decision) })
    vi.spyOn(performance, 'getEntriesByName').mockImplementation((name) =>
      name == 'first-contentful-paint' ? [{ name } as PerformanceEntry] : [],
    )
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    expect(browser.held(browser.slotNamed('headline'))).toBe(false)
    expect(browser.document.head.children).toEqual([])
    await wait(100)
    expect(texts()).toEqual(['Black Friday: CRM at 40% off', 'Claim the deal'])
    expect(ready).toHaveBeenCalledWith([{ id: 'exp_bf', variant: 'var_b' }])
  })

  // Catches: a slot parsed after the hold ended shown with its default, then swapped at DOMContentLoaded
  // (flicker), or never marked settled.
  it('leaves a slot parsed after the hold ended with its default, marked settled', async () => {
    setup({ readyState: 'loading', slots, personalize: after(50, decision) })
    createCairn({ site, api })
    await wait(300)
    expect(texts()).toEqual(['Black Friday: CRM at 40% off', 'Claim the deal']) // parsed in time: filled
    const late = browser.slot('headline', 'Default')
    expect(browser.held(late)).toBe(false)
    browser.parsed()
    await wait(0)
    expect(late.textContent).toBe('Default')
    expect(late.dataset.cairnDone).toBe('')
  })

  // Catches: a hold outliving 300 ms on a slow-parsing page.
  it('still ends the hold at 300 ms when the document is not parsed yet', async () => {
    setup({ readyState: 'loading', slots, personalize: after(50, decision) })
    createCairn({ site, api })
    await wait(100)
    const late = browser.slot('late', 'Default')
    expect(browser.held(late)).toBe(true)
    await wait(200)
    expect(browser.held(late)).toBe(false)
  })
})

describe('when personalization is skipped', () => {
  // Catches: a second decision (and a second exposure) for a page the Worker personalized at the edge.
  it('edge mode: no request, nothing held, ready at once with the experiences the Worker lists', async () => {
    setup({ slots, edge: 'exp_bf:var_b,exp_2:var_a' })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    expect(browser.held(browser.slotNamed('headline'))).toBe(false)
    await wait(0)
    expect(ready).toHaveBeenCalledWith([
      { id: 'exp_bf', variant: 'var_b' },
      { id: 'exp_2', variant: 'var_a' },
    ])
    await wait(5000)
    expect(browser.personalizations).toEqual([])
    expect(ready).toHaveBeenCalledOnce()
  })

  it('edge mode without a list: ready with no experiences', async () => {
    setup({ edge: '' })
    const cairn = createCairn({ site, api })
    const ready = vi.fn()
    cairn.ready(ready)
    await wait(0)
    expect(ready).toHaveBeenCalledWith([])
    expect(browser.personalizations).toEqual([])
  })

  // Catches: the visitor id leaving the device without consent, and slots held with nothing coming.
  it.each([
    ['opt-in mode before a grant', { consent: 'required' }, {}],
    ['Global Privacy Control', {}, { gpc: true }],
  ])('no request and nothing held under %s; ready at once', async (_, options, browserOptions) => {
    setup({ slots, ...browserOptions })
    const cairn = createCairn({ site, api, ...options })
    const ready = vi.fn()
    cairn.ready(ready)
    expect(browser.held(browser.slotNamed('headline'))).toBe(false)
    await wait(0)
    expect(ready).toHaveBeenCalledOnce()
    expect(ready).toHaveBeenCalledWith([])
    cairn.consent('granted')
    await wait(1000)
    // The page already shows its defaults: a grant personalizes the next page, not this one.
    expect(browser.personalizations).toEqual([])
    expect(texts()).toEqual(['Close more deals', 'Start free trial'])
  })

  // Catches: slots never marked settled when nothing personalizes them (a site whose own CSS holds
  // [data-cairn-slot]:not([data-cairn-done]) would keep them hidden for good): GPC, opt-in before a grant,
  // and an edge page nothing matched (its body passed through untouched).
  it.each([
    ['opt-in mode before a grant', { consent: 'required' }, {}],
    ['Global Privacy Control', {}, { gpc: true }],
    ['an edge page nothing matched', {}, { edge: '' }],
  ])('marks every slot done, defaults kept, under %s', async (_, options, browserOptions) => {
    setup({ slots, ...browserOptions })
    createCairn({ site, api, ...options })
    await wait(0)
    expect(['headline', 'cta'].map((name) => browser.slotNamed(name).dataset.cairnDone)).toEqual(['', ''])
    expect(texts()).toEqual(['Close more deals', 'Start free trial'])
  })
})

describe('SPA navigations', () => {
  // Catches: no decision for the new route, hiding on a SPA navigation, a stale or late decision applied.
  it('asks again for the new URL, applies within 300 ms without holding, skips a late answer', async () => {
    let delay = 0
    setup({
      url: 'https://acme.test/app',
      personalize: (url) =>
        after(delay, { ...decision, slots: { headline: 'For ' + new URL(url.searchParams.get('url')!).pathname } })(),
    })
    createCairn({ site, api })
    await wait(0)
    const headline = browser.slot('headline', 'Default')
    browser.history.pushState(null, '', '/pricing')
    await wait(10)
    expect(browser.personalizations.map((url) => url.searchParams.get('url'))).toEqual([
      'https://acme.test/app',
      'https://acme.test/pricing',
    ])
    expect(browser.held(headline)).toBe(false)
    expect(headline.textContent).toBe('For /pricing')
    // Same path again (hash only): no new decision.
    browser.history.replaceState(null, '', '/pricing#faq')
    await wait(0)
    expect(browser.personalizations).toHaveLength(2)
    delay = 500
    browser.popstate('/docs')
    await wait(1000)
    expect(headline.textContent).toBe('For /pricing')
    expect(browser.events().filter((event) => event.event == 'Personalization Late')).toHaveLength(1)
  })

  it('ignores the answer of a route the visitor already left', async () => {
    let delay = 200
    setup({
      url: 'https://acme.test/app',
      personalize: (url) => after(delay, { ...decision, slots: { headline: url.searchParams.get('url') } })(),
    })
    createCairn({ site, api, auto: false })
    await wait(300)
    const headline = browser.slot('headline', 'Default')
    browser.history.pushState(null, '', '/a')
    await wait(0)
    delay = 50
    browser.history.pushState(null, '', '/b')
    await wait(300)
    expect(headline.textContent).toBe('https://acme.test/b')
    expect(browser.events()).toEqual([])
  })
})

describe('web-vitals chunk', () => {
  const vitals = 'https://edge.test/sdk-vitals.js'

  // Catches: vitals withheld from automated browsers (they are sent, flagged, like every other event).
  it('is loaded in an automated browser too', async () => {
    setup({ webdriver: true })
    createCairn({ site, api, vitals })
    await wait(1000)
    expect(browser.scripts().map((script) => script.src)).toEqual([vitals])
  })

  // Catches: the chunk competing with the page load, loading twice, or loading without consent.
  it('is loaded once, after the load event, when idle', async () => {
    setup({ readyState: 'interactive' })
    const cairn = createCairn({ site, api, vitals })
    await wait(5000)
    expect(browser.scripts()).toEqual([])
    browser.loaded()
    expect(browser.scripts()).toEqual([])
    await wait(0)
    expect(browser.scripts().map((script) => script.src)).toEqual([vitals])
    cairn.consent('granted')
    await wait(0)
    expect(browser.scripts()).toHaveLength(1)
  })

  it('waits for a grant in opt-in mode', async () => {
    setup()
    const cairn = createCairn({ site, api, vitals, consent: 'required' })
    await wait(1000)
    expect(browser.scripts()).toEqual([])
    cairn.consent('granted')
    expect(browser.scripts().map((script) => script.src)).toEqual([vitals])
  })

  it.each([
    ['denied consent', { gpc: true }, vitals],
    ['no chunk URL (data-vitals="false", ESM)', {}, false as const],
  ])('is not loaded with %s', async (_, browserOptions, url) => {
    setup(browserOptions)
    createCairn({ site, api, vitals: url })
    await wait(1000)
    expect(browser.scripts()).toEqual([])
  })
})

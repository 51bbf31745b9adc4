import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCommands } from './commands.js'
import { fakeBrowser } from '../test/fake-browser.js'

let browser: ReturnType<typeof fakeBrowser>
beforeEach(() => {
  vi.useFakeTimers()
  browser = fakeBrowser()
})
afterEach(() => {
  vi.useRealTimers()
  browser.restore()
})

describe('createCommands', () => {
  it('keeps calls made before init and replays them in order after the first page view', async () => {
    const cairn = createCommands()
    cairn('track', 'Early', { n: 1 })
    cairn('identify', 'u_1', { email: 'a@b.test' })
    cairn('init', { site: 'pk_demo', api: 'https://edge.test' })
    cairn('track', 'Late')
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.events().map((e) => e.event ?? e.type)).toEqual(['page', 'Early', 'identify', 'Late'])
  })

  it('applies queued consent calls before the first page view: a queued denial sends and stores nothing', async () => {
    const cairn = createCommands()
    cairn('track', 'Early')
    cairn('consent', 'denied')
    cairn('init', { site: 'pk_demo', api: 'https://edge.test' })
    await vi.advanceTimersByTimeAsync(5000)
    expect(browser.requests).toHaveLength(0)
    expect(Object.keys(browser.storage)).toEqual([])
    expect(browser.cookies.size).toBe(0)
  })

  // Catches: on an edge page parsed before the script ran, the message in the HTML shown by the built-in renderer
  // (its chunk loaded) while the site's listener, queued in the stub as the README says, never hears of it.
  it("applies queued listeners before start: an edge page's message reaches on('message'), not the renderer", async () => {
    browser.restore()
    browser = fakeBrowser({ edge: 'exp_bf:var_b' })
    const message = { id: 'msg_edge', kind: 'banner', title: 'Hi', body: 'There', cta: null }
    browser.element('script', 'cairn-messages', JSON.stringify([message]))
    const listener = vi.fn()
    const cairn = createCommands()
    cairn('on', 'message', listener)
    cairn('init', { site: 'pk_demo', api: 'https://edge.test', messages: 'https://edge.test/sdk-messages.js' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(listener).toHaveBeenCalledExactlyOnceWith(message)
    expect(browser.scripts().map((script) => script.src)).not.toContain('https://edge.test/sdk-messages.js')
  })

  // Catches: calls piling up for ever where init never succeeds (ESM on a server: no window).
  it('keeps at most 250 calls waiting for init', async () => {
    const cairn = createCommands()
    for (let i = 0; i < 300; i++) cairn('track', `E${i}`)
    cairn('init', { site: 'pk_demo', api: 'https://edge.test', auto: false })
    await vi.advanceTimersByTimeAsync(5000)
    const sent = browser.events().map((e) => e.event)
    expect(sent).toHaveLength(250)
    expect(sent[0]).toBe('E0')
  })

  it('ignores unknown commands, a second init and bad arguments without throwing', async () => {
    const cairn = createCommands()
    expect(() => cairn('init')).not.toThrow()
    cairn('init', { site: 'pk_demo', api: 'https://edge.test', auto: false })
    expect(() => cairn('nope', 1)).not.toThrow()
    expect(() => cairn('init', { site: 'other' })).not.toThrow()
    cairn('track', 'One')
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.requests.map((r) => r.json.site)).toEqual(['pk_demo'])
  })
})

describe('ESM functions', () => {
  it('act on one default instance made by init; earlier calls wait for it', async () => {
    vi.resetModules()
    const sdk = await import('./index')
    sdk.track('Before init')
    sdk.init({ site: 'pk_demo', api: 'https://edge.test', auto: false })
    sdk.identify('u_9')
    const ready = vi.fn()
    sdk.ready(ready)
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.events().map((e) => [e.type, e.userId])).toEqual([
      ['track', undefined],
      ['identify', 'u_9'],
    ])
    expect(ready).toHaveBeenCalledOnce()
  })
})

describe('script tag', () => {
  const load = async () => {
    vi.resetModules()
    await import('./iife')
  }
  const w = () => (globalThis as unknown as { window: { cairn: any } }).window

  it('reads data-site, uses the script origin as endpoint and replays the stub queue', async () => {
    Object.assign(browser.document, {
      currentScript: { src: 'https://edge.test/sdk.js?v=1', dataset: { site: 'pk_demo' } },
    })
    const stub: any = function () {
      ;(stub.q = stub.q || []).push(arguments)
    }
    w().cairn = stub
    stub('track', 'Queued', { a: 1 })
    await load()
    expect(w().cairn).not.toBe(stub)
    w().cairn('track', 'After load')
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.requests[0]!.url).toBe('https://edge.test/v1/events')
    expect(browser.events().map((e) => e.event ?? e.type)).toEqual(['page', 'Queued', 'After load'])
  })

  it('honours data-api, data-consent="required" and data-auto="false"', async () => {
    Object.assign(browser.document, {
      currentScript: {
        src: 'https://cdn.test/sdk.js',
        dataset: { site: 'pk_demo', api: 'https://edge.test/', consent: 'required', auto: 'false' },
      },
    })
    await load()
    w().cairn('track', 'Held')
    await vi.advanceTimersByTimeAsync(5000)
    expect(browser.requests).toHaveLength(0)
    w().cairn('consent', 'granted')
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.requests.map((r) => r.url)).toEqual(['https://edge.test/v1/events'])
    expect(browser.events().map((e) => e.event ?? e.type)).toEqual(['Held'])
  })

  // Catches: a chunk URL that the Worker does not serve (it copies dist/cairn-*.js to /sdk-*.js).
  it('loads the web-vitals chunk from next to its own src after the load event; data-vitals="false" turns it off', async () => {
    Object.assign(browser.document, {
      readyState: 'interactive',
      currentScript: { src: 'https://edge.test/js/sdk.js?v=3', dataset: { site: 'pk_demo' } },
    })
    await load()
    browser.loaded()
    await vi.advanceTimersByTimeAsync(0)
    expect(browser.scripts().map((script) => script.src)).toEqual(['https://edge.test/js/sdk-vitals.js'])
    browser.restore()
    browser = fakeBrowser({ readyState: 'interactive' })
    Object.assign(browser.document, {
      currentScript: { src: 'https://edge.test/sdk.js', dataset: { site: 'pk_demo', vitals: 'false' } },
    })
    await load()
    browser.loaded()
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.scripts()).toEqual([])
  })

  it('a second copy of the script leaves the first in charge', async () => {
    Object.assign(browser.document, { currentScript: { src: 'https://edge.test/sdk.js', dataset: { site: 'pk_demo' } } })
    await load()
    const first = w().cairn
    await load()
    expect(w().cairn).toBe(first)
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.events()).toHaveLength(1)
  })

  it('without data-site waits for cairn("init", …)', async () => {
    await load()
    w().cairn('track', 'Early')
    await vi.advanceTimersByTimeAsync(2000)
    expect(browser.requests).toHaveLength(0)
    w().cairn('init', { site: 'pk_demo', api: 'https://edge.test' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(browser.events().map((e) => e.event ?? e.type)).toEqual(['page', 'Early'])
  })
})

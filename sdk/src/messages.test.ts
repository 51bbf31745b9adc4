// In-app messages through a whole instance in the fake browser: listeners, the lazy renderer chunk (loaded
// only when a message has no listener), the banner and the modal, edge mode's messages from the HTML.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { showMessage } from './banner.js'
import { createCairn } from './client.js'
import { fakeBrowser, type FakeBrowserOptions } from '../test/fake-browser.js'
import { CORE_MARK } from './protocol.js'
import type { Message } from './types.js'

let browser: ReturnType<typeof fakeBrowser>
const setup = (options: FakeBrowserOptions = {}) => (browser = fakeBrowser(options))
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms)
const site = 'pk_demo'
const api = 'https://edge.test'
const chunk = 'https://edge.test/sdk-messages.js'
const message: Message = {
  id: 'msg_demo',
  kind: 'banner',
  title: 'Want a demo?',
  body: '<b>20 minutes</b>, no slides',
  cta: { label: 'Book a demo', url: '/demo' },
}
const modal: Message = { ...message, id: 'msg_modal', kind: 'modal' }
const answer = (...messages: unknown[]) => () => ({ slots: {}, experiences: [], messages })
const tracked = () => browser.events().map((event) => [event.event, event.properties])
/** Runs the chunk as the script tag would: it registers through window.cairn, then its load event fires. */
async function loadChunk(cairn: unknown) {
  // The script-tag core's command function, with its mark (see protocol.ts).
  ;(globalThis as { cairn?: unknown }).cairn = Object.assign((name: string, ...args: unknown[]) => (cairn as any)[name](...args), { cairn: CORE_MARK })
  vi.stubGlobal('window', { ...browser.window, cairn: (globalThis as { cairn?: unknown }).cairn })
  vi.resetModules()
  await import('./messages.js')
  browser.scripts()[0]!.onload!()
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  browser?.restore()
  delete (globalThis as { cairn?: unknown }).cairn
})

describe('delivery', () => {
  // Catches: the renderer also showing (or its chunk loading) when the site renders messages itself.
  it('goes to on("message") listeners, and then nothing is rendered nor loaded', async () => {
    setup({ personalize: answer(message) })
    const cairn = createCairn({ site, api, messages: chunk })
    const listener = vi.fn()
    cairn.on('message', listener)
    await wait(0)
    expect(listener).toHaveBeenCalledWith(message)
    expect(browser.banners()).toEqual([])
    expect(browser.scripts()).toEqual([])
  })

  // Catches: the renderer bundled into the core again, a chunk loaded on pages without messages or loaded
  // twice, messages lost while it loads.
  it('without a listener loads the renderer chunk once, which then shows every waiting message', async () => {
    setup({ personalize: answer(message, { ...message, id: 'msg_2' }) })
    const cairn = createCairn({ site, api, auto: false, messages: chunk })
    await wait(0)
    expect(browser.scripts().map((script) => script.src)).toEqual([chunk])
    expect(browser.banners()).toEqual([])
    await loadChunk(cairn)
    expect(browser.banners()).toHaveLength(2)
    browser.history.pushState(null, '', '/next')
    await wait(1000)
    expect(browser.scripts()).toHaveLength(1)
    expect(tracked()).toEqual([
      ['Message Shown', { messageId: 'msg_demo' }],
      ['Message Shown', { messageId: 'msg_2' }],
    ])
  })

  // Catches: a site listener registered while the chunk loads getting the waiting message and the banner
  // showing it too (the chunk was a listener like the site's).
  it('a listener registered while the chunk loads takes the waiting messages; the renderer shows none', async () => {
    setup({ personalize: answer(message) })
    const cairn = createCairn({ site, api, messages: chunk })
    await wait(0)
    const listener = vi.fn()
    cairn.on('message', listener)
    await loadChunk(cairn)
    expect(listener).toHaveBeenCalledExactlyOnceWith(message)
    expect(browser.banners()).toEqual([])
  })

  // Catches: a chunk from a newer deploy meeting a core cached from before 'render' (up to a day), which
  // would then never show a message.
  it('meeting an older core (mark 1), the chunk listens for message as that core expects', async () => {
    setup()
    const calls: unknown[][] = []
    vi.stubGlobal('window', { ...browser.window, cairn: Object.assign((...args: unknown[]) => void calls.push(args), { cairn: 1 }) })
    vi.resetModules()
    await import('./messages.js')
    expect(calls.map((call) => call.slice(0, 2))).toEqual([['on', 'message']])
  })

  // Catches: after the chunk showed a message, a later site listener and the banner both getting each new one.
  it('a listener registered after the renderer showed a message takes over the next ones', async () => {
    let calls = 0
    setup({ personalize: () => answer(calls++ === 0 ? message : { ...message, id: 'msg_next' })() })
    const cairn = createCairn({ site, api, messages: chunk })
    await wait(0)
    await loadChunk(cairn)
    expect(browser.banners()).toHaveLength(1)
    const listener = vi.fn()
    cairn.on('message', listener)
    browser.history.pushState(null, '', '/next')
    await wait(1000)
    expect(listener).toHaveBeenCalledExactlyOnceWith({ ...message, id: 'msg_next' })
    expect(browser.banners()).toHaveLength(1)
  })

  it('no renderer (messages: false): nothing shown, nothing loaded', async () => {
    setup({ personalize: answer(message) })
    createCairn({ site, api, messages: false })
    await wait(0)
    expect(browser.banners()).toEqual([])
    expect(browser.scripts()).toEqual([])
  })

  // Catches: a banner appended before <body> exists, shown twice after a SPA navigation, or missing in
  // the ESM build (createCairn bundles the renderer) or untracked there.
  it('waits for the document to be parsed, and shows a message once per page', async () => {
    setup({ readyState: 'loading', personalize: answer(message) })
    createCairn({ site, api })
    await wait(0)
    expect(browser.banners()).toEqual([])
    browser.parsed()
    expect(browser.banners()).toHaveLength(1)
    browser.history.pushState(null, '', '/next')
    await wait(0)
    expect(browser.personalizations).toHaveLength(2)
    expect(browser.banners()).toHaveLength(1)
    await wait(1000)
    expect(tracked()).toContainEqual(['Message Shown', { messageId: 'msg_demo' }])
  })

  // Catches: a message lost because the slot answer came after 300 ms (a banner never flickers content).
  it('delivers from a late answer too', async () => {
    setup({ personalize: () => new Promise((resolve) => setTimeout(() => resolve({ slots: {}, experiences: [], messages: [message] }), 1000)) })
    const listener = vi.fn()
    createCairn({ site, api }).on('message', listener)
    await wait(1000)
    expect(listener).toHaveBeenCalledWith(message)
  })
})

describe('edge mode', () => {
  // Catches: a second request for messages the Worker already put in the HTML, or them not shown at all.
  it('reads the messages from the page (#cairn-messages), with no /v1/personalize request', async () => {
    setup({ edge: 'exp_bf:var_b', readyState: 'loading' })
    const listener = vi.fn()
    const cairn = createCairn({ site, api })
    cairn.on('message', listener)
    browser.element('script', 'cairn-messages', JSON.stringify([message]))
    browser.parsed()
    await wait(0)
    expect(listener).toHaveBeenCalledExactlyOnceWith(message)
    expect(browser.personalizations).toEqual([])
  })

  // Catches: an edge page without messages (no blob) breaking ready or the SDK.
  it('without the blob: nothing delivered, ready still fires', async () => {
    setup({ edge: '' })
    const listener = vi.fn()
    const ready = vi.fn()
    const cairn = createCairn({ site, api })
    cairn.on('message', listener)
    cairn.ready(ready)
    await wait(0)
    expect(listener).not.toHaveBeenCalled()
    expect(ready).toHaveBeenCalledWith([])
  })
})

describe('renderer', () => {
  const show = (m: Message) => {
    const track = vi.fn()
    showMessage(document, m, track)
    return track
  }

  // Catches: HTML in message texts, a script URL in the link, a missing track event.
  it('banner: text only, fixed at the bottom, tracked when shown, clicked, dismissed', () => {
    setup()
    const track = show(message)
    const [banner] = browser.banners()
    expect(banner!.style.cssText).toMatch(/position:fixed;inset:auto 0 0/)
    expect(banner!.all().map((element) => element.html)).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(banner!.children.map((element) => [element.tagName, element.textContent])).toEqual([
      ['b', 'Want a demo?'],
      ['span', '<b>20 minutes</b>, no slides'],
      ['a', 'Book a demo'],
      ['button', 'Dismiss'],
    ])
    const [, , link, dismiss] = banner!.children
    expect(link!.href).toBe('/demo')
    link!.click()
    dismiss!.click()
    expect(browser.banners()).toEqual([])
    expect(track.mock.calls).toEqual([['Message Shown'], ['Message Clicked'], ['Message Dismissed']])
  })

  it.each(['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', undefined])('shows no link for the CTA URL %s', (url) => {
    setup()
    show({ ...message, cta: { label: 'Go', url: url as string } })
    expect(browser.banners()[0]!.children.map((element) => element.tagName)).toEqual(['b', 'span', 'button'])
    show({ ...modal, cta: { label: 'Go', url: url as string } })
    expect(browser.dialogs()[0]!.children.map((element) => element.tagName)).toEqual(['h2', 'p', 'button'])
  })

  // Catches: a modal that is not a modal dialog (focus stays behind it), unnamed, HTML from the server,
  // Escape not closing it, focus not coming back, a dismissal not tracked.
  it('modal: a named <dialog> shown modally, text only; Escape closes it, focus returns, dismissal tracked', () => {
    setup()
    const opener = browser.element('button', 'opener')
    opener.focus()
    const track = show(modal)
    const [dialog] = browser.dialogs()
    expect(dialog!.children.map((element) => [element.tagName, element.textContent])).toEqual([
      ['h2', 'Want a demo?'],
      ['p', '<b>20 minutes</b>, no slides'],
      ['a', 'Book a demo'],
      ['button', 'Dismiss'],
    ])
    expect(dialog!.all().every((element) => element.html === undefined)).toBe(true)
    expect(dialog!.getAttribute('aria-labelledby')).toBe(dialog!.children[0]!.id)
    expect(dialog!.children[0]!.id).not.toBe('')
    expect(browser.document.activeElement).toBe(dialog!.children[2])
    expect(browser.banners()).toEqual([])
    dialog!.escape()
    expect(browser.dialogs()).toEqual([])
    expect(dialog!.parent).toBeNull()
    expect(browser.document.activeElement).toBe(opener)
    expect(track.mock.calls).toEqual([['Message Shown'], ['Message Dismissed']])
  })

  it('modal: its Dismiss button closes it like Escape (dismissal tracked once)', () => {
    setup()
    const track = show(modal)
    browser.dialogs()[0]!.children[3]!.click()
    expect(browser.dialogs()).toEqual([])
    expect(track.mock.calls).toEqual([['Message Shown'], ['Message Dismissed']])
  })
})

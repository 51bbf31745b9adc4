// Test helper (not shipped): the few browser globals the SDK touches, faked for vitest's node
// environment. Two clients made in one fake browser behave like two tabs sharing localStorage.
import { vi } from 'vitest'

export interface FakeRequest {
  url: string
  body: string
  init: RequestInit
  json: { site: string; sentAt: string; batch: Array<Record<string, any>> }
}

export interface FakeBrowserOptions {
  url?: string
  referrer?: string
  /** 'blocked': every localStorage and cookie access throws (sandboxed iframe). */
  storage?: 'ok' | 'blocked'
  gpc?: boolean
  webdriver?: boolean
  /** Whether navigator.locks exists (else the localStorage lease is used). */
  locks?: boolean
  /** Status answered to each fetch, in order; the last one repeats. 0 = network error. */
  statuses?: number[]
  /** What navigator.sendBeacon answers; undefined removes sendBeacon. */
  beacon?: boolean
  /** document.readyState at start ('complete' by default); see parsed() and loaded(). */
  readyState?: DocumentReadyState
  /** Slots in the body, name → default text: <p data-cairn-slot="name">text</p>. */
  slots?: Record<string, string>
  /** The value of <html data-cairn-edge> (edge mode); undefined: no attribute. */
  edge?: string
  /**
   * What GET /v1/personalize answers, given its URL: a JSON body, or a number (that HTTP status with an
   * empty body; 0 = network error). May be async (e.g. wait on fake timers). Default: an empty decision.
   */
  personalize?: (url: URL) => unknown
}

/** A minimal DOM element: attributes (with dataset), text, children, style, and what the SDK sets on them. */
export class FakeElement {
  children: FakeElement[] = []
  parent: FakeElement | null = null
  attributes = new Map<string, string>()
  style = { cssText: '' } as Record<string, string>
  onclick: (() => void) | null = null
  onclose: (() => void) | null = null
  onload: (() => void) | null = null
  id = ''
  href = ''
  src = ''
  /** What was last written to innerHTML (only allowed inline fragments may be). */
  html: string | undefined
  private text = ''
  readonly dataset: Record<string, string | undefined>

  constructor(readonly tagName: string) {
    const name = (key: string | symbol) => 'data-' + String(key).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
    this.dataset = new Proxy({} as Record<string, string | undefined>, {
      get: (_, key) => this.attributes.get(name(key)),
      set: (_, key, value) => (this.attributes.set(name(key), String(value)), true),
    })
  }
  get textContent(): string {
    return this.text + this.children.map((child) => child.textContent).join('')
  }
  /** As the DOM does: replaces the children with one text; null and undefined mean no text. */
  set textContent(value: string | null | undefined) {
    this.children = []
    this.text = value == null ? '' : String(value)
  }
  /** As the DOM does for the inline fragments slots use: tags dropped, entities decoded, for textContent. */
  set innerHTML(value: string) {
    this.html = value
    this.children = []
    this.text = value
      .replace(/<[^>]*>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
  }
  get innerHTML(): string {
    return this.html ?? this.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value))
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null
  }
  hasAttribute(name: string): boolean {
    return this.attributes.has(name)
  }
  append(...nodes: FakeElement[]): void {
    for (const node of nodes) {
      node.remove()
      node.parent = this
      this.children.push(node)
    }
  }
  remove(): void {
    if (this.parent) this.parent.children = this.parent.children.filter((child) => child != this)
    this.parent = null
  }
  click(): void {
    this.onclick?.()
  }
  focus(): void {
    focused = this
  }
  /** As a modal <dialog> does: open, and focus on its first focusable element. */
  showModal(): void {
    this.setAttribute('open', '')
    this.all().find((element) => element.tagName == 'a' || element.tagName == 'button')?.focus()
  }
  close(): void {
    if (!this.attributes.delete('open')) return
    this.onclose?.()
  }
  /** The Escape key on an open modal dialog closes it. */
  escape(): void {
    this.close()
  }
  /** This element and its descendants, in document order. */
  all(): FakeElement[] {
    return [this, ...this.children.flatMap((child) => child.all())]
  }
  /** Only attribute-presence selectors ('[data-cairn-slot]'), the one kind the SDK uses. */
  querySelectorAll(selector: string): FakeElement[] {
    const attribute = /^\[([\w-]+)\]$/.exec(selector)?.[1]
    if (!attribute) throw new Error('fake DOM: unsupported selector ' + selector)
    return this.all().filter((element) => element.hasAttribute(attribute))
  }
}

/** document.activeElement of the fake browser (one page at a time). */
let focused: FakeElement | null = null

/** The rule the SDK injects to hold pending slots. */
export const HOLD_RULE = '[data-cairn-slot]:not([data-cairn-done]){visibility:hidden}'

class FakeStorage {
  getItem(key: string): string | null {
    return Object.prototype.hasOwnProperty.call(this, key) ? (this as any)[key] : null
  }
  setItem(key: string, value: string): void {
    ;(this as any)[key] = String(value)
  }
  removeItem(key: string): void {
    delete (this as any)[key]
  }
}

type Listener = (event: { type: string }) => void

function target() {
  const listeners: Record<string, Listener[]> = {}
  return {
    addEventListener: (type: string, listener: Listener) => (listeners[type] ||= []).push(listener),
    dispatch: (type: string) => listeners[type]?.forEach((listener) => listener({ type })),
  }
}

export function fakeBrowser(options: FakeBrowserOptions = {}) {
  const requests: FakeRequest[] = []
  const beacons: FakeRequest[] = []
  const statuses = options.statuses ?? [202]
  const storage = new FakeStorage()
  const cookies = new Map<string, string>()
  let href = options.url ?? 'https://acme.test/'

  const location = {
    get href() {
      return href
    },
    get pathname() {
      return new URL(href).pathname
    },
    get search() {
      return new URL(href).search
    },
    get hash() {
      return new URL(href).hash
    },
    get origin() {
      return new URL(href).origin
    },
  }
  const win = target()
  const doc = target()
  const html = new FakeElement('html')
  const head = new FakeElement('head')
  const body = new FakeElement('body')
  html.append(head, body)
  if (options.edge != null) html.setAttribute('data-cairn-edge', options.edge)
  focused = null
  const slot = (name: string, text: string) => {
    const element = new FakeElement('p')
    element.dataset.cairnSlot = name
    element.textContent = text
    body.append(element)
    return element
  }
  for (const [name, text] of Object.entries(options.slots ?? {})) slot(name, text)
  const personalizations: URL[] = []
  const answer = options.personalize ?? (() => ({ slots: {}, experiences: [], messages: [] }))
  const blocked = () => {
    throw new DOMException('The operation is insecure.', 'SecurityError')
  }
  // Observers of the document: only title changes are reported (what the SDK waits on after a route change).
  const observers = new Set<() => void>()
  let title = 'Acme'
  class MutationObserver {
    private notify: () => void
    constructor(callback: () => void) {
      this.notify = () => callback()
    }
    observe() {
      observers.add(this.notify)
    }
    disconnect() {
      observers.delete(this.notify)
    }
  }
  const document = {
    ...doc,
    get title() {
      return title
    },
    set title(value: string) {
      title = value
      for (const notify of [...observers]) queueMicrotask(notify)
    },
    referrer: options.referrer ?? '',
    visibilityState: 'visible',
    readyState: options.readyState ?? ('complete' as DocumentReadyState),
    currentScript: null,
    documentElement: html,
    head,
    body,
    createElement: (tag: string) => new FakeElement(tag),
    getElementById: (id: string) => html.all().find((element) => element.id == id) ?? null,
    get activeElement() {
      return focused ?? body
    },
    querySelectorAll: (selector: string) => html.querySelectorAll(selector),
    get cookie() {
      if (options.storage == 'blocked') blocked()
      return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    },
    set cookie(value: string) {
      if (options.storage == 'blocked') blocked()
      const [pair, ...attributes] = value.split(';')
      const [name, cookieValue] = pair!.split('=') as [string, string]
      if (attributes.some((attribute) => /^\s*max-age=0$/i.test(attribute))) cookies.delete(name)
      else cookies.set(name, cookieValue)
    },
  }
  const history = {
    state: null as unknown,
    pushState(state: unknown, _title: string, url?: string | URL | null) {
      this.state = state
      if (url != null) href = new URL(String(url), href).href
    },
    replaceState(state: unknown, _title: string, url?: string | URL | null) {
      this.state = state
      if (url != null) href = new URL(String(url), href).href
    },
  }
  let held = false
  const navigator: Record<string, unknown> = {
    language: 'en-GB',
    onLine: true,
    webdriver: options.webdriver ?? false,
    globalPrivacyControl: options.gpc,
  }
  if (options.locks !== false)
    navigator.locks = {
      async request(_name: string, _options: unknown, callback: (lock: unknown) => Promise<unknown>) {
        if (held) return callback(null)
        held = true
        try {
          return await callback({})
        } finally {
          held = false
        }
      },
    }
  const decode = async (url: string, body: string | Blob, init: RequestInit = {}): Promise<FakeRequest> => {
    const text = typeof body == 'string' ? body : await body.text()
    return { url, body: text, init, json: JSON.parse(text) }
  }
  // The browser's keepalive budget: 64 KiB shared by beacons and keepalive fetches in flight (never
  // completed here, as when the page is going away).
  let keepalive = 0
  const reserve = (size: number) => (keepalive + size <= 65536 ? ((keepalive += size), true) : false)
  const pendingBeacons: Promise<unknown>[] = []
  if (options.beacon !== undefined)
    navigator.sendBeacon = (url: string, body: Blob) => {
      if (!options.beacon || !reserve(body.size)) return false
      pendingBeacons.push(decode(url, body).then((request) => beacons.push(request)))
      return true
    }
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    if (init.keepalive && document.visibilityState == 'hidden' && !reserve(new Blob([init.body as string]).size))
      throw new TypeError('Failed to fetch: keepalive budget exceeded')
    requests.push(await decode(url, init.body as string, init))
    const status = statuses[Math.min(requests.length - 1, statuses.length - 1)]!
    if (!status) throw new TypeError('Failed to fetch')
    return { status } as Response
  })
  // GET /v1/personalize is answered apart: `requests` and `fetch` stay the event POSTs.
  const route = async (url: string, init: RequestInit) => {
    if (!url.includes('/v1/personalize?')) return fetch(url, init)
    const parsed = new URL(url)
    personalizations.push(parsed)
    personalizeInits.push(init)
    const body = await answer(parsed)
    if (body === 0) throw new TypeError('Failed to fetch')
    const status = typeof body == 'number' ? body : 200
    return { ok: status >= 200 && status < 300, status, json: async () => (typeof body == 'number' ? null : body) } as Response
  }
  const personalizeInits: RequestInit[] = []
  const window = {
    ...win,
    location,
    history,
    document,
    navigator,
    screen: { width: 1280, height: 720 },
  }

  vi.stubGlobal('window', window)
  vi.stubGlobal('MutationObserver', MutationObserver)
  vi.stubGlobal('document', document)
  vi.stubGlobal('location', location)
  vi.stubGlobal('history', history)
  vi.stubGlobal('navigator', navigator)
  vi.stubGlobal('screen', window.screen)
  vi.stubGlobal('fetch', route)
  if (options.storage == 'blocked')
    Object.defineProperty(globalThis, 'localStorage', { configurable: true, get: blocked })
  else vi.stubGlobal('localStorage', storage)

  return {
    window,
    document,
    navigator,
    history,
    storage,
    cookies,
    requests,
    beacons,
    fetch,
    /** The URLs of GET /v1/personalize requests, in order, and their fetch options. */
    personalizations,
    personalizeInits,
    /** Adds a slot at the end of the body (as the parser or a SPA router would). */
    slot,
    /** The slot named `name` (the first one). */
    slotNamed: (name: string) => html.querySelectorAll('[data-cairn-slot]').find((element) => element.dataset.cairnSlot == name)!,
    /** Whether a slot is invisible now: the SDK's hold rule is in <head> and the slot is not done. */
    held: (element: FakeElement) =>
      head.children.some((child) => child.tagName == 'style' && child.textContent == HOLD_RULE) &&
      !element.hasAttribute('data-cairn-done'),
    /** Adds an element to the body (e.g. edge mode's messages blob, a focused button). */
    element(tag: string, id: string, text = '') {
      const element = new FakeElement(tag)
      element.id = id
      element.textContent = text
      body.append(element)
      return element
    },
    /** Open modal dialogs in the body. */
    dialogs: () => body.children.filter((child) => child.tagName == 'dialog' && child.hasAttribute('open')),
    /** The built-in banners in the body (role=status). */
    banners: () => body.children.filter((child) => child.getAttribute('role') == 'status'),
    /** The scripts the SDK added to <head>. */
    scripts: () => head.children.filter((child) => child.tagName == 'script'),
    /** The parser reached the end of the document: DOMContentLoaded. */
    parsed() {
      document.readyState = 'interactive'
      doc.dispatch('DOMContentLoaded')
    },
    /** The load event. */
    loaded() {
      document.readyState = 'complete'
      win.dispatch('load')
    },
    /** Every event that reached the server (fetch and beacon), in order. */
    events: () => [...requests, ...beacons].flatMap((request) => request.json.batch),
    /** The persisted queue of a site. */
    queue: (site = 'pk_demo') => JSON.parse(storage.getItem('cairn_q:' + site) ?? '[]') as Array<{ e: any; n: number }>,
    /** Hides the page the way a navigation away does. */
    async hide() {
      document.visibilityState = 'hidden'
      doc.dispatch('visibilitychange')
      win.dispatch('pagehide')
      await Promise.all(pendingBeacons)
    },
    goOnline() {
      navigator.onLine = true
      win.dispatch('online')
    },
    popstate(url: string) {
      href = new URL(url, href).href
      win.dispatch('popstate')
    },
    /** A fragment navigation (link, Back): Chromium fires popstate, then hashchange. */
    hashchange(url: string) {
      href = new URL(url, href).href
      win.dispatch('popstate')
      win.dispatch('hashchange')
    },
    restore() {
      if (options.storage == 'blocked') delete (globalThis as any).localStorage
      vi.unstubAllGlobals()
    },
  }
}

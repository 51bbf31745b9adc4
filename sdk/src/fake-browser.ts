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
}

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
    get origin() {
      return new URL(href).origin
    },
  }
  const win = target()
  const doc = target()
  const blocked = () => {
    throw new DOMException('The operation is insecure.', 'SecurityError')
  }
  const document = {
    ...doc,
    title: 'Acme',
    referrer: options.referrer ?? '',
    visibilityState: 'visible',
    currentScript: null,
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
  const window = {
    ...win,
    location,
    history,
    document,
    navigator,
    screen: { width: 1280, height: 720 },
  }

  vi.stubGlobal('window', window)
  vi.stubGlobal('document', document)
  vi.stubGlobal('location', location)
  vi.stubGlobal('history', history)
  vi.stubGlobal('navigator', navigator)
  vi.stubGlobal('screen', window.screen)
  vi.stubGlobal('fetch', fetch)
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
    restore() {
      if (options.storage == 'blocked') delete (globalThis as any).localStorage
      vi.unstubAllGlobals()
    },
  }
}

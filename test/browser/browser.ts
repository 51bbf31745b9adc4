// Debian's Chromium driven by playwright-core (never a downloaded browser), plus admin API helpers.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { inject } from 'vitest'

export const ADMIN_TOKEN = 'dev-admin-token' // from .dev.vars, as `npm start` uses it
export const DEMO_SITE_ID = 'site_demo'
/** A desktop Chrome user agent: the Worker ignores HeadlessChrome traffic as automated. */
export const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

/** The admin host (ADMIN_HOST in .dev.vars): the dashboard, /api, and the demo's own static pages. */
export const baseUrl = () => inject('baseUrl')
/** The public host: edge mode (/edge/KEY/…) and proxied pages, never the dashboard or /api. */
export const edgeUrl = () => inject('edgeUrl')

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * `visitor: true` makes the page look like a person's browser (navigator.webdriver false, desktop UA): the
 * path real visitors take. The demo site accepts automated browsers as well; a new site does not.
 */
export async function launch({ visitor = true } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // The UA flag (not only the context option) also covers beacons the browser sends after unload.
    args: visitor
      ? [...CHROMIUM_FLAGS, '--disable-blink-features=AutomationControlled', `--user-agent=${DESKTOP_UA}`]
      : CHROMIUM_FLAGS,
  })
}

export type Watched = { context: BrowserContext; page: Page; errors: string[] }

/** A new visitor (fresh storage) whose console errors and uncaught page errors are collected. */
export async function newVisitor(browser: Browser, options: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext({ userAgent: DESKTOP_UA, ...options })
  // A busy shared machine can take longer than Playwright's 30 s default to load a page.
  context.setDefaultNavigationTimeout(120_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  return { context, page, errors }
}

/** A signed-in dashboard at `path` (the token is kept in sessionStorage, so later `goto`s stay signed in). */
export async function signedInDashboard(browser: Browser, path: string, options: BrowserContextOptions = {}): Promise<Watched> {
  const visitor = await newVisitor(browser, { viewport: { width: 1280, height: 900 }, ...options })
  const { page } = visitor
  await page.goto(`${baseUrl()}/dashboard/`)
  await page.fill('#token', ADMIN_TOKEN)
  await page.click('#sign-in')
  await page.waitForSelector('#sites-view')
  await page.goto(`${baseUrl()}/dashboard/${path}`)
  return visitor
}

type EventBody = Record<string, unknown>

/** One visitor's events in order, as the SDK sends them: ids `e_<aid>_<n>`, a second apart, the last one now. */
export const visitorEvents = (aid: string, bodies: readonly EventBody[]): EventBody[] =>
  bodies.map((body, i) => ({ id: `e_${aid}_${i + 1}`, anonymousId: aid, timestamp: new Date(Date.now() - (bodies.length - i) * 1000).toISOString(), ...body }))

/** Posts a batch to the public events API as a desktop browser on the site's page would; throws unless 202. */
export async function sendEvents(batch: readonly EventBody[], site = 'pk_demo'): Promise<void> {
  const response = await fetch(`${baseUrl()}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: baseUrl(), 'user-agent': DESKTOP_UA },
    body: JSON.stringify({ site, sentAt: new Date().toISOString(), batch }),
  })
  if (response.status !== 202) throw new Error(`POST /v1/events answered ${response.status}: ${await response.text()}`)
}

/** A new site of the test's own (origins: the demo's), through the admin API. */
export async function createSite(name: string, settings: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const created = await fetch(`${baseUrl()}/api/sites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `${name} ${Date.now()}`, origins: [baseUrl()], settings }),
  })
  if (created.status !== 201) throw new Error(`POST /api/sites answered ${created.status}: ${await created.text()}`)
  return (await created.json()) as { id: string; key: string }
}

export async function adminGet<T>(path: string): Promise<T> {
  const response = await fetch(`${baseUrl()}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

export type LeadSummary = { id: string; email: string | null; anonymousIds: string[]; eventCount: number; [k: string]: unknown }
export type LeadEvent = { id: string; type: string; name: string | null; anonymousId: string; url: string | null }

export async function leadByVisitor(anonymousId: string): Promise<LeadSummary | undefined> {
  const { leads } = await adminGet<{ leads: LeadSummary[] }>(`/api/sites/${DEMO_SITE_ID}/leads?anonymousId=${encodeURIComponent(anonymousId)}`)
  return leads[0]
}

export async function eventsOf(leadId: string): Promise<LeadEvent[]> {
  return (await adminGet<{ events: LeadEvent[] }>(`/api/sites/${DEMO_SITE_ID}/leads/${leadId}`)).events
}

/** The visitor's anonymous id as the SDK stored it (first-party cookie, else localStorage). */
export async function anonymousIdOf(page: Page): Promise<string> {
  return page.evaluate(() => {
    const cookie = document.cookie.split('; ').find((c) => c.startsWith('cairn_aid='))
    return cookie ? decodeURIComponent(cookie.slice('cairn_aid='.length)) : (localStorage.getItem('cairn_aid') ?? '')
  })
}

/** Polls until `check` passes (events arrive asynchronously: batching, beacons, retries). */
export async function eventually<T>(check: () => Promise<T>, { timeout = 60_000, interval = 200 } = {}): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, interval))
    }
  }
}

export type AppliedExperience = { id: string; variant: string }

/**
 * Loads `url` until the SDK reports an applied decision (`cairn('ready')` with experiences). On a busy
 * machine the 300 ms hold may expire first and the page keeps its defaults (by design), and an edited
 * experience reaches the Worker's configuration cache within its TTL: both are waited out, not raced.
 */
export async function visitUntilPersonalized(page: Page, url: string, { timeout = 90_000 } = {}): Promise<AppliedExperience[]> {
  return eventually(
    async () => {
      await page.goto(url)
      const applied = await page.evaluate(
        () => new Promise<AppliedExperience[]>((resolve) => (window as any).cairn('ready', resolve)),
      )
      if (applied.length === 0) throw new Error(`no decision applied on ${url}`)
      return applied
    },
    { timeout, interval: 250 },
  )
}

/** The page's slots are settled and two frames have been painted since (layout shifts would be recorded). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('[data-cairn-slot]:not([data-cairn-done])').length === 0, undefined, { timeout: 60_000 })
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
}

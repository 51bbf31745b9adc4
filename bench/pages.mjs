// Section 5 in Chromium: LCP and CLS of the demo landing page, personalized (client mode, edge mode) and
// unpersonalized, with web-vitals' semantics read from PerformanceObserver. Debian's Chromium driven by
// the repo's playwright-core; every load is a new visitor (fresh context); 127.0.0.1 only.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { percentile } from './ingest.mjs'
import { AD_QUERY, EDGE_PREFIX, random } from './personalize.mjs'

export const PAGES_PLAN = { loads: 15, warmup: 1, settleMs: 500, leaveMs: 250, readyTimeoutMs: 3_000, navigationTimeoutMs: 15_000 }

/** A desktop Chrome user agent: the Worker ignores HeadlessChrome traffic as automated. */
const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // navigator.webdriver stays false: the SDK sends nothing (and personalizes nothing) for automation.
  '--disable-blink-features=AutomationControlled',
  `--user-agent=${DESKTOP_UA}`,
]
const UNMATCHED = '?utm_campaign=none'

/**
 * The loads. `plain` is the budgets' baseline: the same page served directly with the same SDK, where no
 * experience matches (the SDK still asks /v1/personalize and holds the slots until the empty answer).
 * `plainGpc` is the page with the SDK not personalizing at all (Global Privacy Control: no request, no
 * hold); `edgeNone` is edge mode where nothing matches (the proxy alone). The last two are context only.
 */
export const CASES = [
  { name: 'plain', label: 'plain, nothing matches (baseline)', path: `/${UNMATCHED}`, mode: 'client', personalized: false },
  { name: 'client', label: 'client mode, BF ad', path: `/${AD_QUERY}`, mode: 'client', personalized: true },
  { name: 'edge', label: 'edge mode, BF ad', path: `${EDGE_PREFIX}/${AD_QUERY}`, mode: 'edge', personalized: true },
  { name: 'edgeNone', label: 'edge mode, nothing matches', path: `${EDGE_PREFIX}/${UNMATCHED}`, mode: 'edge', personalized: false },
  { name: 'plainGpc', label: 'plain, SDK not personalizing (GPC)', path: `/${UNMATCHED}`, mode: 'client', personalized: false, gpc: true },
]

/** web-vitals' LCP (last entry; no input happens here) and CLS as the sum of shifts without recent input. */
function observeVitals() {
  const state = { lcp: null, lcpElement: null, cls: 0, shifts: 0 }
  Object.defineProperty(window, '__benchVitals', { value: state })
  const describe = (el) => (el ? `${el.tagName.toLowerCase()}${el.dataset?.cairnSlot ? `[slot=${el.dataset.cairnSlot}]` : el.className ? `.${String(el.className).split(' ')[0]}` : ''}` : null)
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        state.lcp = entry.startTime
        state.lcpElement = describe(entry.element)
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true })
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) {
          state.cls += entry.value
          state.shifts++
        }
      }
    }).observe({ type: 'layout-shift', buffered: true })
  } catch {
    // reported as missing values
  }
}

/** A visitor with Global Privacy Control on: the SDK decides consent is denied and never personalizes. */
function setGpc() {
  Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true })
}

async function loadOnce(browser, base, testCase, plan) {
  const context = await browser.newContext({ userAgent: DESKTOP_UA, viewport: { width: 1280, height: 800 } })
  try {
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    let personalizeRequests = 0
    page.on('request', (request) => request.url().includes('/v1/personalize') && personalizeRequests++)
    const failed = []
    page.on('requestfailed', (request) => failed.push(`${request.method()} ${new URL(request.url()).pathname} ${request.failure()?.errorText ?? ''}`))
    await page.addInitScript(observeVitals)
    if (testCase.gpc) await page.addInitScript(setGpc)
    // Edge mode answers only off the admin host (ADMIN_HOST=127.0.0.1 in .dev.vars): the same Worker as localhost.
    const host = testCase.mode === 'edge' ? base.replace('//127.0.0.1', '//localhost') : base
    const response = await page.goto(`${host}${testCase.path}`, { waitUntil: 'load', timeout: plan.navigationTimeoutMs })
    // The SDK's ready: the landing page's personalization settled (applied, fell back, or edge-applied).
    const ready = await page
      .evaluate((ms) => new Promise((resolve) => {
        setTimeout(() => resolve(false), ms)
        window.cairn('ready', () => resolve(true))
      }), plan.readyTimeoutMs)
      .catch(() => false)
    await page.waitForTimeout(plan.settleMs)
    const measured = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]
      const h1 = document.querySelector('h1[data-cairn-slot="headline"]')
      return {
        ...window.__benchVitals,
        ttfb: nav ? nav.responseStart : null,
        fcp: fcp ? fcp.startTime : null,
        headline: h1 ? h1.textContent.trim() : null,
        edgeMarker: document.documentElement.getAttribute('data-cairn-edge'),
      }
    })
    // Leave the page before closing the context: the SDK's pagehide beacon (POST /v1/events) goes out now
    // and the Worker handles it in this gap, not during the next measured load.
    await page.goto('about:blank').catch(() => {})
    await page.waitForTimeout(plan.leaveMs)
    return {
      status: response?.status() ?? 0,
      ready,
      ...measured,
      personalizedHeadline: (measured.headline ?? '').startsWith('Black Friday'),
      personalizeRequests,
      errors,
      failed,
    }
  } finally {
    await context.close()
  }
}

function summarizeCase(testCase, loads) {
  const values = (key) => loads.map((l) => l[key]).filter(Number.isFinite).sort((a, b) => a - b)
  const lcp = values('lcp')
  const cls = values('cls')
  const elements = {}
  for (const l of loads) elements[l.lcpElement ?? 'none'] = (elements[l.lcpElement ?? 'none'] ?? 0) + 1
  return {
    name: testCase.name,
    label: testCase.label,
    path: testCase.path,
    loads: loads.length,
    lcpMeasured: lcp.length,
    lcpMedianMs: percentile(lcp, 0.5),
    lcpP75Ms: percentile(lcp, 0.75),
    clsMax: cls.length ? cls[cls.length - 1] : NaN,
    clsMean: cls.length ? cls.reduce((sum, v) => sum + v, 0) / cls.length : NaN,
    ttfbMedianMs: percentile(values('ttfb'), 0.5),
    fcpMedianMs: percentile(values('fcp'), 0.5),
    personalizedHeadlines: loads.filter((l) => l.personalizedHeadline).length,
    personalizeRequests: loads.reduce((sum, l) => sum + l.personalizeRequests, 0),
    notReady: loads.filter((l) => !l.ready).length,
    non200: loads.filter((l) => l.status !== 200).length,
    lcpElements: elements,
    errors: [...new Set(loads.flatMap((l) => l.errors))].slice(0, 5),
    failedRequests: loads.flatMap((l) => l.failed),
    samples: loads.map((l) => ({ lcp: l.lcp, cls: l.cls, ttfb: l.ttfb, fcp: l.fcp, lcpElement: l.lcpElement, headline: l.headline, edgeMarker: l.edgeMarker })),
  }
}

/**
 * How sure a ratio of two percentiles is with this few loads: a 90% percentile-bootstrap interval of
 * percentile(a, p) / percentile(b, p), resampling both sets (seeded: the same data give the same interval).
 */
export function bootstrapRatio(a, b, p, draws = 2_000, seed = 7) {
  const rand = random(seed)
  const resample = (values) => Array.from(values, () => values[Math.floor(rand() * values.length)]).sort((x, y) => x - y)
  const ratios = []
  for (let i = 0; i < draws; i++) ratios.push(percentile(resample(a), p) / percentile(resample(b), p))
  ratios.sort((x, y) => x - y)
  return { low: percentile(ratios, 0.05), high: percentile(ratios, 0.95) }
}

/** Every case loaded `plan.loads` times, interleaved (the starting case rotates), after a warm-up load each. */
export async function pageRuns({ root, base, plan: given = PAGES_PLAN }) {
  const plan = { ...PAGES_PLAN, ...given }
  const { chromium } = await import(pathToFileURL(join(root, 'node_modules', 'playwright-core', 'index.mjs')).href)
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    for (let i = 0; i < plan.warmup; i++) for (const testCase of CASES) await loadOnce(browser, base, testCase, plan)
    const loads = Object.fromEntries(CASES.map((c) => [c.name, []]))
    for (let i = 0; i < plan.loads; i++) {
      for (let j = 0; j < CASES.length; j++) {
        const testCase = CASES[(i + j) % CASES.length]
        loads[testCase.name].push(await loadOnce(browser, base, testCase, plan))
      }
    }
    const cases = Object.fromEntries(CASES.map((c) => [c.name, summarizeCase(c, loads[c.name])]))
    const lcpOf = (list) => list.map((l) => l.lcp).filter(Number.isFinite)
    const { plain, client, edge } = cases
    return {
      plan,
      browser: browser.version(),
      cases,
      ratios: {
        clientLcpMedian: client.lcpMedianMs / plain.lcpMedianMs,
        clientLcpP75: client.lcpP75Ms / plain.lcpP75Ms,
        edgeLcpMedian: edge.lcpMedianMs / plain.lcpMedianMs,
        edgeLcpP75: edge.lcpP75Ms / plain.lcpP75Ms,
        edgeLcpP75VsGpc: edge.lcpP75Ms / cases.plainGpc.lcpP75Ms,
        edgeLcpP75VsEdgeNone: edge.lcpP75Ms / cases.edgeNone.lcpP75Ms,
      },
      intervals: {
        edgeLcpP75: bootstrapRatio(lcpOf(loads.edge), lcpOf(loads.plain), 0.75),
        clientLcpP75: bootstrapRatio(lcpOf(loads.client), lcpOf(loads.plain), 0.75),
      },
      // "CLS added by personalization": the personalized loads' worst CLS above the baseline's worst.
      clsAdded: { client: client.clsMax - plain.clsMax, edge: edge.clsMax - plain.clsMax },
    }
  } finally {
    await browser.close()
  }
}

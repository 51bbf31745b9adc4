// Section 5 HTTP workloads: GET /v1/personalize against the no-op GET /v1/ping under the same load
// (alternating rounds of the same visitor journeys), GET /v1/variants on its cache-hit path, and edge
// mode's time to first byte against the origin page (on the public host, localhost). Bounded in requests and time.
import { performance } from 'node:perf_hooks'
import { adminGet, CHROME_UA, percentile, promisePool, SITE_KEY } from './ingest.mjs'

const REQUEST_TIMEOUT_MS = 15_000
const ADMIN = { authorization: 'Bearer dev-admin-token', 'content-type': 'application/json' }
export const SITE_ID = 'site_demo'
export const MOBILE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1'

/** Fixed counts so runs compare; the time limits only guard against a stuck server. */
export const LATENCY_PLAN = {
  concurrency: 8,
  visitors: 300, // per arm: 300 visitors × 5 pages = 1,500 measured requests per arm
  pagesPerVisitor: 5,
  rounds: 3, // the arms alternate in this many rounds (their order rotates each round)
  warmupVisitors: 30, // per arm, not measured
  armTimeLimitMs: 60_000,
  settleLimitMs: 15_000, // between arm-rounds: wait for the exposure consumer to catch up …
  settleQuietMs: 1_100, // … then this long (the queue's max_batch_timeout is 1 s)
  seed: 0xca1e,
}

export const EDGE_PLAN = { warmup: 20, requests: 150 }

/** The demo's Black Friday ad landing, and the path edge mode serves it under. */
export const AD_QUERY = '?utm_campaign=black-friday&utm_term=crm'
export const EDGE_PREFIX = `/edge/${SITE_KEY}`

/**
 * Experiences added beside the seeded Black Friday one, so a decision sorts several (none reads lead
 * state and none is edited: decisions stay on the per-isolate config cache, as the design intends).
 */
export const EXTRA_EXPERIENCES = [
  {
    name: 'Bench: pricing CTA test',
    priority: 0,
    goal: 'Signed Up',
    match: { path: '/pricing*' },
    variants: [
      { name: 'Trial', weight: 50, slots: { pricing_cta: 'Start your free trial' } },
      { name: 'Demo', weight: 50, slots: { pricing_cta: 'Talk to sales' } },
    ],
  },
  {
    name: 'Bench: spring sale banner',
    priority: 5,
    goal: 'Signed Up',
    control: 10,
    match: { path: '/pricing*', utm: { campaign: 'spring-sale' } },
    variants: [{ name: 'Banner', weight: 100, slots: { pricing_banner: 'Spring sale: 2 months free on annual plans' } }],
  },
  {
    name: 'Bench: help readers from Google',
    priority: 0,
    match: { path: '/help/*', referrer: '*.google.*' },
    variants: [{ name: 'Guide', weight: 100, slots: { help_cta: 'Get the free {{utm_term|CRM}} setup guide' } }],
  },
  {
    name: 'Bench: mobile hero note',
    priority: 1,
    match: { path: '/', device: ['mobile'] },
    variants: [{ name: 'App', weight: 100, slots: { hero_note: 'Also on iOS and Android' } }],
  },
]

export async function addExperiences(url) {
  const ids = []
  for (const experience of EXTRA_EXPERIENCES) {
    const response = await fetch(`${url}/api/sites/${SITE_ID}/experiences`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify(experience),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    if (response.status !== 201) throw new Error(`POST experience "${experience.name}" answered ${response.status}: ${(await response.text()).slice(0, 300)}`)
    ids.push((await response.json()).id)
  }
  return ids
}

/** Deterministic pseudo-random numbers (mulberry32): every run and every arm sees the same journeys. */
export function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const AD_TERMS = ['crm', 'pipeline software', 'sales crm', 'crm deal', 'small business crm']
const BROWSE = ['/pricing', '/pricing', '/signup', '/help/', '/help/getting-started', '/help/billing', '/demo', '/', '/checkout']
const GOOGLE = 'https://www.google.com/'

/**
 * `count` visitor journeys of `pages` page views: half land from the Black Friday ad (path "/", the demo
 * experience), 20% on /pricing from a spring-sale email, 30% elsewhere (organic, a brand ad, help from
 * Google, direct). Then they browse; 15% of later views go back to the landing URL. 30% browse on a phone.
 * Each view has the page URL and its referrer (the previous page, as document.referrer would be).
 */
export function makeJourneys(count, pages, origin, seed) {
  const rand = random(seed)
  const pick = (list) => list[Math.floor(rand() * list.length)]
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 10 < 5 ? 'ad' : i % 10 < 7 ? 'email' : 'other'
    let landing
    if (kind === 'ad') {
      landing = { url: `${origin}/?utm_source=google&utm_medium=cpc&utm_campaign=black-friday&utm_term=${encodeURIComponent(pick(AD_TERMS))}`, ref: GOOGLE }
    } else if (kind === 'email') {
      landing = { url: `${origin}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale`, ref: '' }
    } else {
      landing = pick([
        { url: `${origin}/`, ref: GOOGLE },
        { url: `${origin}/?utm_source=bing&utm_medium=cpc&utm_campaign=brand&utm_term=acme`, ref: 'https://www.bing.com/' },
        { url: `${origin}/help/billing`, ref: GOOGLE },
        { url: `${origin}/signup`, ref: '' },
      ])
    }
    const views = [landing]
    while (views.length < pages) {
      const url = rand() < 0.15 ? landing.url : `${origin}${pick(BROWSE)}`
      views.push({ url, ref: views[views.length - 1].url })
    }
    return { kind, mobile: rand() < 0.3, views }
  })
}

/** The measured ways to answer the same page views (same load, same headers, same query string). */
export const ARMS = [
  { name: 'ping', label: 'GET /v1/ping (no-op)', path: '/v1/ping', visitorQuery: true },
  { name: 'personalize', label: 'GET /v1/personalize, no seen (the SDK today)', path: '/v1/personalize', visitorQuery: true, seen: false },
  { name: 'personalizeSeen', label: 'GET /v1/personalize with seen=', path: '/v1/personalize', visitorQuery: true, seen: true },
  { name: 'variants', label: 'GET /v1/variants, no aid (edge cache)', path: '/v1/variants', visitorQuery: false },
]

/** One arm's fresh visitors (new anonymous ids) on the shared journeys. */
function visitorsFor(journeys, tag) {
  return journeys.map((journey, i) => ({
    ...journey,
    aid: `bench-p-${tag}-${i}-${crypto.randomUUID().slice(0, 8)}`,
    seen: new Set(),
    queued: new Set(),
    previous: Promise.resolve(),
  }))
}

function requestUrl(url, arm, visitor, view) {
  const query = new URLSearchParams({ site: SITE_KEY, url: view.url })
  if (arm.visitorQuery) {
    query.set('aid', visitor.aid)
    if (view.ref) query.set('ref', view.ref)
    // The SDK would send what earlier answers told it (expId.varId of each decided experience).
    if (arm.seen && visitor.seen.size > 0) query.set('seen', [...visitor.seen].join(','))
  }
  return `${url}${arm.path}?${query}`
}

/** One timed GET; the body is read (and parsed when JSON) before the clock stops. */
async function timedGet(target, headers) {
  const started = performance.now()
  try {
    const response = await fetch(target, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    const text = await response.text()
    const ms = performance.now() - started
    let body = null
    try {
      body = JSON.parse(text)
    } catch {
      // counted through the status
    }
    return { status: response.status, ms, body, cache: response.headers.get('cairn-cache'), error: response.status === 200 ? null : text.slice(0, 200) }
  } catch (error) {
    return { status: 0, ms: performance.now() - started, body: null, cache: null, error: error.message }
  }
}

/**
 * Sends every view of `visitors` for one arm: page-major order (all first views, then all second views …)
 * with `concurrency` in flight; a visitor's view waits for her previous one to be answered.
 */
async function sendViews({ url, origin, arm, visitors, pages, concurrency, timeLimitMs, exposures }) {
  const order = []
  for (let page = 0; page < pages; page++) for (const visitor of visitors) order.push({ visitor, view: visitor.views[page] })
  const started = performance.now()
  const results = await promisePool(order.length, concurrency, started + timeLimitMs, async (i) => {
    const { visitor, view } = order[i]
    // Chained when the task starts: her next view cannot overtake this one.
    const prior = visitor.previous
    let answered
    visitor.previous = new Promise((resolve) => (answered = resolve))
    await prior
    const headers = { origin, 'user-agent': visitor.mobile ? MOBILE_UA : CHROME_UA }
    const result = await timedGet(requestUrl(url, arm, visitor, view), headers)
    const decided = result.body?.experiences
    if (Array.isArray(decided)) {
      // The Worker's rule: with an aid, one JOBS message when a decided experience is neither in seen= nor
      // already queued for her by this isolate (local wrangler dev runs one isolate).
      const fresh = decided.filter((d) => !visitor.queued.has(`${d.id}.${d.variant}`) && !(arm.seen && visitor.seen.has(`${d.id}.${d.variant}`)))
      if (arm.path === '/v1/personalize') for (const d of fresh) visitor.queued.add(`${d.id}.${d.variant}`)
      result.decided = decided.length
      result.enqueues = arm.path === '/v1/personalize' && fresh.length > 0 ? 1 : 0
      result.experienceIds = decided.map((d) => d.id)
      if (arm.visitorQuery) {
        for (const d of decided) {
          visitor.seen.add(`${d.id}.${d.variant}`)
          exposures.add(`${visitor.aid}|${d.id}`)
        }
      }
    }
    answered()
    return result
  })
  return { results, seconds: (performance.now() - started) / 1000, planned: order.length }
}

function summarizeArm(arm, rounds) {
  const results = rounds.flatMap((r) => r.results)
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b)
  const statuses = {}
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0)
  const planned = rounds.reduce((sum, r) => sum + r.planned, 0)
  const byExperience = {}
  for (const r of results) for (const id of r.experienceIds ?? []) byExperience[id] = (byExperience[id] ?? 0) + 1
  return {
    name: arm.name,
    label: arm.label,
    requestsPlanned: planned,
    requests: results.length,
    stoppedByTimeLimit: results.length < planned,
    seconds,
    requestsPerSecond: results.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    meanMs: latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length,
    roundP50Ms: rounds.map((r) => percentile(r.results.map((x) => x.ms).sort((a, b) => a - b), 0.5)),
    statuses,
    non200: results.length - (statuses[200] ?? 0),
    firstError: results.find((r) => r.error)?.error ?? null,
    withDecision: results.filter((r) => (r.decided ?? 0) > 0).length,
    exposureEnqueues: results.reduce((sum, r) => sum + (r.enqueues ?? 0), 0),
    byExperience,
    cache: arm.path === '/v1/variants' ? { hit: results.filter((r) => r.cache === 'hit').length, miss: results.filter((r) => r.cache === 'miss').length } : null,
  }
}

/** Exposure rows in D1 for the demo site (the admin metrics' per-arm counts, summed). */
export async function exposureRows(url) {
  const { experiences } = await adminGet(url, `/api/sites/${SITE_ID}/metrics/experiences`)
  return experiences.reduce((sum, e) => sum + e.control.exposures + e.variants.reduce((s, v) => s + v.exposures, 0), 0)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Between arm-rounds: the local queue consumer runs in the same workerd as the routes, so exposure
 * writes left over from a personalize round would land on the next arm's clock. Waits until D1 holds
 * every distinct exposure so far (bounded), then the queue's batch timeout.
 */
async function settle(url, expected, plan) {
  const started = performance.now()
  let rows = NaN
  for (;;) {
    try {
      rows = await exposureRows(url)
    } catch {
      rows = NaN
    }
    if (rows >= expected || performance.now() - started > plan.settleLimitMs) break
    await sleep(200)
  }
  const caughtUpSeconds = (performance.now() - started) / 1000
  await sleep(plan.settleQuietMs)
  return { rows, expected, caughtUpSeconds, complete: rows >= expected }
}

/**
 * Warm-up (each arm, fresh visitors, not measured; every variants URL primed into the cache), then the
 * arms in alternating rounds, the consumer settled between arm-rounds. Checks at the end that D1 holds
 * exactly the distinct (visitor, experience) exposures the answers decided.
 */
export async function latencyRuns({ url, origin, plan = LATENCY_PLAN, tag }) {
  const journeys = makeJourneys(plan.visitors, plan.pagesPerVisitor, origin, plan.seed)
  const warmJourneys = makeJourneys(plan.warmupVisitors, plan.pagesPerVisitor, origin, plan.seed + 1)
  const exposures = new Set()
  const base = await exposureRows(url)
  const common = { url, origin, pages: plan.pagesPerVisitor, concurrency: plan.concurrency, exposures }

  for (const arm of ARMS) await sendViews({ ...common, arm, visitors: visitorsFor(warmJourneys, `${tag}-warm-${arm.name}`), timeLimitMs: plan.armTimeLimitMs })
  // Every distinct URL the variants arm asks for, on a desktop and a phone (the cache key has the device),
  // asked right before each variants round (entries live 60 s): the measured requests are the hit path.
  const distinct = [...new Set(journeys.flatMap((j) => j.views.map((v) => v.url)))]
  const primeVisitors = distinct.flatMap((u, i) => [false, true].map((mobile) => ({ aid: `prime-${i}`, mobile, views: [{ url: u, ref: '' }], seen: new Set(), queued: new Set(), previous: Promise.resolve() })))
  const prime = () => sendViews({ ...common, arm: ARMS.find((a) => a.name === 'variants'), visitors: primeVisitors, pages: 1, timeLimitMs: plan.armTimeLimitMs })

  const visitors = Object.fromEntries(ARMS.map((arm) => [arm.name, visitorsFor(journeys, `${tag}-${arm.name}`)]))
  const rounds = Object.fromEntries(ARMS.map((arm) => [arm.name, []]))
  const settles = []
  settles.push(await settle(url, base + exposures.size, plan))
  const perRound = Math.ceil(plan.visitors / plan.rounds)
  const deadline = performance.now() + plan.armTimeLimitMs * ARMS.length
  for (let round = 0; round < plan.rounds; round++) {
    const order = ARMS.map((_, i) => ARMS[(i + round) % ARMS.length])
    for (const arm of order) {
      const slice = visitors[arm.name].slice(round * perRound, (round + 1) * perRound)
      if (arm.name === 'variants') await prime()
      const timeLimitMs = Math.max(0, deadline - performance.now())
      rounds[arm.name].push(await sendViews({ ...common, arm, visitors: slice, timeLimitMs }))
      settles.push(await settle(url, base + exposures.size, plan))
    }
  }
  const arms = Object.fromEntries(ARMS.map((arm) => [arm.name, summarizeArm(arm, rounds[arm.name])]))
  const last = settles[settles.length - 1]
  return {
    arms,
    mix: {
      visitors: plan.visitors,
      pagesPerVisitor: plan.pagesPerVisitor,
      adVisitors: journeys.filter((j) => j.kind === 'ad').length,
      emailVisitors: journeys.filter((j) => j.kind === 'email').length,
      otherVisitors: journeys.filter((j) => j.kind === 'other').length,
      mobileVisitors: journeys.filter((j) => j.mobile).length,
      distinctUrls: distinct.length,
    },
    exposures: {
      expectedRows: base + exposures.size,
      rows: last.rows,
      complete: last.rows === base + exposures.size,
      maxCatchUpSeconds: Math.max(...settles.map((s) => s.caughtUpSeconds)),
      settlesIncomplete: settles.filter((s) => !s.complete).length,
    },
  }
}

/** Time to the response head, to the first body chunk, and to the last byte of one GET (body checked by `check`). */
async function timedStream(target, headers) {
  const started = performance.now()
  try {
    const response = await fetch(target, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    const headMs = performance.now() - started
    const reader = response.body.getReader()
    const chunks = []
    let firstByteMs = NaN
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started
      chunks.push(Buffer.from(value))
    }
    const totalMs = performance.now() - started
    const html = Buffer.concat(chunks).toString('utf8')
    return { status: response.status, headMs, firstByteMs, totalMs, bytes: html.length, html, cookie: response.headers.get('set-cookie') }
  } catch (error) {
    return { status: 0, headMs: NaN, firstByteMs: NaN, totalMs: performance.now() - started, bytes: 0, html: '', error: error.message }
  }
}

function streamStats(results) {
  const sorted = (key) => results.map((r) => r[key]).filter(Number.isFinite).sort((a, b) => a - b)
  const stat = (key) => ({ p50: percentile(sorted(key), 0.5), p99: percentile(sorted(key), 0.99) })
  return { requests: results.length, non200: results.filter((r) => r.status !== 200).length, head: stat('headMs'), firstByte: stat('firstByteMs'), total: stat('totalMs'), bytes: results[0]?.bytes ?? 0 }
}

/** The public host for a local Worker URL: localhost on the same port (ADMIN_HOST is 127.0.0.1 in .dev.vars). */
export const publicHostOf = (url) => url.replace('//127.0.0.1', '//localhost')

/**
 * Edge mode against the origin page, one request at a time, alternating: each edge request is a new
 * visitor (no cookie: an ad click), so it decides, sets the cookie and enqueues a first exposure.
 */
export async function edgeRuns({ url, plan = EDGE_PLAN }) {
  // Edge mode answers on the public host only (127.0.0.1 is the admin host: /edge/ there is a 404), as in
  // the browser tests; the origin page is asked on the same host so both go the same way.
  const publicBase = publicHostOf(url)
  const targets = { edge: `${publicBase}${EDGE_PREFIX}/${AD_QUERY}`, origin: `${publicBase}/${AD_QUERY}` }
  const headers = { 'user-agent': CHROME_UA, accept: 'text/html' }
  const out = { edge: [], origin: [] }
  for (let i = 0; i < plan.warmup + plan.requests; i++) {
    // Alternate which goes first, so neither always follows the other.
    const order = i % 2 === 0 ? ['edge', 'origin'] : ['origin', 'edge']
    for (const name of order) {
      const result = await timedStream(targets[name], headers)
      if (i >= plan.warmup) out[name].push(result)
    }
  }
  const marker = (html) => /<html[^>]*data-cairn-edge="([^"]*)"/.exec(html)?.[1] ?? null
  const markers = out.edge.map((r) => marker(r.html))
  const edge = {
    ...streamStats(out.edge),
    personalized: out.edge.filter((r) => /<h1[^>]*data-cairn-slot="headline"[^>]*>Black Friday/.test(r.html)).length,
    control: markers.filter((m) => m?.includes(':control')).length,
    withMarker: markers.filter((m) => m !== null).length,
    withCookie: out.edge.filter((r) => /cairn_aid=/.test(r.cookie ?? '')).length,
    firstError: out.edge.find((r) => r.error)?.error ?? null,
  }
  const origin = {
    ...streamStats(out.origin),
    withSlots: out.origin.filter((r) => /<h1[^>]*data-cairn-slot="headline"/.test(r.html)).length,
    firstError: out.origin.find((r) => r.error)?.error ?? null,
  }
  return {
    plan,
    targets: { edge: `${EDGE_PREFIX}/${AD_QUERY}`, origin: `/${AD_QUERY}` },
    edge,
    origin,
    ratios: {
      firstByteP50: edge.firstByte.p50 / origin.firstByte.p50,
      firstByteP99: edge.firstByte.p99 / origin.firstByte.p99,
      totalP50: edge.total.p50 / origin.total.p50,
      totalP99: edge.total.p99 / origin.total.p99,
    },
  }
}

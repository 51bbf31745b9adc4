// Section 2: POST /v1/events throughput against the local Worker, 20-event batches vs one event per
// request, plus D1 rows written per event. Bounded in requests and time; traffic to 127.0.0.1 only.
import { performance } from 'node:perf_hooks'

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'
export const SITE_KEY = 'pk_demo'
const REQUEST_TIMEOUT_MS = 15_000

/** Default workload: fixed counts so runs compare; the time limit only guards against a stuck server. */
export const PLAN = {
  concurrency: 8,
  visitors: 100,
  batchSize: 20,
  warmup: { batched: 40, single: 120 },
  batched: 300, // requests → 6,000 events
  single: 1_500, // requests → 1,500 events
  rounds: 3, // batched and single alternate in this many rounds
  modeTimeLimitMs: 60_000,
}

/**
 * Simulated browsers. Each gets its own client address (documentation range 203.0.113.0/24, sent only as
 * a header): real traffic comes from many IPs, and the Worker's per-(site, IP) limiter would otherwise
 * answer 429 to a single-IP load test. Nothing is ever sent to these addresses.
 */
export function makeVisitors(count, tag) {
  return Array.from({ length: count }, (_, i) => ({
    anonymousId: `bench-${tag}-${i}-${crypto.randomUUID()}`,
    ip: `203.0.113.${(i % 254) + 1}`,
    email: `visitor-${i}-${tag}@example.com`,
    sent: 0,
  }))
}

/**
 * The n-th event of a visitor: 60% page views (with UTM), 30% 'Signed Up', 10% identify with email.
 * `traits` (a visitor → object function) adds identify traits (the scoring section's fit rules read them).
 */
export function makeEvent(visitor, origin, at, traits = null) {
  const n = visitor.sent++
  const base = { id: crypto.randomUUID(), anonymousId: visitor.anonymousId, timestamp: new Date(at).toISOString() }
  const slot = n % 10
  if (slot === 9) return { ...base, type: 'identify', traits: { email: visitor.email, name: 'Bench Visitor', ...traits?.(visitor) } }
  if (slot >= 6) {
    return { ...base, type: 'track', event: 'Signed Up', properties: { plan: 'pro' }, context: { url: `${origin}/signup` } }
  }
  return {
    ...base,
    type: 'page',
    context: {
      url: `${origin}/pricing?utm_source=google&utm_campaign=bf`,
      referrer: 'https://www.google.com/',
      title: 'Pricing · Acme CRM',
    },
  }
}

/** One request's body: `size` events of one visitor that happened over the last few seconds. */
function makeBody(visitor, origin, size, siteKey, traits) {
  const now = Date.now()
  const batch = Array.from({ length: size }, (_, i) => makeEvent(visitor, origin, now - (size - i) * 150, traits))
  return { batch, body: JSON.stringify({ site: siteKey, sentAt: new Date(now).toISOString(), batch }) }
}

/** Sends one batch of one visitor's events (see postEvents). */
function sendBatch(url, origin, visitor, size, siteKey = SITE_KEY, traits = null) {
  const { batch, body } = makeBody(visitor, origin, size, siteKey, traits)
  return postEvents(url, origin, visitor.ip, batch, body)
}

/** POSTs a prepared batch the way the SDK's beacon does (text/plain: no CORS preflight). */
export async function postEvents(url, origin, ip, batch, body) {
  const started = performance.now()
  try {
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        origin,
        'user-agent': CHROME_UA,
        'cf-connecting-ip': ip,
      },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const text = await response.text()
    const ms = performance.now() - started
    let accepted = 0
    try {
      accepted = JSON.parse(text).accepted ?? 0
    } catch {
      // non-JSON error page: counted through the status
    }
    const rows = response.headers.get('cairn-d1-rows-written')
    return { status: response.status, ms, sent: batch.length, accepted, rows: rows === null ? null : Number(rows), error: response.status === 202 ? null : text.slice(0, 200) }
  } catch (error) {
    return { status: 0, ms: performance.now() - started, sent: batch.length, accepted: 0, rows: null, error: error.message }
  }
}

/** Runs `count` tasks with `concurrency` in flight; stops starting new ones at `deadline`. */
export async function promisePool(count, concurrency, deadline, task) {
  const results = []
  let next = 0
  async function lane() {
    while (next < count && performance.now() < deadline) {
      const index = next++
      results.push(await task(index))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return results
}

/** p-th percentile (nearest rank) of sorted latencies. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

/** Sends `requests` requests of `size` events round-robin over the visitors; raw results + wall time. */
async function sendRequests({ url, origin, visitors, requests, size, concurrency, timeLimitMs, siteKey = SITE_KEY, traits = null }) {
  const started = performance.now()
  const deadline = started + timeLimitMs
  const results = await promisePool(requests, concurrency, deadline, (i) => sendBatch(url, origin, visitors[i % visitors.length], size, siteKey, traits))
  return { results, seconds: (performance.now() - started) / 1000, planned: requests }
}

/** Merges the rounds of one mode into its numbers (events/s over the rounds' summed wall time). */
function summarize(rounds, size, concurrency) {
  const results = rounds.flatMap((round) => round.results)
  const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0)
  const planned = rounds.reduce((sum, round) => sum + round.planned, 0)
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b)
  const statuses = {}
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1
  const sent = results.reduce((sum, r) => sum + r.sent, 0)
  const accepted = results.reduce((sum, r) => sum + r.accepted, 0)
  const withRows = results.filter((r) => r.rows !== null)
  const rowsWritten = withRows.reduce((sum, r) => sum + r.rows, 0)
  return {
    requestsPlanned: planned,
    requests: results.length,
    stoppedByTimeLimit: results.length < planned,
    rounds: rounds.length,
    eventsPerRequest: size,
    concurrency,
    seconds,
    eventsSent: sent,
    eventsAccepted: accepted,
    eventsPerSecond: accepted / seconds,
    requestsPerSecond: results.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    statuses,
    non202: results.length - (statuses[202] ?? 0),
    firstError: results.find((r) => r.error)?.error ?? null,
    rowsWritten: withRows.length > 0 ? rowsWritten : null,
    rowsHeaderMissing: results.length - withRows.length,
    rowsPerEvent: withRows.length > 0 && accepted > 0 ? rowsWritten / accepted : null,
  }
}

/** GET on the admin API with the local dev token. */
export async function adminGet(url, path) {
  const response = await fetch(`${url}${path}`, {
    headers: { authorization: 'Bearer dev-admin-token' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`)
  return response.json()
}

/** Lead detail lists at most this many events: a visitor must send fewer for the row count to be exact. */
const LEAD_EVENTS_LIMIT = 200

/**
 * What D1 holds for these visitors, through the admin API: event rows (from each lead's event list) and
 * the leads' event counters. Both should equal the accepted events; a lower counter alone means lost
 * counter updates, not lost events.
 */
async function storedCounts(url, visitors, concurrency, siteId) {
  const deadline = performance.now() + REQUEST_TIMEOUT_MS
  const perVisitor = await promisePool(visitors.length, concurrency, deadline, async (i) => {
    const { anonymousId } = visitors[i]
    const { leads } = await adminGet(url, `/api/sites/${siteId}/leads?anonymousId=${encodeURIComponent(anonymousId)}`)
    let rows = 0
    let counter = 0
    for (const lead of leads) {
      const detail = await adminGet(url, `/api/sites/${siteId}/leads/${encodeURIComponent(lead.id)}`)
      if (detail.events.length >= LEAD_EVENTS_LIMIT) throw new Error(`lead ${lead.id} has ${LEAD_EVENTS_LIMIT}+ events: rows cannot be counted`)
      rows += detail.events.filter((event) => event.anonymousId === anonymousId).length
      counter += detail.eventCount
    }
    return { rows, counter }
  })
  if (perVisitor.length < visitors.length) throw new Error('admin API read-back did not finish in time')
  return {
    rows: perVisitor.reduce((sum, v) => sum + v.rows, 0),
    counter: perVisitor.reduce((sum, v) => sum + v.counter, 0),
  }
}

/**
 * Polls (at most `limitMs`) until D1 holds every accepted event of these visitors: direct mode wrote them
 * before the 202 (one check); in queue mode `seconds` (from the last 202 to the end of the poll that saw
 * them all) bounds the consumer's lag.
 */
export async function waitStored(url, visitors, expected, limitMs, concurrency, siteId = 'site_demo') {
  const started = performance.now()
  while (true) {
    const { rows, counter } = await storedCounts(url, visitors, concurrency, siteId)
    const seconds = (performance.now() - started) / 1000
    const timedOut = performance.now() - started > limitMs
    if (rows >= expected || timedOut) {
      return { expected, rows, leadEventCounter: counter, seconds, complete: rows === expected, counterMatches: counter === expected }
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * Warm-up (JIT, D1 pages, first-lead paths), then the measured modes in interleaved rounds: on a shared
 * 2-core box the background load drifts, and alternating keeps the batched/single ratio fair.
 */
export async function ingestRuns({ url, origin, modes, plan = PLAN, tag, storedWaitMs = 0 }) {
  const sizes = { batched: plan.batchSize, single: 1 }
  const arms = modes.map((mode) => ({ name: mode, size: sizes[mode], requests: plan[mode], warmup: plan.warmup[mode] }))
  return alternatingRuns({ url, origin, arms, plan, tag, storedWaitMs })
}

/**
 * The interleaved-rounds loop behind ingestRuns, over any "arms": each arm has a name, events per request
 * (`size`), measured and warm-up request counts, and optionally its own site (`siteKey`, `siteId`) and
 * extra identify traits. Every arm is warmed up first; then each round runs every arm once, in order.
 */
export async function alternatingRuns({ url, origin, arms, plan = PLAN, tag, storedWaitMs = 0 }) {
  const base = { url, origin, concurrency: plan.concurrency }
  const deadline = performance.now() + plan.modeTimeLimitMs * arms.length
  const visitors = {}
  const rounds = {}
  const site = (arm) => ({ siteKey: arm.siteKey ?? SITE_KEY, traits: arm.traits ?? null })
  const warm = makeVisitors(plan.visitors, `${tag}-warm`)
  for (const arm of arms) {
    await sendRequests({ ...base, ...site(arm), visitors: warm, requests: arm.warmup, size: arm.size, timeLimitMs: plan.modeTimeLimitMs })
    visitors[arm.name] = makeVisitors(plan.visitors, `${tag}-${arm.name}`)
    rounds[arm.name] = []
  }
  for (let round = 0; round < plan.rounds; round++) {
    for (const arm of arms) {
      const requests = Math.round(arm.requests / plan.rounds)
      const timeLimitMs = Math.max(0, deadline - performance.now())
      rounds[arm.name].push(await sendRequests({ ...base, ...site(arm), visitors: visitors[arm.name], requests, size: arm.size, timeLimitMs }))
    }
  }
  const out = {}
  for (const arm of arms) {
    out[arm.name] = summarize(rounds[arm.name], arm.size, plan.concurrency)
    out[arm.name].stored = await storedOrError(url, visitors[arm.name], out[arm.name].eventsAccepted, storedWaitMs, plan.concurrency, arm.siteId ?? 'site_demo')
  }
  return out
}

/** A failed read-back is reported in the table, not fatal: the throughput numbers still stand. */
async function storedOrError(...args) {
  try {
    return await waitStored(...args)
  } catch (error) {
    return { expected: args[2], rows: NaN, leadEventCounter: NaN, seconds: NaN, complete: false, counterMatches: false, error: error.message }
  }
}

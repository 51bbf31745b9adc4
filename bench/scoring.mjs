// Section 4 workloads: ingest with 50 active score rules vs none (two sites, interleaved rounds), and
// site-wide re-scoring after a rule change, inline (≤ 200 leads) and through the queue's chain of pages.
// Bounded in requests and time; traffic to 127.0.0.1 only.
import { performance } from 'node:perf_hooks'
import { adminGet, alternatingRuns, makeEvent, makeVisitors, PLAN, postEvents, promisePool } from './ingest.mjs'

const REQUEST_TIMEOUT_MS = 30_000
const ADMIN = { authorization: 'Bearer dev-admin-token' }

/** The Worker's thresholds (worker/src/queue/rescore.ts): inline up to this many leads, else queue pages. */
export const SYNC_RESCORE_LEADS = 200
export const QUEUED_RESCORE_PAGE = 200

/** The re-scoring workload: leads per site and events per lead (one makeEvent cycle: 6 pages, 3 tracks, 1 identify). */
export const RESCORE_PLAN = {
  smallLeads: 200,
  largeLeads: 2_000,
  eventsPerLead: 10,
  eventsPerRequest: 100, // 10 visitors × 10 events: the Worker's batch maximum
  seedConcurrency: 4,
  syncRepeats: 3,
  queuedLimitMs: 120_000,
  pollMs: 250,
}

/** Points of the probe rule timed in the re-scoring runs: far above any score the 50 rules give here. */
export const PROBE_POINTS = 700

/** A page rule with no path: every page view matches, `limit: 1` makes it exactly +700 per lead. */
export const PROBE_RULE = { name: 'Bench probe: any page view', points: PROBE_POINTS, limit: 1, match: { type: 'page' } }

const page = (name, path, points, extra = {}) => ({ name, points, ...extra, match: { type: 'page', path, ...(extra.where ? { where: extra.where } : {}) } })
const track = (name, event, points, extra = {}) => ({ name, points, ...extra, match: { type: 'track', event, ...(extra.where ? { where: extra.where } : {}) } })
const fit = (name, where, points) => ({ name, points, match: { type: 'identify', where } })
const strip = ({ where: _where, ...rule }) => rule

/**
 * 50 rules a B2B SaaS marketer could plausibly run: 20 page globs, 20 track rules (some with `where` on
 * properties), 10 fit rules on traits. The bench's traffic (pricing page views from Google, 'Signed Up'
 * with plan 'pro', identify with budget, company, employees, industry) matches the ones marked ✓.
 */
export const RULES = [
  // Page rules (20)
  page('Viewed pricing ✓', '/pricing*', 10, { limit: 3 }),
  page('Pricing from search ✓', '/pricing*', 5, { limit: 1, where: [{ field: 'context.referrer', op: 'contains', value: 'google' }] }),
  page('Pricing, any locale ✓', '*/pricing*', 3, { limit: 5, expiresDays: 30 }),
  page('Read help articles', '/help/*', 2, { limit: 5, expiresDays: 30 }),
  page('Read the docs', '/docs/*', 1, { limit: 10, expiresDays: 30 }),
  page('Careers visitor', '/careers*', -20),
  page('Blog post 1', '/blog/post-1*', 1, { limit: 1 }),
  page('Blog post 2', '/blog/post-2*', 1, { limit: 1 }),
  page('Blog post 3', '/blog/post-3*', 1, { limit: 1 }),
  page('Blog post 4', '/blog/post-4*', 1, { limit: 1 }),
  page('Blog post 5', '/blog/post-5*', 1, { limit: 1 }),
  page('Customer stories', '/customers/*', 5, { limit: 2 }),
  page('Integrations', '/integrations/*', 3, { limit: 3 }),
  page('Security page', '/security*', 8, { limit: 1 }),
  page('Enterprise page', '/enterprise*', 15, { limit: 1 }),
  page('Comparison pages', '/compare/*', 6, { limit: 2 }),
  page('Changelog', '/changelog*', 1, { limit: 3, expiresDays: 14 }),
  page('Webinar pages', '/webinars/*', 4, { limit: 2 }),
  page('Contact sales page', '/contact*', 10, { limit: 1 }),
  page('ROI calculator', '/roi*', 7, { limit: 1 }),
  // Track rules (20)
  track('Signed up ✓', 'Signed Up', 25),
  track('Signed up, pro plan ✓', 'Signed Up', 20, { limit: 1, where: [{ field: 'properties.plan', op: 'eq', value: 'pro' }] }),
  track('Signed up, growth plan', 'Signed Up', 15, { limit: 1, where: [{ field: 'properties.plan', op: 'eq', value: 'growth' }] }),
  track('Signed up with a team', 'Signed Up', 10, { limit: 1, where: [{ field: 'properties.seats', op: 'gte', value: 10 }] }),
  track('Any sign-… event ✓', 'Signed*', 2, { limit: 1 }),
  track('Requested a demo', 'Demo Requested', 30),
  track('Started a trial', 'Trial Started', 20, { limit: 1 }),
  track('Invited a teammate', 'Invited Teammate', 10, { limit: 5 }),
  track('Created a project', 'Created Project', 5, { limit: 3 }),
  track('Connected an integration', 'Connected Integration', 8, { limit: 3 }),
  track('Used the pricing calculator', 'Used Pricing Calculator', 4, { limit: 2 }),
  track('Downloaded a whitepaper', 'Downloaded Whitepaper', 6, { limit: 2, expiresDays: 90 }),
  track('Attended a webinar', 'Attended Webinar', 10, { limit: 2 }),
  track('Cancelled subscription', 'Subscription Cancelled', -50),
  track('Unsubscribed', 'Unsubscribed', -10, { limit: 1 }),
  track('Large order', 'Order Completed', 15, { where: [{ field: 'properties.revenue', op: 'gte', value: 100 }] }),
  track('Order completed', 'Order Completed', 10),
  track('Contact form', 'Form Submitted', 20, { limit: 1, where: [{ field: 'properties.form', op: 'eq', value: 'contact' }] }),
  track('Product usage', 'Feature *', 1, { limit: 20, expiresDays: 30 }),
  track('Upgraded to enterprise', 'Upgraded Plan', 40, { where: [{ field: 'properties.plan', op: 'eq', value: 'enterprise' }] }),
  // Fit rules (10)
  fit('Budget ≥ $5,000 ✓', [{ field: 'traits.budget', op: 'gte', value: 5000 }], 20),
  fit('Budget ≥ $20,000 ✓', [{ field: 'traits.budget', op: 'gte', value: 20000 }], 15),
  fit('Has a company ✓', [{ field: 'traits.company', op: 'exists' }], 5),
  fit('Has an email ✓', [{ field: 'traits.email', op: 'exists' }], 5),
  fit('Software industry ✓', [{ field: 'traits.industry', op: 'eq', value: 'software' }], 10),
  fit('50+ employees ✓', [{ field: 'traits.employees', op: 'gte', value: 50 }], 10),
  fit('500+ employees', [{ field: 'traits.employees', op: 'gte', value: 500 }], 10),
  fit('Decision maker', [{ field: 'traits.title', op: 'contains', value: 'head' }], 10),
  fit('US based ✓', [{ field: 'traits.country', op: 'eq', value: 'US' }], 3),
  fit('Student', [{ field: 'traits.role', op: 'eq', value: 'student' }], -15),
].map(strip)

/** Identify traits of the scoring traffic: budgets $2k / $8k / $25k by visitor, the rest fixed. */
export function fitTraits(visitor) {
  const index = Number(/^visitor-(\d+)-/.exec(visitor.email)?.[1] ?? 0)
  return { company: 'Acme Corp', budget: [2_000, 8_000, 25_000][index % 3], employees: 120, industry: 'Software', country: 'US' }
}

/** An admin API call: status, parsed body (or text) and wall time. */
export async function admin(url, method, path, body) {
  const started = performance.now()
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? ADMIN : { ...ADMIN, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  const text = await response.text()
  const ms = performance.now() - started
  let json = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    // error page
  }
  return { status: response.status, json, text, ms }
}

async function expectStatus(call, status, what) {
  const result = await call
  if (result.status !== status) throw new Error(`${what} answered ${result.status} (expected ${status}): ${result.text.slice(0, 300)}`)
  return result
}

/** A new site whose only origin is the worker's: `{ id, key }`. */
export async function createSite(url, name) {
  const { json } = await expectStatus(admin(url, 'POST', '/api/sites', { name, origins: [url] }), 201, `POST /api/sites (${name})`)
  return { id: json.id, key: json.key, name }
}

/** Creates the 50 rules on a site (call it while the site has no leads: each save re-scores the site). */
export async function createRules(url, siteId, rules = RULES) {
  const ids = []
  for (const rule of rules) {
    const { json } = await expectStatus(admin(url, 'POST', `/api/sites/${siteId}/rules`, rule), 201, `POST rule "${rule.name}"`)
    ids.push(json.id)
  }
  const { json } = await expectStatus(admin(url, 'GET', `/api/sites/${siteId}/rules`), 200, 'GET rules')
  if (json.rules.length !== rules.length) throw new Error(`site ${siteId} lists ${json.rules.length} rules, expected ${rules.length}`)
  return ids
}

/**
 * Part 1: the same traffic as section 2's direct batched run (plan, batch size, warm-up, rounds), sent to
 * a site with no rules and a site with the 50 rules, alternating round by round.
 */
export async function rulesIngestRuns({ url, origin, bare, ruled, plan = PLAN, tag }) {
  const arm = (name, site) => ({ name, size: plan.batchSize, requests: plan.batched, warmup: plan.warmup.batched, siteKey: site.key, siteId: site.id, traits: fitTraits })
  const runs = await alternatingRuns({ url, origin, arms: [arm('rules0', bare), arm('rules50', ruled)], plan, tag })
  return { rules0: runs.rules0, rules50: runs.rules50, scores: { rules0: await scoreSummary(url, bare.id), rules50: await scoreSummary(url, ruled.id) } }
}

/** Scores of a site's leads (≤ 500) and which rules one lead's ledger credits: proof the rules matched. */
async function scoreSummary(url, siteId) {
  const { leads } = await adminGet(url, `/api/sites/${siteId}/leads?limit=500`)
  const scores = leads.map((lead) => lead.score)
  const sample = leads.find((lead) => lead.score > 0)
  let matchedRules = []
  if (sample) {
    const detail = await adminGet(url, `/api/sites/${siteId}/leads/${encodeURIComponent(sample.id)}`)
    matchedRules = [...new Set(detail.scoreBreakdown.map((entry) => entry.rule))].sort()
  }
  return {
    leads: leads.length,
    scored: scores.filter((s) => s > 0).length,
    meanScore: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : NaN,
    maxScore: scores.length ? Math.max(...scores) : NaN,
    sampleLeadRules: matchedRules,
  }
}

/**
 * Seeds `leads` leads of `eventsPerLead` events each: batches of 100 events (10 visitors × 10), each
 * request from its own documentation-range client IP (the ingest limit is per site key and IP).
 */
export async function seedLeads({ url, origin, site, leads, tag, plan = RESCORE_PLAN }) {
  const visitors = makeVisitors(leads, tag)
  const perRequest = plan.eventsPerRequest / plan.eventsPerLead
  const requests = Math.ceil(leads / perRequest)
  const started = performance.now()
  const results = await promisePool(requests, plan.seedConcurrency, started + 120_000, (r) => {
    const now = Date.now()
    const batch = visitors
      .slice(r * perRequest, (r + 1) * perRequest)
      .flatMap((visitor) => Array.from({ length: plan.eventsPerLead }, (_, i) => makeEvent(visitor, origin, now - (plan.eventsPerLead - i) * 1000, fitTraits)))
    const body = JSON.stringify({ site: site.key, sentAt: new Date(now).toISOString(), batch })
    return postEvents(url, origin, `203.0.113.${(r % 254) + 1}`, batch, body)
  })
  const sent = results.reduce((sum, r) => sum + r.sent, 0)
  const accepted = results.reduce((sum, r) => sum + r.accepted, 0)
  const non202 = results.filter((r) => r.status !== 202)
  return {
    leads,
    requests: results.length,
    requestsPlanned: requests,
    eventsSent: sent,
    eventsAccepted: accepted,
    seconds: (performance.now() - started) / 1000,
    non202: non202.length,
    firstError: non202[0] ? `${non202[0].status} ${non202[0].error}` : null,
  }
}

/** Leads of a site with a score in [min, max], at most `limit` (the admin API caps at 500). */
async function leadsInRange(url, siteId, { min, max, limit = 1 }) {
  const query = new URLSearchParams({ limit: String(limit) })
  if (min !== undefined) query.set('minScore', String(min))
  if (max !== undefined) query.set('maxScore', String(max))
  const { leads } = await adminGet(url, `/api/sites/${siteId}/leads?${query}`)
  return leads.length
}

/** Every lead carries the probe's +700 (none at or below 699), or none does (none at or above 700). */
const allProbed = async (url, siteId) => (await leadsInRange(url, siteId, { max: PROBE_POINTS - 1 })) === 0
const noneProbed = async (url, siteId) => (await leadsInRange(url, siteId, { min: PROBE_POINTS })) === 0

/** The completeness checks only hold if every score sits in [0, 699] before the probe: verify it. */
async function checkScoreRange(url, siteId) {
  const negative = await leadsInRange(url, siteId, { max: -1 })
  const high = await leadsInRange(url, siteId, { min: PROBE_POINTS })
  if (negative > 0 || high > 0) throw new Error(`site ${siteId} has leads scored outside [0, ${PROBE_POINTS - 1}] before the probe: the completeness check would not hold`)
}

/**
 * Part 2a: a site of ≤ 200 leads re-scores before POST/DELETE …/rules answers. Each repeat adds the probe
 * rule (timed), checks every lead got +700, deletes it (timed), checks none kept it.
 */
export async function syncRescore({ url, site, expectedLeads, repeats }) {
  await checkScoreRange(url, site.id)
  const runs = []
  for (let i = 0; i < repeats; i++) {
    const add = await expectStatus(admin(url, 'POST', `/api/sites/${site.id}/rules`, PROBE_RULE), 201, 'POST probe rule (sync)')
    const { rescore } = add.json
    const addComplete = await allProbed(url, site.id)
    const del = await expectStatus(admin(url, 'DELETE', `/api/sites/${site.id}/rules/${add.json.id}`), 204, 'DELETE probe rule (sync)')
    const deleteComplete = await noneProbed(url, site.id)
    runs.push({ mode: rescore?.mode, leads: rescore?.leads, changed: rescore?.changed ?? null, addSeconds: add.ms / 1000, deleteSeconds: del.ms / 1000, addComplete, deleteComplete })
  }
  const leads = runs[0]?.leads ?? NaN
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const addSeconds = median(runs.map((r) => r.addSeconds))
  const deleteSeconds = median(runs.map((r) => r.deleteSeconds))
  return {
    site: site.name,
    leads,
    expectedLeads,
    runs,
    allSync: runs.every((r) => r.mode === 'sync'),
    complete: runs.every((r) => r.addComplete && r.deleteComplete),
    addSeconds,
    deleteSeconds,
    leadsPerSecond: leads / addSeconds,
    deleteLeadsPerSecond: leads / deleteSeconds,
  }
}

/**
 * Waits (at most `limitMs`) until `done` holds, polling every `pollMs`; `started` is when the change was
 * sent. Also notes when the first lead showed the change (`seen`): the first queue page's delay.
 */
async function pollUntil({ started, done, seen, limitMs, pollMs }) {
  let firstSeconds = null
  let polls = 0
  while (true) {
    polls++
    if (firstSeconds === null && (await seen())) firstSeconds = (performance.now() - started) / 1000
    if (await done()) return { complete: true, seconds: (performance.now() - started) / 1000, firstSeconds: firstSeconds ?? (performance.now() - started) / 1000, polls }
    if (performance.now() - started > limitMs) return { complete: false, seconds: (performance.now() - started) / 1000, firstSeconds, polls }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/**
 * Part 2b: a site of > 200 leads answers the rule change at once and re-scores through a chain of queue
 * pages (200 leads each). Timed from sending the POST (then the DELETE) until every lead shows it.
 */
export async function queuedRescore({ url, site, expectedLeads, plan = RESCORE_PLAN }) {
  await checkScoreRange(url, site.id)
  const poll = { limitMs: plan.queuedLimitMs, pollMs: plan.pollMs }

  let started = performance.now()
  const add = await expectStatus(admin(url, 'POST', `/api/sites/${site.id}/rules`, PROBE_RULE), 201, 'POST probe rule (queued)')
  const addResponseSeconds = add.ms / 1000
  const addChain = await pollUntil({ ...poll, started, done: () => allProbed(url, site.id), seen: async () => !(await noneProbed(url, site.id)) })
  const probedAtEnd = addChain.complete ? null : await leadsInRange(url, site.id, { min: PROBE_POINTS, limit: 500 })

  started = performance.now()
  const del = await expectStatus(admin(url, 'DELETE', `/api/sites/${site.id}/rules/${add.json.id}`), 204, 'DELETE probe rule (queued)')
  const deleteResponseSeconds = del.ms / 1000
  const deleteChain = await pollUntil({ ...poll, started, done: () => noneProbed(url, site.id), seen: async () => !(await allProbed(url, site.id)) })

  const leads = add.json.rescore?.leads ?? NaN
  return {
    site: site.name,
    leads,
    expectedLeads,
    mode: add.json.rescore?.mode,
    pages: Math.ceil(leads / QUEUED_RESCORE_PAGE),
    add: { responseSeconds: addResponseSeconds, ...addChain, probedAtEnd: probedAtEnd === null ? null : `${probedAtEnd}${probedAtEnd >= 500 ? '+' : ''}` },
    delete: { responseSeconds: deleteResponseSeconds, ...deleteChain },
    leadsPerSecond: addChain.complete ? leads / addChain.seconds : NaN,
    deleteLeadsPerSecond: deleteChain.complete ? leads / deleteChain.seconds : NaN,
  }
}

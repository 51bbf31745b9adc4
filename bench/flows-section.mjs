// Section 8 end to end: a fresh local D1, `wrangler dev` in direct mode. Ingest with 30 enabled flows vs
// none (events/s, D1 rows written per event), then trigger → email row in the outbox (p50/p99) and
// trigger → in-app message in the next /v1/personalize answer, through the real queue consumer.
import { join } from 'node:path'
import { prepareLocalDb } from '../scripts/local-db.mjs'
import { choosePort, createScratch, removeScratch, withWorker } from './ingest-section.mjs'
import { alternatingRuns, CHROME_UA, percentile, PLAN } from './ingest.mjs'
import { admin, createSite } from './scoring.mjs'
import { WORKER_ERROR } from './scoring-section.mjs'
import { fixed, int, printTable } from './table.mjs'
import { snapshotWorkerTree } from './worker.mjs'

export const FLOW_COUNT = 30
const LATENCY_SAMPLES = 30
const POLL_MS = 10
const SAMPLE_LIMIT_MS = 20_000

/** 30 flows in the shapes sites use: counted pricing views, signups, scores, stages, forms, goals. */
export function benchFlows() {
  const tag = [{ type: 'update', tag: 'bench' }]
  const inApp = [{ type: 'in_app', kind: 'banner', title: 'Hello {{lead.traits.name|there}}' }]
  return Array.from({ length: FLOW_COUNT }, (_, i) => {
    const kinds = [
      { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' }, count: { gte: 2 + (i % 3), withinDays: 7 } }, steps: tag },
      { trigger: { type: 'event', match: { type: 'track', event: 'Signed Up' } }, goal: { type: 'track', event: 'Purchased' }, steps: inApp },
      { trigger: { type: 'score', gte: 50 + i }, steps: tag },
      { trigger: { type: 'stage', stage: 'mql' }, filter: [{ field: 'lead.email', op: 'exists' }], steps: tag },
      { trigger: { type: 'form', where: [{ field: 'traits.budget', op: 'gte', value: 5000 }] }, steps: tag },
      { trigger: { type: 'event', match: { type: 'page', path: `/docs/${i}*` } }, steps: tag },
    ]
    return { name: `bench flow ${i}`, enabled: true, reentry: { type: 'once' }, ...kinds[i % kinds.length] }
  })
}

async function post(url, site, batch) {
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: url, 'user-agent': CHROME_UA, 'cf-connecting-ip': `198.51.100.${1 + Math.floor(Math.random() * 250)}` },
    body: JSON.stringify({ site: site.key, sentAt: new Date().toISOString(), batch }),
  })
  if (response.status !== 202) throw new Error(`POST /v1/events answered ${response.status}: ${await response.text()}`)
}

const event = (aid, type, extra) => ({ id: crypto.randomUUID(), type, anonymousId: aid, timestamp: new Date().toISOString(), ...extra })

/** Polls `probe` every POLL_MS until it answers true; the elapsed ms (or null past the limit). */
async function until(probe, started) {
  while (performance.now() - started < SAMPLE_LIMIT_MS) {
    if (await probe()) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  return null
}

/** Trigger → outbox email row (sent) and trigger → in-app message in personalize, one lead at a time. */
async function latencies(url, site, tag) {
  const email = []
  const inApp = []
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const aid = `bench-${tag}-lat-${i}-${crypto.randomUUID()}`
    await post(url, site, [event(aid, 'identify', { traits: { email: `lat-${i}-${tag}@example.com` }, context: { url: `${url}/signup` } })])
    const { json } = await admin(url, 'GET', `/api/sites/${site.id}/leads?anonymousId=${encodeURIComponent(aid)}`)
    const leadId = json.leads[0].id
    const started = performance.now()
    await post(url, site, [event(aid, 'track', { event: 'Bench Trigger', context: { url: `${url}/` } })])
    // Both watched from the trigger at once: the in-app time is not the email's plus a poll.
    const [emailMs, inAppMs] = await Promise.all([
      until(async () => {
        const { json: list } = await admin(url, 'GET', `/api/sites/${site.id}/messages?leadId=${leadId}&channel=email&status=sent`)
        return list.messages.length > 0
      }, started),
      until(async () => {
        const response = await fetch(`${url}/v1/personalize?site=${site.key}&url=${encodeURIComponent(`${url}/`)}&aid=${encodeURIComponent(aid)}`, { headers: { origin: url } })
        return ((await response.json()).messages ?? []).length > 0
      }, started),
    ])
    email.push(emailMs)
    inApp.push(inAppMs)
  }
  const stats = (samples) => {
    const done = samples.filter((ms) => ms !== null).sort((a, b) => a - b)
    return { samples: samples.length, missing: samples.length - done.length, p50Ms: percentile(done, 0.5), p99Ms: percentile(done, 0.99) }
  }
  return { email: stats(email), inApp: stats(inApp) }
}

export async function flowsSection({ root: repoRoot, preferredPort, log = console.log, plan = PLAN }) {
  const scratch = createScratch()
  const persistTo = join(scratch, 'd1')
  const tag = `${Date.now().toString(36)}-f`
  try {
    const root = snapshotWorkerTree(repoRoot, join(scratch, 'tree'))
    const port = await choosePort(preferredPort, log)
    await prepareLocalDb({ cwd: root, port, persistTo, quiet: true, demoRules: false })
    log(`flows (direct mode) on 127.0.0.1:${port} …`)
    const result = await withWorker({ root, port, persistTo, vars: {} }, async (worker) => {
      const { url } = worker
      const bare = await createSite(url, 'bench-0-flows')
      const flowing = await createSite(url, 'bench-30-flows')
      for (const flow of benchFlows()) {
        const { status, text } = await admin(url, 'POST', `/api/sites/${flowing.id}/flows`, flow)
        if (status !== 201) throw new Error(`POST flow answered ${status}: ${text.slice(0, 300)}`)
      }
      // Latency first, on an idle queue: the ingest runs below leave a backlog of enrollments behind them.
      const latencySite = await createSite(url, 'bench-latency')
      const trigger = { type: 'event', match: { type: 'track', event: 'Bench Trigger' } }
      await admin(url, 'POST', `/api/sites/${latencySite.id}/flows`, { name: 'bench email', enabled: true, trigger, steps: [{ type: 'email', subject: 'Hi', body: 'Hello {{lead.traits.name|there}}' }] })
      await admin(url, 'POST', `/api/sites/${latencySite.id}/flows`, { name: 'bench in-app', enabled: true, trigger, steps: [{ type: 'in_app', title: 'Hi' }] })
      const latency = await latencies(url, latencySite, tag)
      const arm = (name, site) => ({ name, size: plan.batchSize, requests: plan.batched, warmup: plan.warmup.batched, siteKey: site.key, siteId: site.id })
      const ingest = await alternatingRuns({ url, origin: url, arms: [arm('flows0', bare), arm('flows30', flowing)], plan, tag })
      const { json: listed } = await admin(url, 'GET', `/api/sites/${flowing.id}/flows`)
      const enrolled = listed.flows.reduce((n, f) => n + f.stats.enrolled, 0)

      const workerErrors = worker.output().split('\n').filter((line) => WORKER_ERROR.test(line))
      return { ingest, enrolled, latency, workerErrors: workerErrors.slice(0, 20), workerErrorLines: workerErrors.length }
    })
    const { flows0, flows30 } = result.ingest
    const summary = {
      flows: FLOW_COUNT,
      flows0,
      flows30,
      ratio: flows30.eventsPerSecond / flows0.eventsPerSecond,
      rowsPerEvent0: flows0.rowsPerEvent,
      rowsPerEvent30: flows30.rowsPerEvent,
      enrolled: result.enrolled,
      latency: result.latency,
      workerErrors: result.workerErrors,
      workerErrorLines: result.workerErrorLines,
    }
    printFlows(summary)
    return summary
  } finally {
    removeScratch(scratch)
  }
}

function printFlows(s) {
  printTable(
    '8. Flows',
    ['measure', 'value'],
    [
      ['Ingest events/s, 0 flows', int(s.flows0.eventsPerSecond)],
      [`Ingest events/s, ${s.flows} enabled flows`, `${int(s.flows30.eventsPerSecond)} (${fixed(s.ratio, 2)}×)`],
      ['D1 rows written per event, 0 / 30 flows', `${fixed(s.rowsPerEvent0, 2)} / ${fixed(s.rowsPerEvent30, 2)}`],
      ['Enrollments during the 30-flow run', int(s.enrolled)],
      ['Trigger → email row sent, p50 / p99 ms', `${fixed(s.latency.email.p50Ms)} / ${fixed(s.latency.email.p99Ms)} (${s.latency.email.missing} missing)`],
      ['Trigger → in-app in personalize, p50 / p99 ms', `${fixed(s.latency.inApp.p50Ms)} / ${fixed(s.latency.inApp.p99Ms)} (${s.latency.inApp.missing} missing)`],
      ['Worker error lines', int(s.workerErrorLines)],
    ],
  )
}

/** Budget rows for the run's summary table. */
export function flowsSummaryRows(s) {
  return [
    { metric: `Ingest events/s, ${s.flows} flows vs 0 (ratio)`, value: `${int(s.flows30.eventsPerSecond)} vs ${int(s.flows0.eventsPerSecond)} (${fixed(s.ratio, 2)}×)`, budget: '≥ 0.8×', pass: s.ratio >= 0.8 },
    { metric: `D1 rows written per event, ${s.flows} flows`, value: fixed(s.rowsPerEvent30, 2), budget: '≤ 3.5', pass: s.rowsPerEvent30 !== null && s.rowsPerEvent30 <= 3.5 },
    { metric: 'Trigger → email row p50 / p99 ms', value: `${fixed(s.latency.email.p50Ms)} / ${fixed(s.latency.email.p99Ms)}`, budget: '—', pass: s.latency.email.missing === 0 ? null : false },
    { metric: 'Trigger → in-app in next personalize p50 / p99 ms', value: `${fixed(s.latency.inApp.p50Ms)} / ${fixed(s.latency.inApp.p99Ms)}`, budget: '—', pass: s.latency.inApp.missing === 0 ? null : false },
  ]
}

// Section 5 end to end: a fresh local D1 with the seeded demo (Black Friday experience) plus four more
// experiences, `wrangler dev` in direct mode; personalize vs the no-op route under the same load, the
// variants cache-hit path, edge-mode TTFB vs the origin page, then LCP/CLS in Chromium; prints the tables.
import { join } from 'node:path'
import { prepareLocalDb } from '../scripts/local-db.mjs'
import { choosePort, createScratch, removeScratch, withWorker } from './ingest-section.mjs'
import { pageRuns, PAGES_PLAN } from './pages.mjs'
import { addExperiences, EDGE_PLAN, edgeRuns, EXTRA_EXPERIENCES, LATENCY_PLAN, latencyRuns } from './personalize.mjs'
import { WORKER_ERROR } from './scoring-section.mjs'
import { fixed, int, printTable } from './table.mjs'
import { snapshotWorkerTree } from './worker.mjs'

/** DESIGN.md "Performance budgets". */
export const BUDGETS = { latencyRatio: 1.3, edgeLcpRatio: 1.1, clsAdded: 0 }

/** Wrangler output lines that say a request or a queue job failed inside the Worker. */
const ERROR_LINE = new RegExp(`${WORKER_ERROR.source}|enqueue failed|batch failed`, 'i')
/** workerd writing to a connection its client already closed (seen as Chromium contexts close). */
const CLIENT_GONE = /disconnected: ::write\(fd, buffer\.begin\(\), buffer\.size\(\)\): Broken pipe|Connection reset by peer/

export async function personalizeSection({ root: repoRoot, preferredPort, log = console.log, latencyPlan = LATENCY_PLAN, edgePlan = EDGE_PLAN, pagesPlan = PAGES_PLAN }) {
  const scratch = createScratch()
  const persistTo = join(scratch, 'd1')
  const tag = `${Date.now().toString(36)}-p`
  try {
    const root = snapshotWorkerTree(repoRoot, join(scratch, 'tree'))
    const port = await choosePort(preferredPort, log)
    // The seeded demo: site pk_demo (origin = this worker), the Black Friday experience, ads and rules.
    await prepareLocalDb({ cwd: root, port, persistTo, quiet: true })
    log(`personalization on 127.0.0.1:${port} …`)
    const result = await withWorker({ root, port, persistTo, vars: {} }, async (worker) => {
      const { url } = worker
      // wrangler's error lines, attributed to the step that was running when they appeared.
      const errorLines = () =>
        worker
          .output()
          .split('\n')
          .filter((line) => ERROR_LINE.test(line))
      let counted = 0
      const workerErrors = []
      const step = async (name, run) => {
        const value = await run()
        const lines = errorLines()
        for (const line of lines.slice(counted)) {
          const plain = line.replace(/\x1b\[[0-9;]*m/g, '').trim()
          workerErrors.push({ step: name, line: plain, clientDisconnect: CLIENT_GONE.test(plain) })
        }
        counted = lines.length
        return value
      }
      const added = await step('setup', () => addExperiences(url))
      const latency = await step('latency', () => latencyRuns({ url, origin: url, plan: latencyPlan, tag }))
      const edge = await step('edge', () => edgeRuns({ url, plan: edgePlan }))
      const pages = await step('chromium', () => pageRuns({ root: repoRoot, base: url, plan: pagesPlan }))
      return { added, latency, edge, pages, workerErrors }
    })
    const summary = summarize(result, latencyPlan)
    printPersonalize(summary)
    return summary
  } finally {
    removeScratch(scratch)
  }
}

function summarize({ added, latency, edge, pages, workerErrors }, plan) {
  const { ping, personalize, personalizeSeen, variants } = latency.arms
  const problems = []
  for (const arm of Object.values(latency.arms)) {
    if (arm.non200 > 0 || arm.stoppedByTimeLimit) {
      problems.push(`${arm.label}: ${arm.requests}/${arm.requestsPlanned} requests, statuses ${JSON.stringify(arm.statuses)}${arm.firstError ? `, first error: ${arm.firstError}` : ''}`)
    }
  }
  if (variants.cache && variants.cache.hit !== variants.requests) problems.push(`variants: ${variants.cache.hit} of ${variants.requests} answered Cairn-Cache: hit (${variants.cache.miss} miss)`)
  if (!latency.exposures.complete) problems.push(`exposures: D1 holds ${latency.exposures.rows} rows, the answers decided ${latency.exposures.expectedRows} distinct (visitor, experience) first exposures`)
  for (const [name, run] of [['edge', edge.edge], ['origin', edge.origin]]) {
    if (run.non200 > 0) problems.push(`${name} page: ${run.non200} of ${run.requests} not 200${run.firstError ? `, first error: ${run.firstError}` : ''}`)
  }
  // A bench that times 404s or error pages measures nothing: every answer must be the page it asked for.
  if (edge.edge.personalized + edge.edge.control !== edge.edge.requests) problems.push(`edge page: ${edge.edge.requests - edge.edge.personalized - edge.edge.control} of ${edge.edge.requests} responses neither the Black Friday headline nor the control group`)
  if (edge.origin.withSlots !== edge.origin.requests) problems.push(`origin page: ${edge.origin.requests - edge.origin.withSlots} of ${edge.origin.requests} responses without the demo's headline slot`)
  if (edge.edge.withMarker !== edge.edge.requests) problems.push(`edge page: ${edge.edge.requests - edge.edge.withMarker} responses without <html data-cairn-edge>`)
  if (edge.edge.withCookie !== edge.edge.requests) problems.push(`edge page: ${edge.edge.requests - edge.edge.withCookie} responses without the cairn_aid cookie`)
  for (const c of Object.values(pages.cases)) {
    if (c.non200 > 0 || c.notReady > 0 || c.lcpMeasured < c.loads) problems.push(`Chromium ${c.name}: ${c.non200} non-200, ${c.notReady} without ready, LCP measured in ${c.lcpMeasured}/${c.loads}`)
    if (c.errors.length > 0) problems.push(`Chromium ${c.name}: page errors: ${c.errors.join(' | ')}`)
  }
  if (pages.cases.edge.personalizeRequests > 0) problems.push(`edge mode: the SDK asked /v1/personalize ${pages.cases.edge.personalizeRequests} time(s)`)
  if (pages.cases.plainGpc.personalizeRequests > 0) problems.push(`GPC visitor: the SDK asked /v1/personalize ${pages.cases.plainGpc.personalizeRequests} time(s)`)
  const workerFailures = workerErrors.filter((e) => !e.clientDisconnect)
  if (workerFailures.length > 0) problems.push(`wrangler output has ${workerFailures.length} error line(s), first (during ${workerFailures[0].step}): ${workerFailures[0].line.slice(0, 300)}`)

  const ratio = (a, b) => a / b
  return {
    plan: { latency: plan, experiences: { seeded: ['exp_demo_blackfriday'], added: added.length, names: EXTRA_EXPERIENCES.map((e) => e.name) } },
    latency: {
      ...latency,
      sdkSendsSeen: false,
      ratios: {
        personalizeP50: ratio(personalize.p50Ms, ping.p50Ms),
        personalizeP99: ratio(personalize.p99Ms, ping.p99Ms),
        personalizeSeenP50: ratio(personalizeSeen.p50Ms, ping.p50Ms),
        personalizeSeenP99: ratio(personalizeSeen.p99Ms, ping.p99Ms),
        variantsP50: ratio(variants.p50Ms, ping.p50Ms),
        variantsP99: ratio(variants.p99Ms, ping.p99Ms),
      },
    },
    edge,
    pages,
    workerErrors: workerErrors.slice(0, 20),
    clientDisconnects: workerErrors.filter((e) => e.clientDisconnect).length,
    problems,
  }
}

const ms = (n) => fixed(n, 2)
const times = (n, digits = 2) => `${fixed(n, digits)}×`

function printPersonalize(s) {
  const { arms, ratios, mix, exposures } = s.latency
  const plan = s.plan.latency
  const row = (arm, p50Ratio, p99Ratio) => [arm.label, int(arm.requests), fixed(arm.requestsPerSecond, 0), ms(arm.p50Ms), ms(arm.p99Ms), p50Ratio, p99Ratio, arm.non200, int(arm.withDecision), int(arm.exposureEnqueues)]
  printTable(
    `5. Personalization: decision latency on local wrangler dev, ${plan.concurrency} requests in flight, ${plan.rounds} alternating rounds, the same ${int(mix.visitors)} visitor journeys × ${mix.pagesPerVisitor} page views per arm`,
    ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'p50 / ping', 'p99 / ping', 'non-200', 'decided ≥1 exp', 'exposure jobs'],
    [
      row(arms.ping, '1.00×', '1.00×'),
      row(arms.personalize, times(ratios.personalizeP50), times(ratios.personalizeP99)),
      row(arms.personalizeSeen, times(ratios.personalizeSeenP50), times(ratios.personalizeSeenP99)),
      row(arms.variants, times(ratios.variantsP50), times(ratios.variantsP99)),
    ],
  )
  console.log(`   budget: personalize ≤ ${BUDGETS.latencyRatio}× the no-op route at p50 and at p99, judged on what the SDK sends today: it sends no seen= (sdk/src/decision.ts),`)
  console.log('   the Worker remembers per isolate which exposures it queued, so a repeat page view of the same variant sends no JOBS message either way')
  console.log(`   traffic: ${mix.adVisitors} visitors land from the Black Friday ad on /, ${mix.emailVisitors} on /pricing from a spring-sale email, ${mix.otherVisitors} elsewhere (organic, brand ad,`)
  console.log(`   help from Google, direct); then they browse (15% back to the landing URL); ${mix.mobileVisitors} on a phone. ${s.plan.experiences.added + 1} active experiences (the seeded one + ${s.plan.experiences.added} added),`)
  console.log('   none on stage/score, none edited: no per-visitor D1 read. Ping gets the same query string and headers (Origin, User-Agent) as personalize')
  console.log(`   exposure jobs: answers that hand the isolate an exposure to queue: those with an experience variant not yet queued for the visitor (nor in seen=); an isolate sends those of 100 ms as one JOBS message`)
  console.log(`   variants: no aid or ref; its ${mix.distinctUrls} page URLs × desktop/phone asked right before each variants round (entries live 60 s);`)
  console.log(`   Cairn-Cache ${arms.variants.cache.hit} hit / ${arms.variants.cache.miss} miss in the measured requests (the Cache API here is wrangler's local simulation)`)
  console.log(`   exposures: D1 holds ${int(exposures.rows)} rows for ${int(exposures.expectedRows)} distinct (visitor, experience) decisions${exposures.complete ? ' (exact)' : ' (MISMATCH)'}; between arm-rounds the bench waits for the`)
  console.log(`   queue consumer (it shares workerd with the routes), at most ${fixed(exposures.maxCatchUpSeconds, 1)} s, + ${fixed(plan.settleQuietMs / 1000, 1)} s; round p50s ms: ${Object.values(arms).map((a) => `${a.name} ${a.roundP50Ms.map((v) => fixed(v, 2)).join('/')}`).join(', ')}`)

  const { edge, origin, ratios: er } = s.edge
  const streamRow = (label, r, ttfbRatio, totalRatio) => [label, int(r.requests), ms(r.head.p50), ms(r.firstByte.p50), ms(r.firstByte.p99), ms(r.total.p50), ms(r.total.p99), ttfbRatio, totalRatio, int(r.bytes)]
  printTable(
    `   Edge mode vs the origin page: one request at a time, alternating, ${s.edge.plan.requests} each after ${s.edge.plan.warmup} warm-up`,
    ['GET', 'requests', 'head p50 ms', 'TTFB p50 ms', 'TTFB p99 ms', 'total p50 ms', 'total p99 ms', 'TTFB p50 / p99 ratio', 'total p50 / p99 ratio', 'bytes'],
    [
      streamRow(s.edge.targets.origin, origin, '', ''),
      streamRow(s.edge.targets.edge, edge, `${times(er.firstByteP50)} / ${times(er.firstByteP99)}`, `${times(er.totalP50)} / ${times(er.totalP99)}`),
    ],
  )
  console.log('   TTFB = first body chunk (fetch stream). The origin is the demo site on this same Worker: its static-asset path does one D1 lookup')
  console.log('   (site by hostname) per request; edge mode does that, the site-by-key lookup, the decision (cached config) and HTMLRewriter streaming')
  console.log(`   every edge request is a new visitor (no cookie): Black Friday headline in ${edge.personalized}/${edge.requests}, control ${edge.control}, cairn_aid cookie set in ${edge.withCookie}`)

  const { cases, ratios: pr, clsAdded } = s.pages
  const { plain } = cases
  const caseRow = (c) => [
    c.label,
    c.path,
    c.loads,
    fixed(c.ttfbMedianMs, 1),
    fixed(c.fcpMedianMs, 1),
    fixed(c.lcpMedianMs, 1),
    fixed(c.lcpP75Ms, 1),
    times(c.lcpMedianMs / plain.lcpMedianMs),
    times(c.lcpP75Ms / plain.lcpP75Ms),
    fixed(c.clsMax, 4),
    fixed(c.clsMean, 4),
    `${c.personalizedHeadlines}/${c.loads}`,
    Object.entries(c.lcpElements)
      .sort((a, b) => b[1] - a[1])
      .map(([el, n]) => `${el}×${n}`)
      .join(' '),
  ]
  printTable(
    `   Chromium ${s.pages.browser} (headless, 1280×800, a new visitor per load, cases interleaved): LCP and CLS`,
    ['case', 'path', 'loads', 'TTFB p50', 'FCP p50', 'LCP p50 ms', 'LCP p75 ms', 'p50 / plain', 'p75 / plain', 'CLS max', 'CLS mean', 'BF headline', 'LCP element'],
    [caseRow(cases.plain), caseRow(cases.client), caseRow(cases.edge), caseRow(cases.edgeNone), caseRow(cases.plainGpc)],
  )
  console.log(`   budgets: CLS added by personalization = ${BUDGETS.clsAdded} (worst personalized load vs worst baseline load: client ${fixed(clsAdded.client, 4)}, edge ${fixed(clsAdded.edge, 4)});`)
  const ci = (x) => `${fixed(x.low, 2)}–${fixed(x.high, 2)}×`
  console.log(`   edge LCP ≤ ${BUDGETS.edgeLcpRatio}× the unpersonalized page at p75 (the web-vitals percentile the dashboard reports): ${times(pr.edgeLcpP75)}; at p50 ${times(pr.edgeLcpMedian)}`)
  console.log(`   with ${cases.edge.loads} loads per case the p75 ratios are uncertain: bootstrap 90% interval edge ${ci(s.pages.intervals.edgeLcpP75)}, client ${ci(s.pages.intervals.clientLcpP75)}`)
  console.log('   baseline "plain": the same page served directly with the same SDK where no experience matches (it still asks and holds the slots')
  console.log(`   until the empty answer); edge p75 vs the GPC page (no request, no hold) ${times(pr.edgeLcpP75VsGpc)}, vs edge with nothing matching ${times(pr.edgeLcpP75VsEdgeNone)}`)
  console.log('   LCP = last largest-contentful-paint entry (no input happens), CLS = sum of layout shifts without recent input, by PerformanceObserver;')
  console.log('   BF headline = loads whose h1 headline starts with "Black Friday" (the experience holds out 10% as control: those see the default)')
  if (s.clientDisconnects > 0) {
    const steps = [...new Set(s.workerErrors.filter((e) => e.clientDisconnect).map((e) => e.step))].join(', ')
    console.log(`   wrangler logged ${s.clientDisconnects} "Broken pipe" write(s) to a client that had closed its connection (during: ${steps}); not counted as Worker errors`)
  }
  if (s.problems.length === 0) console.log('   every response as expected, exposures exact, no page error, no Worker error in wrangler output')
  for (const problem of s.problems) console.log(`   PROBLEM ${problem}`)
}

/** Summary rows (metric, value, budget, pass) for run.mjs. */
export function personalizeSummaryRows(s) {
  const rows = []
  const check = (metric, value, budget, pass) => rows.push({ metric, value, budget, pass })
  const { arms, ratios } = s.latency
  const lat = (arm, ratio, key) => `${fixed(arm[key], 2)} vs ${fixed(arms.ping[key], 2)} ms (${fixed(ratio, 2)}×)`
  check('Personalize p50 / no-op p50 (SDK today, no seen)', lat(arms.personalize, ratios.personalizeP50, 'p50Ms'), `≤ ${BUDGETS.latencyRatio}×`, ratios.personalizeP50 <= BUDGETS.latencyRatio)
  check('Personalize p99 / no-op p99 (SDK today, no seen)', lat(arms.personalize, ratios.personalizeP99, 'p99Ms'), `≤ ${BUDGETS.latencyRatio}×`, ratios.personalizeP99 <= BUDGETS.latencyRatio)
  check('  with seen= (not sent by the SDK): p50 / p99', `${fixed(ratios.personalizeSeenP50, 2)}× / ${fixed(ratios.personalizeSeenP99, 2)}×`, '—', null)
  check('  variants, edge cache hit: p50 / p99', `${fixed(ratios.variantsP50, 2)}× / ${fixed(ratios.variantsP99, 2)}×`, '—', null)
  const { edge, origin, ratios: er } = s.edge
  check('Edge mode TTFB p50 / p99 vs origin page', `${fixed(edge.firstByte.p50, 2)} / ${fixed(edge.firstByte.p99, 2)} ms (${fixed(er.firstByteP50, 2)}× / ${fixed(er.firstByteP99, 2)}×)`, '—', null)
  const { cases, ratios: pr, clsAdded } = s.pages
  check('CLS added by personalization, client mode', `${fixed(clsAdded.client, 4)} (max ${fixed(cases.client.clsMax, 4)} vs ${fixed(cases.plain.clsMax, 4)})`, '= 0', clsAdded.client <= BUDGETS.clsAdded)
  check('CLS added by personalization, edge mode', `${fixed(clsAdded.edge, 4)} (max ${fixed(cases.edge.clsMax, 4)} vs ${fixed(cases.plain.clsMax, 4)})`, '= 0', clsAdded.edge <= BUDGETS.clsAdded)
  const interval = s.pages.intervals.edgeLcpP75
  check(
    'Edge-mode LCP p75 / unpersonalized page',
    `${fixed(cases.edge.lcpP75Ms, 0)} vs ${fixed(cases.plain.lcpP75Ms, 0)} ms (${fixed(pr.edgeLcpP75, 2)}×; 90% ${fixed(interval.low, 2)}–${fixed(interval.high, 2)}×)`,
    `≤ ${BUDGETS.edgeLcpRatio}×`,
    pr.edgeLcpP75 <= BUDGETS.edgeLcpRatio,
  )
  check('  client-mode LCP p75 / unpersonalized page', `${fixed(cases.client.lcpP75Ms, 0)} ms (${fixed(pr.clientLcpP75, 2)}×)`, '—', null)
  check('Personalization: responses, exposures, pages as expected', s.problems.length === 0 ? 'yes' : `${s.problems.length} problem(s)`, 'yes', s.problems.length === 0)
  return rows
}

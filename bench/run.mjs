// `npm run bench`: measures Cairn against DESIGN.md's performance budgets in one run and writes
// bench/results.json. Flags: --no-peers (skip the npm install of peers), --no-ingest, --no-scoring,
// --no-personalize, --no-edge, --no-metrics, --no-flows, --only SECTION (size, ingest, scoring, personalize, edge,
// metrics or flows), --port N (8799).
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from '../scripts/build.mjs'
import { ingestSection, removeScratchNow } from './ingest-section.mjs'
import { edgeSection, edgeSummaryRows } from './edge-section.mjs'
import { flowsSection, flowsSummaryRows } from './flows-section.mjs'
import { personalizeSection, personalizeSummaryRows } from './personalize-section.mjs'
import { scoringSection } from './scoring-section.mjs'
import { sdkSizeSection } from './sdk-size.mjs'
import { fixed, int, printTable } from './table.mjs'
import { killAllWorkersNow, stopAllWorkers } from './worker.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const root = join(benchDir, '..')
/** Hard stop for the whole run: a hung server or registry must not keep the bench (or a CI box) busy; the metrics seed and first roll-up alone take 10–15 min on a loaded 2-core box. */
const WATCHDOG_MS = 30 * 60_000
const SDK_BROTLI_BUDGET = 4096

const SECTIONS = ['size', 'ingest', 'scoring', 'personalize', 'edge', 'metrics', 'flows']

function parseArgs(argv) {
  const known = new Set(['--no-peers', '--no-ingest', '--no-scoring', '--no-personalize', '--no-edge', '--no-metrics', '--no-flows', '--only', '--port'])
  const valued = new Set(['--port', '--only'])
  const unknown = argv.filter((arg, i) => arg.startsWith('--') && !known.has(arg) && !valued.has(argv[i - 1]))
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (known: ${[...known].join(' ')})`)
  const portIndex = argv.indexOf('--port')
  const port = portIndex >= 0 ? Number(argv[portIndex + 1]) : 8799
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port needs a port number, got ${argv[portIndex + 1]}`)
  const onlyIndex = argv.indexOf('--only')
  const only = onlyIndex >= 0 ? argv[onlyIndex + 1] : null
  if (onlyIndex >= 0 && !SECTIONS.includes(only)) throw new Error(`--only needs one of ${SECTIONS.join(', ')}, got ${only}`)
  const on = (section) => (only ? only === section : !argv.includes(`--no-${section}`))
  return {
    size: only ? only === 'size' : true,
    peers: !argv.includes('--no-peers'),
    ingest: on('ingest'),
    scoring: on('scoring'),
    personalize: on('personalize'),
    edge: on('edge'),
    metrics: on('metrics'),
    flows: on('flows'),
    only,
    port,
  }
}

/** Where the numbers came from: they only compare within one machine. */
function machine() {
  return {
    cpu: cpus()[0]?.model?.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  }
}

/** Wrangler runs in its own process group: end it on Ctrl-C, kill, a crash or the watchdog. */
function installCleanup() {
  const cleanUp = () => {
    killAllWorkersNow()
    removeScratchNow()
  }
  process.on('exit', cleanUp)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping wrangler`)
      cleanUp()
      process.exit(130)
    })
  }
  setTimeout(() => {
    console.error(`\nbench: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`)
    cleanUp()
    process.exit(2)
  }, WATCHDOG_MS).unref()
}

/** Budget rows: metric, value, budget, pass/fail (n/a rows are informational). */
function summaryRows(size, ingest, scoring, personalize, edge, flows) {
  const rows = []
  const check = (metric, value, budget, pass) => rows.push({ metric, value, budget, pass })
  if (size) {
    check('SDK core brotli-11 bytes', int(size.cairn.brotli), `≤ ${int(SDK_BROTLI_BUDGET)}`, size.cairn.brotli <= SDK_BROTLI_BUDGET)
    for (const peer of size.peers) check(`  ${peer.name} ${peer.version} / Cairn (brotli)`, `${fixed(peer.ratio)}×`, '—', null)
  }
  if (ingest) {
    const [batched, single, queue] = ingest.runs
    check('Ingest events/s, 20-event batches (direct)', int(batched.eventsPerSecond), '—', null)
    check('Ingest events/s, one event per request (direct)', int(single.eventsPerSecond), '—', null)
    check('Ingest batched / single events/s', `${fixed(ingest.batchedOverSingle)}×`, '≥ 10×', ingest.batchedOverSingle >= 10)
    check('D1 rows written per event (direct, batched)', fixed(ingest.rowsPerEvent, 2), '≤ 3', ingest.rowsPerEvent !== null && ingest.rowsPerEvent <= 3)
    check('Ingest events/s, 20-event batches (queue mode)', int(queue.eventsPerSecond), '—', null)
    check('D1 rows written per event (queue mode)', 'n/a', '—', null)
    check('All 202, accepted = sent', ingest.mismatches.length === 0 ? 'yes' : `${ingest.mismatches.length} run(s) off`, 'yes', ingest.mismatches.length === 0)
    check('D1 read-back: events and lead counters = accepted', ingest.storedProblems === 0 ? 'yes' : `${ingest.storedProblems} run(s) off`, 'yes', ingest.storedProblems === 0)
    check('Queue mode: accepted events reach D1', ingest.queueDrain.complete ? `yes, ≤ ${fixed(ingest.queueDrain.seconds, 1)} s after last 202` : 'no', 'yes', ingest.queueDrain.complete)
  }
  if (scoring) {
    const { rules0, rules50, ratio, rowsPerEvent50 } = scoring.ingest
    const { sync, queued } = scoring.rescore
    check('Ingest events/s, 50 rules vs 0 rules (ratio)', `${int(rules50.eventsPerSecond)} vs ${int(rules0.eventsPerSecond)} (${fixed(ratio, 2)}×)`, '—', null)
    check('D1 rows written per event, 50 rules', fixed(rowsPerEvent50, 2), '—', null)
    check('Re-scoring leads/s (sync, ≤200 leads)', `${int(sync.leadsPerSecond)} (${int(sync.leads)} leads in ${fixed(sync.addSeconds, 2)} s)`, '—', null)
    check(
      'Re-scoring leads/s (queued pages)',
      queued.add.complete ? `${int(queued.leadsPerSecond)} (${int(queued.leads)} leads in ${fixed(queued.add.seconds, 1)} s)` : `incomplete after ${fixed(queued.add.seconds, 0)} s`,
      '—',
      null,
    )
    check('Scoring: all responses and re-score checks as expected', scoring.problems.length === 0 ? 'yes' : `${scoring.problems.length} problem(s)`, 'yes', scoring.problems.length === 0)
  }
  if (personalize) rows.push(...personalizeSummaryRows(personalize))
  if (edge) rows.push(...edgeSummaryRows(edge))
  if (flows) rows.push(...flowsSummaryRows(flows))
  return rows
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  installCleanup()
  const startedAt = new Date()
  const info = machine()
  console.log(`Cairn bench ${startedAt.toISOString()} · ${info.cpu} · ${info.cores} cores · ${info.memoryGiB} GiB · Node ${info.node}`)

  // One build for both sections: the measured SDK and the Worker's assets come from the current tree.
  await build({ quiet: true })

  const size = options.size ? await sdkSizeSection({ root, benchDir, peers: options.peers }) : null
  const ingest = options.ingest ? await ingestSection({ root, preferredPort: options.port }) : null
  if (!ingest) console.log(`\n2. Ingest: skipped (${options.only ? `--only ${options.only}` : '--no-ingest'})`)
  const scoring = options.scoring ? await scoringSection({ root, preferredPort: options.port }) : null
  if (!scoring) console.log(`\n4. Scoring: skipped (${options.only ? `--only ${options.only}` : '--no-scoring'})`)
  const personalize = options.personalize ? await personalizeSection({ root, preferredPort: options.port }) : null
  if (!personalize) console.log(`\n5. Personalization: skipped (${options.only ? `--only ${options.only}` : '--no-personalize'})`)
  const edge = options.edge ? await edgeSection({ root, benchDir }) : null
  if (!edge) console.log(`\n6. Edge: skipped (${options.only ? `--only ${options.only}` : '--no-edge'})`)
  const metrics = options.metrics ? await (await import('./metrics-section.mjs')).metricsSection({ root, preferredPort: options.port }) : null
  if (!metrics) console.log(`\n7. Metrics: skipped (${options.only ? `--only ${options.only}` : '--no-metrics'})`)
  const flows = options.flows ? await flowsSection({ root, preferredPort: options.port }) : null
  if (!flows) console.log(`\n8. Flows: skipped (${options.only ? `--only ${options.only}` : '--no-flows'})`)

  const summary = summaryRows(size, ingest, scoring, personalize, edge, flows)
  printTable(
    '3. Summary',
    ['metric', 'value', 'budget', 'result'],
    summary.map((r) => [r.metric, r.value, r.budget, r.pass === null ? '' : r.pass ? 'pass' : 'FAIL']),
  )
  const seconds = (Date.now() - startedAt.getTime()) / 1000
  console.log(`\nbench finished in ${fixed(seconds, 0)} s`)

  const results = { timestamp: startedAt.toISOString(), durationSeconds: Math.round(seconds), machine: info, options, sdkSize: size, ingest, scoring, personalize, edge, metrics, flows, summary }
  // A single section (--only) gets its own file: the full run's results.json stays whole.
  const file = options.only ? `results-${options.only}.json` : 'results.json'
  writeFileSync(join(benchDir, file), `${JSON.stringify(results, null, 2)}\n`)
  console.log(`wrote bench/${file}`)
  return summary.some((r) => r.pass === false) ? 1 : 0
}

main()
  .then(async (code) => {
    await stopAllWorkers()
    process.exit(code)
  })
  .catch(async (error) => {
    console.error(`\nbench failed: ${error.stack ?? error.message}`)
    await stopAllWorkers()
    process.exit(1)
  })

// Section 2 end to end: a fresh local D1, `wrangler dev` in direct mode (batched vs single runs), then in
// queue mode (batched run), each worker stopped before the next starts; prints the table.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { prepareLocalDb } from '../scripts/local-db.mjs'
import { ingestRuns, PLAN } from './ingest.mjs'
import { fixed, int, printTable } from './table.mjs'
import { freePort, isPortFree, removeSnapshot, snapshotWorkerTree, startWorker } from './worker.mjs'

/** Queue mode writes D1 after the 202: give the consumer this long to catch up before calling it lost. */
const QUEUE_DRAIN_LIMIT_MS = 30_000

/** Scratch folders in use, so a Ctrl-C (which skips `finally`) can still remove them. */
const scratchDirs = new Set()

export function removeScratch(dir) {
  removeSnapshot(join(dir, 'tree'))
  rmSync(dir, { recursive: true, force: true })
  scratchDirs.delete(dir)
}

/** A scratch folder under the OS temp dir, removed by removeScratch (or removeScratchNow on a signal). */
export function createScratch() {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'))
  scratchDirs.add(dir)
  return dir
}

/** Synchronous cleanup for signal handlers, after the workers are killed. */
export function removeScratchNow() {
  for (const dir of scratchDirs) removeScratch(dir)
}

/** How long a just-stopped wrangler may take to release its port. */
const PORT_RELEASE_MS = 5_000

/** The preferred port, or a free one when another process holds it (the demo origin follows the port). */
export async function choosePort(preferred, log) {
  const until = Date.now() + PORT_RELEASE_MS
  while (Date.now() < until) {
    if (await isPortFree(preferred)) return preferred
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const port = await freePort()
  log(`port ${preferred} is in use by another process; using ${port}`)
  return port
}

/** Runs `runs` against a worker started with `vars`, always stopping it. */
export async function withWorker({ root, port, persistTo, vars }, runs) {
  const worker = await startWorker({ root, port, persistTo, vars })
  try {
    return await runs(worker)
  } finally {
    await worker.stop()
  }
}

export async function ingestSection({ root: repoRoot, preferredPort, log = console.log, plan = PLAN }) {
  const scratch = createScratch()
  const persistTo = join(scratch, 'd1')
  const tag = Date.now().toString(36)
  try {
    // Everything below runs in a copy of the tree as built at bench start (see snapshotWorkerTree).
    const root = snapshotWorkerTree(repoRoot, join(scratch, 'tree'))
    let port = await choosePort(preferredPort, log)
    await prepareLocalDb({ cwd: root, port, persistTo, quiet: true })

    log(`ingest (direct mode) on 127.0.0.1:${port} …`)
    const direct = await withWorker({ root, port, persistTo, vars: {} }, (worker) =>
      ingestRuns({ url: worker.url, origin: worker.url, modes: ['batched', 'single'], plan, tag: `${tag}-d` }),
    )

    const next = await choosePort(port, log)
    if (next !== port) await prepareLocalDb({ cwd: root, port: next, persistTo, quiet: true })
    port = next
    log(`ingest (queue mode) on 127.0.0.1:${port} …`)
    const queue = await withWorker({ root, port, persistTo, vars: { INGEST_MODE: 'queue' } }, (worker) =>
      ingestRuns({ url: worker.url, origin: worker.url, modes: ['batched'], plan, tag: `${tag}-q`, storedWaitMs: QUEUE_DRAIN_LIMIT_MS }),
    )

    const result = summarize(direct, queue, plan)
    printIngest(result)
    return result
  } finally {
    removeScratch(scratch)
  }
}

/** The section's derived numbers: ratio, rows per event, accepted-vs-sent check. */
function summarize(direct, queue, plan) {
  const runs = [
    { mode: 'direct', ...direct.batched },
    { mode: 'direct', ...direct.single },
    { mode: 'queue', ...queue.batched },
  ]
  const mismatches = runs
    .filter((r) => r.non202 > 0 || r.eventsAccepted !== r.eventsSent || r.stoppedByTimeLimit)
    .map((r) => ({
      run: `${r.mode} ${r.eventsPerRequest}/req`,
      sent: r.eventsSent,
      accepted: r.eventsAccepted,
      statuses: r.statuses,
      stoppedByTimeLimit: r.stoppedByTimeLimit,
      firstError: r.firstError,
    }))
  const storedProblems = runs.filter((r) => !r.stored.complete || !r.stored.counterMatches).length
  return {
    plan,
    runs,
    storedProblems,
    batchedOverSingle: direct.batched.eventsPerSecond / direct.single.eventsPerSecond,
    rowsPerEvent: direct.batched.rowsPerEvent,
    rowsPerEventSingle: direct.single.rowsPerEvent,
    queueBatchedEventsPerSecond: queue.batched.eventsPerSecond,
    queueDrain: queue.batched.stored,
    mismatches,
  }
}

/** "in D1" cell: direct mode wrote before the 202; queue mode shows the bound on the consumer's lag. */
function storedCell(run) {
  const { stored } = run
  if (stored.error) return 'read-back failed'
  const counter = stored.counterMatches ? '' : `, lead counters ${int(stored.leadEventCounter)}`
  if (!stored.complete) return `NO ${int(stored.rows)}/${int(stored.expected)}${counter}`
  return `${run.mode === 'queue' ? `yes, ≤ ${fixed(stored.seconds, 1)} s later` : 'yes'}${counter}`
}

function printIngest(result) {
  const rows = result.runs.map((r) => [
    r.mode,
    r.eventsPerRequest,
    int(r.requests),
    int(r.eventsAccepted),
    fixed(r.seconds, 2),
    int(r.eventsPerSecond),
    int(r.requestsPerSecond),
    fixed(r.p50Ms),
    fixed(r.p99Ms),
    r.non202,
    r.mode === 'queue' ? 'n/a' : fixed(r.rowsPerEvent, 2),
    storedCell(r),
  ])
  printTable(
    `2. Ingest: POST /v1/events on local wrangler dev, ${result.plan.concurrency} requests in flight, ${result.plan.visitors} visitors per run (after warm-up)`,
    ['mode', 'events/req', 'requests', 'accepted', 'seconds', 'events/s', 'req/s', 'p50 ms', 'p99 ms', 'non-202', 'D1 rows/event', 'in D1'],
    rows,
  )
  console.log('   wrangler dev runs a copy of the tree with --log-level warn: its per-request log line is dev-server CPU that production does not spend')
  console.log(`   batched / single events/s: ${fixed(result.batchedOverSingle)}× (budget ≥ 10×)`)
  console.log(`   D1 rows written per event, direct batched: ${fixed(result.rowsPerEvent, 2)} (budget ≤ 3); one event per request: ${fixed(result.rowsPerEventSingle, 2)}`)
  console.log('   in D1: the run\'s visitors have exactly the accepted events stored (admin API read-back); queue mode answers 202 once the queue holds them')
  for (const run of result.runs) {
    const { stored } = run
    if (stored.error) console.log(`   ${run.mode} ${run.eventsPerRequest}/req read-back failed: ${stored.error}`)
    else if (!stored.counterMatches) {
      console.log(`   ${run.mode} ${run.eventsPerRequest}/req: leads' eventCount sums to ${int(stored.leadEventCounter)} for ${int(stored.rows)} stored events (lost counter updates)`)
    }
  }
  if (result.mismatches.length === 0) console.log('   every response 202, accepted = sent in every run')
  for (const m of result.mismatches) console.log(`   MISMATCH ${m.run}: sent ${m.sent}, accepted ${m.accepted}, statuses ${JSON.stringify(m.statuses)}${m.stoppedByTimeLimit ? ', stopped by time limit' : ''}${m.firstError ? `, first error: ${m.firstError}` : ''}`)
}

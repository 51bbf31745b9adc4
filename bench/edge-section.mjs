// Section 6: Cairn's edge mode beside a bare pass-through proxy Worker, a body pipe (the proxy with the body
// streamed through unchanged: the least any Worker that touches a page's bytes pays), a bare rewriter (the
// proxy plus the same HTMLRewriter fill, nothing else: the platform's floor for this fill) and GrowthBook's edge app
// (@growthbook/edge-cloudflare from npm, its payload served by the local origin), all four on the same
// wrangler/workerd in front of the same origin process; small, large and slowly streamed pages, a URL an
// experiment matches and one none does, 1 and 8 requests in flight, arms interleaved round by round.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { prepareLocalDb } from '../scripts/local-db.mjs'
import { createScratch, removeScratch } from './ingest-section.mjs'
import { SLOW, VARIANT_HEADLINE } from './edge/origin.mjs'
import { groupCpuSeconds, newAgent, runRequests, stats, timedGet } from './edge/measure.mjs'
import { moveDir, npmInstall } from './sdk-size.mjs'
import { pairedMedian, verdictOf } from './paired.mjs'
import { fixed, int, printTable } from './table.mjs'
import { freePort, snapshotWorkerTree, startWorker } from './worker.mjs'

/**
 * Host name the edge requests carry (the connection always goes to 127.0.0.1). Edge mode answers on
 * localhost / *.localhost once admin and edge are split by host; change it here if that moves.
 */
export const EDGE_HOST = 'localhost'
/** Host name of admin API calls (site and experience setup). */
export const ADMIN_HOST = '127.0.0.1'
const ADMIN_HEADERS = { authorization: 'Bearer dev-admin-token', 'content-type': 'application/json' }
const GROWTHBOOK_PKG = '@growthbook/edge-cloudflare'

/**
 * Per cell: `perRound` requests per arm in a round (one request at a time, or one wave of 8 in flight) and
 * `rounds` rounds, the arms back to back in a rotating order within each. Rounds are short so that a
 * comparison pairs requests the same moment's load saw: the verdicts below compare arms round by round,
 * which only works when the load cannot drift much within one. Cells take their rounds in turn.
 */
export const EDGE_PLAN = {
  warmup: 6,
  cells: {
    1: { small: { perRound: 1, rounds: 192 }, large: { perRound: 1, rounds: 96 }, slow: { perRound: 1, rounds: 96 } },
    8: { small: { perRound: 8, rounds: 128 }, large: { perRound: 8, rounds: 48 }, slow: { perRound: 8, rounds: 64 } },
  },
}
const PAGES = ['small', 'large', 'slow']
const URL_KINDS = { match: '?utm_campaign=edge-bench&utm_term=crm', none: '?utm_source=newsletter' }
const ARMS = ['proxy', 'pipe', 'rewriter', 'growthbook', 'cairn']
const ARM_LABEL = { proxy: 'bare proxy', pipe: 'body pipe', rewriter: 'bare rewriter', growthbook: 'GrowthBook', cairn: 'Cairn edge' }
/** Arms that never change a page's content: the variant headline must be absent from their answers. */
const UNCHANGED = new Set(['proxy', 'pipe'])

/** GrowthBook's edge app, installed once a day into bench/.peers-edge/ (never the project's node_modules). */
async function installGrowthBook(benchDir, log) {
  const cacheRoot = join(benchDir, '.peers-edge')
  const dir = join(cacheRoot, new Date().toISOString().slice(0, 10))
  if (existsSync(join(dir, '.complete'))) return { dir, cached: true }
  const tmp = mkdtempSync(join(tmpdir(), 'cairn-edge-peers-'))
  try {
    log(`installing ${GROWTHBOOK_PKG} from npm into ${tmp} …`)
    await npmInstall(tmp, [GROWTHBOOK_PKG])
    rmSync(cacheRoot, { recursive: true, force: true })
    mkdirSync(cacheRoot, { recursive: true })
    moveDir(tmp, dir)
    writeFileSync(join(dir, '.complete'), new Date().toISOString())
    return { dir, cached: false }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Starts the origin in its own node process; resolves with a stop function once it listens. */
function startOrigin(benchDir, port) {
  const child = spawn(process.execPath, [join(benchDir, 'edge', 'origin.mjs'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const stop = () => child.kill('SIGKILL')
  process.once('exit', stop)
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`edge origin exited (${code}) before listening`)))
    child.stdout.on('data', (data) => {
      if (String(data).includes(`listening ${port}`)) resolve({ url: `http://127.0.0.1:${port}`, stop })
    })
  })
}

/** A Worker folder with its own wrangler.toml: the same compatibility date as Cairn's. */
function workerFolder(dir, { name, main, source, vars, compatibilityDate, nodeModules }) {
  mkdirSync(dir, { recursive: true })
  copyFileSync(source, join(dir, main))
  if (nodeModules) symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir')
  const varLines = Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
  writeFileSync(join(dir, 'wrangler.toml'), [`name = "${name}"`, `main = "${main}"`, `compatibility_date = "${compatibilityDate}"`, '', '[vars]', ...varLines, ''].join('\n'))
  return dir
}

async function adminCall(worker, method, path, body) {
  const response = await fetch(`http://${ADMIN_HOST}:${worker.port}${path}`, { method, headers: ADMIN_HEADERS, body: body && JSON.stringify(body), signal: AbortSignal.timeout(15_000) })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text)
}

/** Cairn's side: a site whose edge origin is the bench origin, one experience on the matching URL, no control. */
async function setUpCairn(worker, originUrl) {
  const site = await adminCall(worker, 'POST', '/api/sites', { name: 'Edge bench', origins: [worker.url], origin: originUrl })
  await adminCall(worker, 'POST', `/api/sites/${site.id}/experiences`, {
    name: 'Edge bench campaign',
    priority: 1,
    control: 0,
    match: { utm: { campaign: 'edge-bench' } },
    variants: [{ name: 'Bench', weight: 100, slots: { headline: VARIANT_HEADLINE } }],
  })
  return site
}

const personalized = (body) => new RegExp(`<h1[^>]*data-cairn-slot="headline"[^>]*>${VARIANT_HEADLINE}`).test(body)

/** What an answer must be for its time to count: the page (200, whole, the variant exactly where expected). */
function answerProblem(arm, cell, r) {
  if (r.error || r.status !== 200) return `${r.error ?? `status ${r.status}`}: ${r.body?.slice(0, 120) ?? ''}`
  if (!r.body.includes('<footer>Acme Inc.</footer>')) return `page cut short (${r.bytes} bytes)`
  if (personalized(r.body) !== (cell.kind === 'match' && !UNCHANGED.has(arm))) return `variant headline ${personalized(r.body) ? 'present' : 'missing'}`
  return null
}

export async function edgeSection({ root: repoRoot, benchDir, log = console.log, plan = EDGE_PLAN }) {
  const scratch = createScratch()
  const wrangler = join(repoRoot, 'node_modules', '.bin', 'wrangler')
  const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync(join(repoRoot, 'wrangler.toml'), 'utf8'))[1]
  const workers = {}
  let origin
  try {
    const growthbook = await installGrowthBook(benchDir, log)
    const gbVersion = JSON.parse(readFileSync(join(growthbook.dir, 'node_modules', GROWTHBOOK_PKG, 'package.json'), 'utf8')).version
    origin = await startOrigin(benchDir, await freePort())

    const proxyDir = workerFolder(join(scratch, 'proxy'), { name: 'bench-proxy', main: 'index.js', source: join(benchDir, 'edge', 'proxy-worker.js'), vars: { ORIGIN: origin.url }, compatibilityDate })
    const pipeDir = workerFolder(join(scratch, 'pipe'), { name: 'bench-pipe', main: 'index.js', source: join(benchDir, 'edge', 'pipe-worker.js'), vars: { ORIGIN: origin.url }, compatibilityDate })
    const rewriterDir = workerFolder(join(scratch, 'rewriter'), {
      name: 'bench-rewriter',
      main: 'index.js',
      source: join(benchDir, 'edge', 'rewriter-worker.js'),
      vars: { ORIGIN: origin.url, VARIANT_HEADLINE },
      compatibilityDate,
    })
    const gbDir = workerFolder(join(scratch, 'growthbook'), {
      name: 'bench-growthbook',
      main: 'index.js',
      source: join(benchDir, 'edge', 'growthbook-worker.js'),
      nodeModules: join(growthbook.dir, 'node_modules'),
      compatibilityDate,
      vars: {
        NODE_ENV: 'production',
        PROXY_TARGET: `${origin.url}/`,
        GROWTHBOOK_API_HOST: origin.url,
        GROWTHBOOK_CLIENT_KEY: 'sdk-edge-bench',
        RUN_VISUAL_EDITOR_EXPERIMENTS: 'edge',
        RUN_URL_REDIRECT_EXPERIMENTS: 'browser',
      },
    })
    const cairnRoot = snapshotWorkerTree(repoRoot, join(scratch, 'tree'))
    const cairnPort = await freePort()
    const persistTo = join(scratch, 'd1')
    await prepareLocalDb({ cwd: cairnRoot, port: cairnPort, persistTo, quiet: true, demoRules: false })

    log(`edge: origin ${origin.url}, starting five Workers (bare proxy, body pipe, bare rewriter, GrowthBook ${gbVersion}, Cairn) …`)
    // One at a time: three wrangler builds at once on a busy machine only time out sooner.
    workers.proxy = await startWorker({ root: proxyDir, port: await freePort(), persistTo: join(scratch, 'proxy-state'), wrangler })
    workers.pipe = await startWorker({ root: pipeDir, port: await freePort(), persistTo: join(scratch, 'pipe-state'), wrangler })
    workers.rewriter = await startWorker({ root: rewriterDir, port: await freePort(), persistTo: join(scratch, 'rewriter-state'), wrangler })
    workers.growthbook = await startWorker({ root: gbDir, port: await freePort(), persistTo: join(scratch, 'gb-state'), wrangler })
    workers.cairn = await startWorker({ root: cairnRoot, port: cairnPort, persistTo, wrangler })
    const site = await setUpCairn(workers.cairn, origin.url)
    const paths = { proxy: (p) => `/${p}`, pipe: (p) => `/${p}`, rewriter: (p) => `/${p}`, growthbook: (p) => `/${p}`, cairn: (p) => `/edge/${site.key}/${p}` }
    const agents = Object.fromEntries(ARMS.map((arm) => [arm, newAgent()]))

    const cells = []
    for (const concurrency of Object.keys(plan.cells).map(Number)) {
      for (const page of PAGES) for (const kind of Object.keys(URL_KINDS)) cells.push({ concurrency, page, kind, ...plan.cells[concurrency][page] })
    }
    const rounds = Math.max(...cells.map((cell) => cell.rounds))
    const results = cells.map(() => Object.fromEntries(ARMS.map((arm) => [arm, { samples: [], rounds: [], cpu: { workerd: 0, all: 0 }, errors: 0, firstError: null, statuses: {}, personalized: 0 }])))
    const send = (arm, cell) => timedGet({ agent: agents[arm], port: workers[arm].port, host: EDGE_HOST, path: `${paths[arm](cell.page)}${URL_KINDS[cell.kind]}` })

    const started = performance.now()
    const load = { before: loadavg().map((l) => Math.round(l * 100) / 100) }
    // A bench that times 404s or error pages measures nothing: the warm-up answers are checked, and stop the run.
    for (const cell of cells) {
      for (const arm of ARMS) {
        for (const r of await runRequests(plan.warmup, cell.concurrency, () => send(arm, cell))) {
          const problem = answerProblem(arm, cell, r)
          if (problem) throw new Error(`edge bench: ${ARM_LABEL[arm]} ${cell.page}/${cell.kind}/c${cell.concurrency} warm-up answered wrong (${problem}); nothing measured`)
        }
      }
    }
    for (let round = 0; round < rounds; round++) {
      if (round % 16 === 0) log(`edge: round ${round + 1} of ${rounds} …`)
      for (const [c, cell] of cells.entries()) {
        if (round >= cell.rounds) continue
        const order = ARMS.map((_, i) => ARMS[(i + round + c) % ARMS.length])
        for (const arm of order) {
          const before = groupCpuSeconds(workers[arm].group)
          const out = await runRequests(cell.perRound, cell.concurrency, () => send(arm, cell))
          const after = groupCpuSeconds(workers[arm].group)
          const into = results[c][arm]
          into.cpu.workerd += after.workerd - before.workerd
          into.cpu.all += after.all - before.all
          into.rounds.push(stats(out.filter((r) => r.status === 200).map((r) => r.totalMs)).p50)
          for (const r of out) {
            const problem = answerProblem(arm, cell, r)
            if (problem) {
              into.errors++
              into.firstError ??= `round ${round + 1}: ${problem}`
            }
            if (r.status) into.statuses[r.status] = (into.statuses[r.status] ?? 0) + 1
            if (r.body && personalized(r.body)) into.personalized++
            into.samples.push(r)
          }
        }
      }
    }
    const measuredSeconds = (performance.now() - started) / 1000
    load.after = loadavg().map((l) => Math.round(l * 100) / 100)
    for (const agent of Object.values(agents)) agent.destroy()
    const summary = summarize(cells, results, { plan, gbVersion, growthbookInstall: growthbook, measuredSeconds, load })
    printEdge(summary)
    return summary
  } finally {
    await Promise.all(Object.values(workers).map((w) => w.stop()))
    origin?.stop()
    removeScratch(scratch)
  }
}

function summarize(cells, results, meta) {
  const problems = []
  const rows = cells.map((cell, c) => {
    const arms = Object.fromEntries(
      ARMS.map((arm) => {
        const r = results[c][arm]
        const ok = r.samples.filter((s) => s.status === 200)
        return [
          arm,
          {
            requests: r.samples.length,
            errors: r.errors,
            firstError: r.firstError,
            personalized: r.personalized,
            bytes: ok.length ? Math.round(ok.reduce((sum, s) => sum + s.bytes, 0) / ok.length) : NaN,
            ttfb: stats(ok.map((s) => s.ttfbMs)),
            total: stats(ok.map((s) => s.totalMs)),
            roundTotalP50: r.rounds,
            cpuMsPerRequest: (r.cpu.workerd * 1000) / Math.max(1, r.samples.length),
            groupCpuMsPerRequest: (r.cpu.all * 1000) / Math.max(1, r.samples.length),
          },
        ]
      }),
    )
    const base = arms.proxy
    for (const arm of ARMS) {
      const a = arms[arm]
      a.ratios = {
        ttfbP50: a.ttfb.p50 / base.ttfb.p50,
        ttfbP99: a.ttfb.p99 / base.ttfb.p99,
        totalP50: a.total.p50 / base.total.p50,
        totalP99: a.total.p99 / base.total.p99,
        cpu: a.cpuMsPerRequest / base.cpuMsPerRequest,
        // Paired per round (the arms ran back to back), then the median: steadier when the load drifts.
        roundTotalP50: median(a.roundTotalP50.map((v, i) => v / base.roundTotalP50[i])),
        // Over the bare rewriter: what an arm adds to the platform's own cost of the same fill.
        totalP50OverRewriter: a.total.p50 / arms.rewriter.total.p50,
      }
      if (a.errors > 0) problems.push(`${ARM_LABEL[arm]} ${cell.page}/${cell.kind}/c${cell.concurrency}: ${a.errors} of ${a.requests} answered wrong, first: ${a.firstError}`)
      const expected = cell.kind === 'match' && !UNCHANGED.has(arm) ? a.requests : 0
      if (a.personalized !== expected) problems.push(`${ARM_LABEL[arm]} ${cell.page}/${cell.kind}/c${cell.concurrency}: variant headline in ${a.personalized} of ${a.requests} (expected ${expected})`)
    }
    // Paired by round (each round ran the arms back to back): Cairn against GrowthBook, and each of them
    // against the bare proxy, as the median difference in ms with its 95 % interval (see paired.mjs).
    const paired = (arm, other) => {
      const r = pairedMedian(arms[arm].roundTotalP50.map((v, i) => v - arms[other].roundTotalP50[i]))
      return { ...r, verdict: verdictOf(r) }
    }
    const vs = {
      cairnVsGrowthbook: paired('cairn', 'growthbook'),
      growthbookVsProxy: paired('growthbook', 'proxy'),
      cairnVsProxy: paired('cairn', 'proxy'),
      cairnVsRewriter: paired('cairn', 'rewriter'),
    }
    return { ...cell, arms, vs }
  })
  return { ...meta, edgeHost: EDGE_HOST, urls: URL_KINDS, slow: SLOW, rows, problems }
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const ms = (n) => fixed(n, 1)
const signed = (n) => (n > 0 ? `+${fixed(n, 1)}` : fixed(n, 1))
const interval = (r) => `${signed(r.median)} [${signed(r.low)}, ${signed(r.high)}]`
const verdictLabel = { ahead: 'Cairn ahead', tie: 'within noise', behind: 'Cairn behind' }
const floorLabel = { ahead: 'below proxy', tie: 'at the proxy', behind: 'above proxy' }
const rewriterLabel = { ahead: 'below it', tie: 'at the floor', behind: 'above it' }

/**
 * Where a run shows Cairn ahead of GrowthBook, within noise of it, or behind. Within noise is only a pass where
 * GrowthBook itself is within noise of the bare proxy: there is nothing measurable left to be ahead of.
 */
export function growthbookStanding(s) {
  const count = (verdict) => s.rows.filter((r) => r.vs.cairnVsGrowthbook.verdict === verdict)
  const ties = count('tie')
  const tiesAboveFloor = ties.filter((r) => r.vs.growthbookVsProxy.verdict !== 'tie')
  return { ahead: count('ahead').length, ties: ties.length, behind: count('behind'), tiesAboveFloor }
}
const x = (n) => `${fixed(n, 2)}×`

function printEdge(s) {
  const rows = []
  for (const row of s.rows) {
    for (const arm of ARMS) {
      const a = row.arms[arm]
      rows.push([
        row.page,
        row.kind,
        row.concurrency,
        ARM_LABEL[arm],
        int(a.bytes),
        ms(a.ttfb.p50),
        ms(a.ttfb.p99),
        ms(a.total.p50),
        ms(a.total.p99),
        arm === 'proxy' ? '1.00×' : `${x(a.ratios.ttfbP50)} / ${x(a.ratios.ttfbP99)}`,
        arm === 'proxy' ? '1.00×' : `${x(a.ratios.totalP50)} / ${x(a.ratios.totalP99)}`,
        arm === 'proxy' ? '1.00×' : x(a.ratios.roundTotalP50),
        fixed(a.cpuMsPerRequest, 2),
        arm === 'proxy' ? '1.00×' : x(a.ratios.cpu),
        UNCHANGED.has(arm) || arm === 'rewriter' ? '—' : x(a.ratios.totalP50OverRewriter),
        `${a.personalized}/${a.requests}`,
      ])
    }
  }
  printTable(
    `6. Edge: Cairn edge mode vs a bare proxy Worker, a body pipe, a bare rewriter and GrowthBook's edge app ${s.gbVersion}, same origin, arms interleaved round by round (${fixed(s.measuredSeconds, 0)} s measured)`,
    ['page', 'URL', 'in flight', 'worker', 'bytes', 'TTFB p50', 'TTFB p99', 'total p50', 'total p99', 'TTFB ×proxy p50/p99', 'total ×proxy p50/p99', 'total p50 ×proxy by round', 'CPU ms/req', 'CPU ×proxy', 'total p50 ×rewriter', 'variant'],
    rows,
  )
  console.log(`   pages from a separate node origin: small ~10 KB and large ~300 KB sent at once (content-length), slow = head, then ${s.slow.chunks} chunks ${s.slow.chunkMs} ms apart (chunked)`)
  console.log(`   URLs: match = ${s.urls.match} (a Cairn experience and a GrowthBook visual-editor experiment set the h1), none = ${s.urls.none}`)
  console.log('   body pipe = the proxy with the body streamed on through an IdentityTransformStream, bytes unchanged (no parser, no JavaScript per chunk): the least a Worker that touches a page pays')
  console.log('   bare rewriter = the proxy plus the same HTMLRewriter fill on the matching URL (no decision, cookie or exposure); on the other URL it is the proxy again (a noise check)')
  console.log(`   every request a new visitor (no cookie); Cairn via /edge/KEY/… with Host ${s.edgeHost}; TTFB = first body byte; ms over keep-alive connections`)
  console.log(`   rounds: ${s.rows.filter((r) => r.concurrency === 1).map((r) => `${r.page} ${r.rounds}`).filter((v, i, all) => all.indexOf(v) === i).join(', ')} of one request at a time; ${s.rows.filter((r) => r.concurrency !== 1).map((r) => `${r.page} ${r.rounds}`).filter((v, i, all) => all.indexOf(v) === i).join(', ')} of one wave of 8 in flight`)
  console.log(`   by round = the median over rounds of each round's total p50 / the proxy's in that round; load average (1/5/15 min) ${s.load.before.join(' ')} before, ${s.load.after.join(' ')} after`)
  console.log('   CPU = user+system time of each Worker\'s workerd processes (/proc, 10 ms ticks) over its measured requests; Cairn\'s includes its queue consumer (exposures)')
  console.log(`   GrowthBook ${s.growthbookInstall.cached ? 'from today’s cache' : 'installed from npm this run'} (bench/.peers-edge/), its payload served by the origin at /api/features/sdk-edge-bench`)
  printTable(
    '   Paired by round: median difference of total p50 in ms [95 % interval], and what one run can tell',
    ['page', 'URL', 'in flight', 'Cairn − GrowthBook', 'verdict', 'GrowthBook − proxy', 'GrowthBook', 'Cairn − proxy', 'Cairn', 'Cairn − bare rewriter', 'Cairn'],
    s.rows.map((row) => [
      row.page,
      row.kind,
      row.concurrency,
      interval(row.vs.cairnVsGrowthbook),
      verdictLabel[row.vs.cairnVsGrowthbook.verdict],
      interval(row.vs.growthbookVsProxy),
      floorLabel[row.vs.growthbookVsProxy.verdict],
      interval(row.vs.cairnVsProxy),
      floorLabel[row.vs.cairnVsProxy.verdict],
      interval(row.vs.cairnVsRewriter),
      rewriterLabel[row.vs.cairnVsRewriter.verdict],
    ]),
  )
  console.log('   interval: the sign test\'s order statistics over the rounds (no assumption about the shape of the noise); a verdict needs the whole interval on one side of 0')
  if (s.problems.length === 0) console.log('   every response 200 and the whole page, the variant headline exactly on the matching URL for Cairn and GrowthBook')
  for (const problem of s.problems) console.log(`   PROBLEM ${problem}`)
}

/** Summary rows (metric, value, budget, pass) for run.mjs: worst cells of Cairn and GrowthBook. */
export function edgeSummaryRows(s) {
  const rows = []
  const where = (r) => `${r.page}/${r.kind}/c${r.concurrency}`
  const worst = (arm, key) => s.rows.reduce((w, r) => (r.arms[arm].ratios[key] > (w?.arms[arm].ratios[key] ?? -Infinity) ? r : w), null)
  for (const arm of ['cairn', 'growthbook']) {
    const total = worst(arm, 'totalP50')
    const ttfb = worst(arm, 'ttfbP50')
    // Beside the worst cell, the platform's floor there: the bare rewriter's ratio in the same cell.
    // A Worker that changes the page pays at least the body pipe's cost there.
    const floor = total.kind === 'match' ? `; bare rewriter ${x(total.arms.rewriter.ratios.totalP50)}, body pipe ${x(total.arms.pipe.ratios.totalP50)}` : ''
    rows.push({ metric: `Edge: ${ARM_LABEL[arm]} worst total p50 / bare proxy`, value: `${x(total.arms[arm].ratios.totalP50)} (${where(total)}${floor})`, budget: arm === 'cairn' ? '≤ 1.30×' : '—', pass: arm === 'cairn' ? total.arms[arm].ratios.totalP50 <= 1.3 : null })
    rows.push({ metric: `Edge: ${ARM_LABEL[arm]} worst TTFB p50 / bare proxy`, value: `${x(ttfb.arms[arm].ratios.ttfbP50)} (${where(ttfb)})`, budget: '—', pass: null })
  }
  const pipeWorst = worst('pipe', 'totalP50')
  rows.push({ metric: 'Edge: body pipe (bytes unchanged) worst total p50 / bare proxy', value: `${x(pipeWorst.arms.pipe.ratios.totalP50)} (${where(pipeWorst)})`, budget: '—', pass: null })
  const overRewriter = worst('cairn', 'totalP50OverRewriter')
  const byVerdict = (key) => ['ahead', 'tie', 'behind'].map((v) => s.rows.filter((r) => r.vs[key].verdict === v).length).join(' / ')
  rows.push({ metric: 'Edge: Cairn edge vs the bare rewriter by round (95 %): below / within noise / above', value: byVerdict('cairnVsRewriter'), budget: '—', pass: null })
  rows.push({ metric: 'Edge: Cairn edge worst total p50 / bare rewriter (the same fill, nothing else)', value: `${x(overRewriter.arms.cairn.ratios.totalP50OverRewriter)} (${where(overRewriter)})`, budget: '—', pass: null })
  const byRound = worst('cairn', 'roundTotalP50')
  rows.push({ metric: 'Edge: Cairn edge worst total p50 / bare proxy, by round', value: `${x(byRound.arms.cairn.ratios.roundTotalP50)} (${where(byRound)})`, budget: '—', pass: null })
  const lower = s.rows.filter((r) => r.arms.cairn.total.p50 < r.arms.growthbook.total.p50).length
  rows.push({ metric: 'Edge: cells where Cairn edge total p50 < GrowthBook (pooled p50s, noise included)', value: `${lower} of ${s.rows.length}`, budget: '—', pass: null })
  const standing = growthbookStanding(s)
  rows.push({
    metric: 'Edge: Cairn edge vs GrowthBook by round (95 %): ahead / within noise / behind',
    value: `${standing.ahead} / ${standing.ties} / ${standing.behind.length}${standing.behind.length ? ` (${standing.behind.map(where).join(', ')})` : ''}`,
    budget: '0 behind',
    pass: standing.behind.length === 0,
  })
  rows.push({
    metric: 'Edge: cells within noise of GrowthBook where GrowthBook is above the bare proxy',
    value: standing.tiesAboveFloor.length === 0 ? 'none' : standing.tiesAboveFloor.map(where).join(', '),
    budget: 'none',
    pass: standing.tiesAboveFloor.length === 0,
  })
  rows.push({ metric: 'Edge: responses and variants as expected', value: s.problems.length === 0 ? 'yes' : `${s.problems.length} problem(s)`, budget: 'yes', pass: s.problems.length === 0 })
  return rows
}

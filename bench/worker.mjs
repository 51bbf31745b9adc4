// Starts and stops `wrangler dev` for the bench: its own process group (so npx → wrangler → workerd all
// go together), output kept for error messages, ready once GET /healthz answers 200.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { LOCAL_WRANGLER_ENV } from '../scripts/run.mjs'

const OUTPUT_LIMIT = 64 * 1024
const START_TIMEOUT_MS = 90_000
const STOP_GRACE_MS = 5_000

/** Every wrangler still running, so an error or Ctrl-C can end them all. */
const running = new Set()

/**
 * What `wrangler dev` reads. The bench runs a copy: wrangler dev reloads the Worker on every save in its
 * tree, and a teammate's edit mid-run would restart it under load (500s, time-outs, a half-new schema).
 */
const WORKER_TREE = ['wrangler.toml', 'package.json', 'tsconfig.json', '.dev.vars', '.env', 'worker', 'contract', 'migrations', 'public']

/** Copies the Worker's files into `dir` (node_modules linked, not copied) and returns the copy's root. */
export function snapshotWorkerTree(root, dir) {
  mkdirSync(dir, { recursive: true })
  for (const entry of WORKER_TREE) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(dir, entry), { recursive: true })
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/** Removes a snapshot; the node_modules link goes first so nothing can follow it into the real one. */
export function removeSnapshot(dir) {
  try {
    unlinkSync(join(dir, 'node_modules'))
  } catch {
    // never created
  }
  rmSync(dir, { recursive: true, force: true })
}

/** Resolves whether nothing listens on 127.0.0.1:port (wrangler would fail late and less clearly). */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A port the OS says is free now: the fallback when the preferred one is taken by another process. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts wrangler dev and waits until it serves /healthz; throws with wrangler's output if it does not. */
export async function startWorker({ root, port, persistTo, vars = {}, logLevel = 'warn', wrangler = null, config = null }) {
  // `wrangler`: an absolute path to the binary, for Worker folders outside the project (npx would fetch it).
  const [command, first] = wrangler ? [wrangler, []] : ['npx', ['wrangler']]
  const args = [...first, 'dev', ...(config ? ['--config', config] : []), '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistTo, '--show-interactive-dev-session=false', '--log-level', logLevel]
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`)
  const child = spawn(command, args, {
    cwd: root,
    detached: true, // own process group: killed as a whole, and a terminal's Ctrl-C does not race us
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...LOCAL_WRANGLER_ENV },
  })
  let output = ''
  const keep = (data) => {
    output = (output + data).slice(-OUTPUT_LIMIT)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let exit = null
  exited.then((result) => {
    exit = result
    running.delete(worker)
  })

  const worker = {
    url: `http://127.0.0.1:${port}`,
    port,
    /** Process group id (npx/wrangler/workerd): the bench reads its CPU time from /proc. */
    group: child.pid,
    output: () => output,
    stop: () => stopWorker(child, exited, () => exit),
    killNow: () => killGroup(child, 'SIGKILL'),
  }
  running.add(worker)

  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (exit) throw new Error(`wrangler dev exited (${exit.signal ?? `code ${exit.code}`}) before serving /healthz. Its output:\n${output.trim()}`)
    if (await healthy(worker.url)) return worker
    await sleep(250)
  }
  await worker.stop()
  throw new Error(`wrangler dev did not answer GET /healthz 200 within ${START_TIMEOUT_MS / 1000}s. Its output:\n${output.trim()}`)
}

/** One bounded health probe; connection errors just mean "not yet". */
async function healthy(url) {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

/** SIGTERM to the group, SIGKILL if it lingers: workerd must not outlive the bench. */
async function stopWorker(child, exited, exitState) {
  if (exitState()) return
  killGroup(child, 'SIGTERM')
  const done = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)])
  // npx can exit before workerd does: always sweep the group once more.
  killGroup(child, 'SIGKILL')
  if (!done) await Promise.race([exited, sleep(1_000)])
}

/** Stops every running worker (used on errors and at the end). */
export async function stopAllWorkers() {
  await Promise.all([...running].map((worker) => worker.stop()))
}

/** Synchronous last resort for process 'exit' and signals: no awaiting possible there. */
export function killAllWorkersNow() {
  for (const worker of running) worker.killNow()
  running.clear()
}

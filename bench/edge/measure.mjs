// Edge bench measurement: timed GETs over node:http (first body byte and last byte, bodies kept for the
// correctness checks) and CPU time of a Worker's workerd processes read from /proc.
import { readdirSync, readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { percentile } from '../ingest.mjs'

const REQUEST_TIMEOUT_MS = 15_000
const CLOCK_TICKS_PER_SECOND = 100 // Linux USER_HZ

export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

/** A keep-alive connection pool per Worker, as a browser or a CDN in front keeps its connections. */
export const newAgent = () => new Agent({ keepAlive: true, maxSockets: 16 })

/**
 * GET http://127.0.0.1:port/path with `Host: host:port` (admin and edge may answer on different host names);
 * resolves { status, ttfbMs, totalMs, bytes, body, setCookie } or { error }.
 */
export async function timedGet(options) {
  const first = await timedGetOnce(options)
  // A keep-alive connection the server closed as we reused it: the request never reached the Worker, so it
  // is sent again on a fresh connection (what browsers and Node's docs do), not counted as a failure.
  return first.retry ? timedGetOnce(options) : first
}

function timedGetOnce({ agent, port, host, path }) {
  return new Promise((resolve) => {
    const started = performance.now()
    let ttfbMs = NaN
    const chunks = []
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { host: `${host}:${port}`, 'user-agent': CHROME_UA, accept: 'text/html', 'accept-encoding': 'identity' } },
      (res) => {
        res.on('data', (chunk) => {
          if (chunks.length === 0) ttfbMs = performance.now() - started
          chunks.push(chunk)
        })
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          if (chunks.length === 0) ttfbMs = performance.now() - started
          resolve({ status: res.statusCode, ttfbMs, totalMs: performance.now() - started, bytes: body.length, body: body.toString('utf8'), setCookie: res.headers['set-cookie'] ?? [] })
        })
        res.on('error', (error) => resolve({ error: error.message }))
      },
    )
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)))
    req.on('error', (error) => resolve({ error: error.message, retry: req.reusedSocket && chunks.length === 0 && error.code === 'ECONNRESET' }))
    req.end()
  })
}

/** The process ids of a process group, found once (a scan of /proc) and again when one of them has exited. */
const groupMembers = new Map()

function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = stat.lastIndexOf(')')
    const fields = stat.slice(close + 2).split(' ') // fields[0] is field 3 (state)
    return { comm: stat.slice(stat.indexOf('(') + 1, close), group: Number(fields[2]), seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND } // utime, stime
  } catch {
    return null // exited meanwhile
  }
}

function scanGroup(group) {
  const pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && readStat(entry)?.group === group)
  groupMembers.set(group, pids)
  return pids
}

/**
 * CPU seconds (user + system) of the workerd processes in a process group, and of the whole group. Read
 * between short rounds, so the group's members are remembered rather than found by scanning /proc each time.
 */
export function groupCpuSeconds(group, rescanned = false) {
  let workerd = 0
  let all = 0
  for (const pid of groupMembers.get(group) ?? scanGroup(group)) {
    const stat = readStat(pid)
    if (stat === null || stat.group !== group) return rescanned ? { workerd, all } : (scanGroup(group), groupCpuSeconds(group, true))
    all += stat.seconds
    if (stat.comm.startsWith('workerd')) workerd += stat.seconds
  }
  return { workerd, all }
}

/** Runs `count` GETs with `concurrency` in flight; returns the results in completion order. */
export async function runRequests(count, concurrency, send) {
  const results = []
  let next = 0
  const lane = async () => {
    while (next < count) {
      next++
      results.push(await send())
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
  return results
}

export function stats(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
}

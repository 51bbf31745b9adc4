// `npm start`: build, migrate and seed the local D1 (quietly: their output only shows on failure), then
// serve everything with wrangler dev and pass on its request log.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { build } from './build.mjs'
import { prepareLocalDb } from './local-db.mjs'
import { LOCAL_WRANGLER_ENV } from './run.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const port = Number(process.env.PORT ?? 8787)
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`)
  process.exit(1)
}
// Two host names for one local Worker: the dashboard and admin API answer only on ADMIN_HOST (127.0.0.1,
// from .dev.vars); the demo site and edge mode live on localhost, a separate browser origin.
const base = `http://127.0.0.1:${port}`
const site = `http://localhost:${port}`

/** Wrangler lines a person running the demo does not need: cron triggers are not used locally. */
const NOISE = /Scheduled Workers are not automatically triggered|^\s+(To manually trigger|curl ".*\/cdn-cgi\/handler\/scheduled"|For more details, see)|^\s*$/

console.log('Cairn: building the SDK and dashboard, preparing the local D1 …')
await build({ quiet: true })
await prepareLocalDb({ cwd: root, port, quiet: true })

const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--var', `PUBLIC_URL:http://localhost:${port}`, '--show-interactive-dev-session=false', '--log-level', 'info'], {
  cwd: root,
  env: { ...process.env, ...LOCAL_WRANGLER_ENV },
  stdio: ['inherit', 'pipe', 'pipe'],
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal))
dev.on('exit', (code) => process.exit(code ?? 0))

let ready = false
const pass = (stream, out) =>
  createInterface({ input: stream }).on('line', (line) => {
    if (NOISE.test(line.replace(/\x1b\[[0-9;]*m/g, ''))) return
    if (!ready && line.includes('Ready on')) {
      ready = true
      printUrls()
      return void demoJourney().catch((error) => console.error(`Cairn: the demo journey was not sent (${error.message})`))
    }
    out.write(`${line}\n`)
  })
pass(dev.stdout, process.stdout)
pass(dev.stderr, process.stderr)

/**
 * One visitor's journey through the real ingest, so the dashboard shows flows firing at once: Grace lands
 * from the Black Friday ad, signs up (the mini course's first email) and views pricing twice (the banner
 * and the follow-up email). Fixed event ids make it idempotent: on the next start every event is a
 * duplicate and nothing is sent again.
 */
async function demoJourney() {
  const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString()
  const aid = 'a_demo_grace'
  const at = (path) => ({ url: `${site}${path}`, title: 'Acme CRM' })
  const batch = [
    { id: 'e_demo_grace_1', type: 'page', anonymousId: aid, timestamp: minutesAgo(10), context: at('/?utm_source=google&utm_medium=cpc&utm_campaign=black-friday&utm_term=crm') },
    { id: 'e_demo_grace_2', type: 'identify', anonymousId: aid, userId: null, traits: { email: 'grace@example.com', firstName: 'Grace' }, timestamp: minutesAgo(9), context: at('/signup') },
    { id: 'e_demo_grace_3', type: 'track', event: 'Signed Up', anonymousId: aid, properties: { plan: 'trial' }, timestamp: minutesAgo(9), context: at('/signup') },
    { id: 'e_demo_grace_4', type: 'page', anonymousId: aid, timestamp: minutesAgo(5), context: at('/pricing') },
    { id: 'e_demo_grace_5', type: 'page', anonymousId: aid, timestamp: minutesAgo(2), context: at('/pricing') },
  ]
  const response = await fetch(`${site}/v1/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: site },
    body: JSON.stringify({ site: 'pk_demo', batch }),
  })
  if (response.status !== 202) throw new Error(`POST /v1/events answered ${response.status}`)
}

function printUrls() {
  console.log(`Cairn is running (local D1 and Queues, no account needed)
  Demo site     ${site}/
  Edge mode     ${site}/edge/pk_demo/?utm_campaign=black-friday&utm_term=crm
  Dashboard     ${base}/dashboard/   (admin host: the dashboard and /api answer only here)
  SDK           ${site}/sdk.js   demo site key: pk_demo
  Admin token   dev-admin-token   (curl -H 'Authorization: Bearer dev-admin-token' ${base}/api/sites)
  Flows         a demo visitor (grace@example.com) signed up and viewed pricing twice: her emails are in
                ${base}/dashboard/#/sites/site_demo/outbox — do the same at ${site}/signup and ${site}/pricing
Requests are logged below; Ctrl-C stops.`)
}

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
      return printUrls()
    }
    out.write(`${line}\n`)
  })
pass(dev.stdout, process.stdout)
pass(dev.stderr, process.stderr)

function printUrls() {
  console.log(`Cairn is running (local D1 and Queues, no account needed)
  Demo site     ${site}/
  Edge mode     ${site}/edge/pk_demo/?utm_campaign=black-friday&utm_term=crm
  Dashboard     ${base}/dashboard/   (admin host: the dashboard and /api answer only here)
  SDK           ${site}/sdk.js   demo site key: pk_demo
  Admin token   dev-admin-token   (curl -H 'Authorization: Bearer dev-admin-token' ${base}/api/sites)
  Flows         sign up at ${site}/signup (the mini course's first email), then view ${site}/pricing twice
                (banner + follow-up email): see ${base}/dashboard/#/sites/site_demo/outbox
Requests are logged below; Ctrl-C stops.`)
}

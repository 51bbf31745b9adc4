// `npm start`: build, migrate and seed the local D1, then serve everything with wrangler dev.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from './build.mjs'
import { prepareLocalDb } from './local-db.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const port = Number(process.env.PORT ?? 8787)
// Two host names for one local Worker: the dashboard and admin API answer only on ADMIN_HOST (127.0.0.1,
// from .dev.vars); the demo site and edge mode live on localhost, a separate browser origin.
const base = `http://127.0.0.1:${port}`
const site = `http://localhost:${port}`

await build()
await prepareLocalDb({ cwd: root, port })

const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false'], {
  cwd: root,
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal))
dev.on('exit', (code) => process.exit(code ?? 0))

for (let i = 0; i < 120; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break
  } catch {}
  await new Promise((r) => setTimeout(r, 500))
}
console.log(`
  Cairn is running (local D1 and Queues, no account needed)
    Demo site     ${site}/
    Edge mode     ${site}/edge/pk_demo/?utm_campaign=black-friday&utm_term=crm
    Dashboard     ${base}/dashboard/   (admin host: the dashboard and /api answer only here)
    SDK           ${site}/sdk.js
    Health        ${base}/healthz
    Admin token   dev-admin-token   (curl -H 'Authorization: Bearer dev-admin-token' ${base}/api/sites)
    Demo site key pk_demo
`)

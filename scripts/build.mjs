// Builds what the Worker serves as static assets into public/: the SDK and the dashboard (rollup), and the
// demo marketing site. `npm start`, `npm test` and deploys run it first.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from './run.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'public')
const DASHBOARD_STATIC = ['index.html', 'app.css', 'favicon.svg']

export async function build({ quiet = false } = {}) {
  await run('npx', ['rollup', '-c', 'sdk/rollup.config.mjs', ...(quiet ? ['--silent'] : [])], { cwd: root, quiet })
  await run('npx', ['rollup', '-c', 'dashboard/rollup.config.mjs', ...(quiet ? ['--silent'] : [])], { cwd: root, quiet })
  // Assemble beside public/ and swap, so a running `wrangler dev` never serves a half-built folder.
  const next = `${out}.next-${process.pid}`
  const old = `${out}.old-${process.pid}`
  rmSync(next, { recursive: true, force: true })
  mkdirSync(next, { recursive: true })
  assemble(next)
  if (existsSync(out)) renameSync(out, old)
  renameSync(next, out)
  rmSync(old, { recursive: true, force: true })
  if (!existsSync(join(out, 'sdk.js'))) throw new Error('SDK build missing')
  if (!existsSync(join(out, 'dashboard', 'app.js'))) throw new Error('dashboard build missing')
  if (!quiet) console.log(`built ${out}`)
}

function assemble(out) {
  cpSync(join(root, 'demo'), out, { recursive: true, filter: (src) => !src.endsWith('README.md') })
  // The dashboard: its static shell (HTML, CSS, icon) and the rollup bundle; sources and configs stay behind.
  mkdirSync(join(out, 'dashboard'))
  for (const file of DASHBOARD_STATIC) cpSync(join(root, 'dashboard', file), join(out, 'dashboard', file))
  for (const file of readdirSync(join(root, 'dashboard', 'dist'))) cpSync(join(root, 'dashboard', 'dist', file), join(out, 'dashboard', file))
  // The script-tag build and its lazy chunks (e.g. web-vitals) sit at the root: /sdk.js, /sdk-*.js.
  const dist = join(root, 'sdk', 'dist')
  cpSync(join(dist, 'cairn.js'), join(out, 'sdk.js'))
  for (const file of readdirSync(dist)) {
    if (/^cairn-.+\.js$/.test(file)) cpSync(join(dist, file), join(out, file.replace(/^cairn-/, 'sdk-')))
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()

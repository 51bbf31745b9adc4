// Starts the real Worker with `wrangler dev` (local D1 + Queues, fresh state, demo site seeded) for the
// browser tests, on its own port and state folder so a developer's `npm start` is untouched.
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
// @ts-expect-error plain ESM build scripts without type declarations
import { build } from '../../scripts/build.mjs'
// @ts-expect-error plain ESM build scripts without type declarations
import { prepareLocalDb } from '../../scripts/local-db.mjs'

const root = join(import.meta.dirname, '..', '..')
const port = Number(process.env.CAIRN_TEST_PORT ?? 8791)
const persistTo = join(root, '.wrangler', 'browser-test-state')
let dev: ChildProcess | undefined

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
    edgeUrl: string
  }
}

export async function setup(project: TestProject) {
  rmSync(persistTo, { recursive: true, force: true })
  await build({ quiet: true })
  await prepareLocalDb({ cwd: root, port, persistTo, quiet: true })
  let output = ''
  dev = spawn(
    'npx',
    // The inspector port follows the test port: parallel `wrangler dev`s would all claim the default 9229.
    ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(port + 10_000), '--persist-to', persistTo, '--var', `PUBLIC_URL:http://localhost:${port}`, '--show-interactive-dev-session=false'],
    { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  dev.stdout?.on('data', (d) => (output += d))
  dev.stderr?.on('data', (d) => (output += d))
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) {
        project.provide('baseUrl', base)
        // The public host (edge mode, proxied pages): another origin than the admin host of .dev.vars.
        project.provide('edgeUrl', `http://localhost:${port}`)
        return
      }
    } catch {}
    if (dev.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 500))
  }
  await teardown()
  throw new Error(`wrangler dev did not become healthy:\n${output}`)
}

export async function teardown() {
  if (dev?.pid && dev.exitCode === null) {
    process.kill(-dev.pid, 'SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
  }
}

// Three projects: `unit` (pure SDK modules in Node), `worker` (workerd with real D1, Queues and the real
// migrations), `browser` (Debian's Chromium against `wrangler dev`).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

/** Serves a small HTML page with slots, and echoes anything else, like a customer's site would answer. */
async function originServer(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (url.hostname !== 'origin.test') return new Response('no network in tests', { status: 502 })
  if (request.method === 'GET' && url.pathname === '/') {
    const html = `<!doctype html><html lang="en"><head><title>Origin</title></head><body>
<h1 data-cairn-slot="headline">Origin default</h1><p data-cairn-slot="cta">Origin CTA</p><p>${'filler '.repeat(2000)}</p></body></html>`
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'x-origin': 'yes' } })
  }
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
  return Response.json(
    { method: request.method, path: url.pathname, search: url.search, body, forwardedHost: request.headers.get('x-forwarded-host') },
    { status: request.method === 'POST' ? 201 : 200, headers: { 'x-origin': 'yes' } },
  )
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations')
  return {
    test: {
      projects: [
        {
          test: { name: 'unit', include: ['sdk/src/**/*.test.ts', 'contract/**/*.test.ts'], environment: 'node' },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: 'test-admin-token', ENVIRONMENT: 'test' },
                // Same binding as wrangler.toml with a lower limit, so the 429 test stays fast.
                ratelimits: { INGEST_LIMITER: { simple: { limit: 50, period: 60 } } },
                // A stand-in for a customer's origin server behind edge mode (origin.test); nothing else is reachable.
                outboundService: (request: Request) => originServer(request),
              },
            }),
          ],
          test: {
            name: 'worker',
            include: ['worker/src/**/*.test.ts', 'test/worker/**/*.test.ts'],
            setupFiles: ['test/worker/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            globalSetup: ['test/browser/global-setup.ts'],
            fileParallelism: false,
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  }
})

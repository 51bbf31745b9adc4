// Three projects: `unit` (pure SDK modules in Node), `worker` (workerd with real D1, Queues and the real
// migrations), `browser` (Debian's Chromium against `wrangler dev`).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

/** Idempotency keys a Resend-compatible stand-in has seen: a repeated key answers the first email id. */
const providerEmails = new Map<string, string>()

/**
 * Stand-ins for external receivers: a Resend-compatible email API (email-api.test) that checks the
 * bearer key and requires an Idempotency-Key, and a webhook receiver (hooks.test) that answers its path's
 * status and echoes headers and body, so tests read back what the Worker sent.
 */
async function receiverServer(request: Request, url: URL): Promise<Response> {
  const body = await request.text()
  if (url.hostname === 'email-api.test') {
    if (request.headers.get('authorization') !== 'Bearer re_test_key') return Response.json({ message: 'bad key' }, { status: 401 })
    const key = request.headers.get('idempotency-key')
    if (!key) return Response.json({ message: 'Idempotency-Key required by this stand-in' }, { status: 422 })
    const parsed = JSON.parse(body) as { to: string[]; subject: string; headers: Record<string, string> }
    if (!parsed.headers['List-Unsubscribe'] || !parsed.headers['List-Unsubscribe-Post']) return Response.json({ message: 'no RFC 8058 headers' }, { status: 422 })
    if (!providerEmails.has(key)) providerEmails.set(key, `re_${providerEmails.size + 1}_${key}`)
    return Response.json({ id: providerEmails.get(key) })
  }
  const status = Number(url.pathname.split('/')[1]) || 200
  return Response.json({ path: url.pathname, headers: Object.fromEntries(request.headers), body }, { status })
}

/** Serves a small HTML page with slots, and echoes anything else, like a customer's site would answer. */
async function originServer(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (url.hostname === 'email-api.test' || url.hostname === 'hooks.test') return receiverServer(request, url)
  if (url.hostname !== 'origin.test') return new Response('no network in tests', { status: 502 })
  if (request.method === 'GET' && url.pathname === '/') {
    const html = `<!doctype html><html lang="en"><head><title>Origin</title></head><body>
<h1 data-cairn-slot="headline">Origin default</h1><p data-cairn-slot="cta">Origin CTA</p><p>${'filler '.repeat(2000)}</p></body></html>`
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'x-origin': 'yes' } })
  }
  if (url.pathname === '/echo-headers') return Response.json(Object.fromEntries(request.headers))
  if (url.pathname === '/set-cookies') {
    const headers = new Headers({
      'content-type': 'text/html; charset=utf-8',
      'service-worker-allowed': '/',
      'clear-site-data': '"cookies", "storage"',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'content-security-policy': "default-src 'self'",
    })
    headers.append('set-cookie', 'session=s1; Path=/; HttpOnly; Secure; SameSite=Lax')
    headers.append('set-cookie', 'cart=c1; Domain=origin.test; Path=/shop')
    headers.append('set-cookie', '__Host-id=h1; Path=/; Secure')
    headers.append('set-cookie', 'cairn_aid=a_forged; Path=/')
    return new Response('<!doctype html><title>Cookies</title><p>ok</p>', { headers })
  }
  if (url.pathname.startsWith('/redirect')) {
    // ?to= the Location to answer with, as origins write it: relative, absolute on the origin, or elsewhere.
    return new Response(null, { status: 302, headers: { location: url.searchParams.get('to') ?? '/', 'set-cookie': 'flash=1; Path=/' } })
  }
  if (url.pathname === '/latin1') {
    // A windows-1252 page whose charset is declared only in <meta>: é is the single byte 0xE9.
    const html = '<!doctype html><html><head><meta charset="windows-1252"><title>Caf\u00e9</title></head><body><h1 data-cairn-slot="headline">Caf\u00e9</h1></body></html>'
    const bytes = Uint8Array.from(html, (char) => char.charCodeAt(0))
    return new Response(bytes, { headers: { 'content-type': 'text/html' } })
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
          test: { name: 'unit', include: ['sdk/src/**/*.test.ts', 'contract/**/*.test.ts', 'bench/**/*.test.mjs'], environment: 'node' },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_TOKEN: 'test-admin-token',
                  ENVIRONMENT: 'test',
                  ADMIN_HOST: 'admin.cairn.test',
                  UNSUBSCRIBE_SECRET: 'test-unsubscribe-secret',
                  PUBLIC_URL: 'https://cairn.test',
                  // The outbox provider by default; tests switch to the binding or the Resend stand-in.
                  EMAIL_PROVIDER: 'outbox',
                  FLOW_WEBHOOK_SECRET: 'test-webhook-secret',
                  EMAIL_WEBHOOK_SECRET: 'whsec_dGVzdC1wcm92aWRlci1zZWNyZXQ=',
                },
                // Same binding as wrangler.toml with a lower limit, so the 429 test stays fast.
                ratelimits: { INGEST_LIMITER: { simple: { limit: 50, period: 60 } } },
                // A stand-in for a customer's origin server behind edge mode (origin.test); nothing else is reachable.
                outboundService: (request: Request) => originServer(request),
              },
            }),
          ],
          test: {
            name: 'worker',
            testTimeout: 30_000,
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
            // Generous: every wait is on a condition, and a busy 2-core machine only makes conditions come later.
            testTimeout: 180_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  }
})

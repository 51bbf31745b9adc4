// Static files bundled into the Worker (SDK, dashboard, demo site): the paths, redirects, caching and
// errors the platform's assets binding gave them, now answered by the Worker itself.
import { describe, expect, it } from 'vitest'
import { resolveStatic, type StaticFiles } from '../../worker/src/http/static-files'
import { call, callAdminHost } from './helpers'

/** The dashboard answers on the admin host only; everything else here on the public host. */
const get = (path: string, init?: RequestInit) => (path.startsWith('/dashboard') ? callAdminHost(path, init) : call(path, init))

describe('static files through the Worker', () => {
  // Catches a demo page, the dashboard or the SDK missing from the bundle, or served with the wrong type.
  it('serves the demo, the dashboard and the SDK with their types and revalidation headers', async () => {
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/pricing', 'text/html; charset=utf-8'],
      ['/help/', 'text/html; charset=utf-8'],
      ['/help/billing', 'text/html; charset=utf-8'],
      ['/dashboard/', 'text/html; charset=utf-8'],
      ['/dashboard/app.js', 'application/javascript; charset=utf-8'],
      ['/dashboard/favicon.svg', 'image/svg+xml'],
      ['/assets/site.css', 'text/css; charset=utf-8'],
    ] as const) {
      const response = await get(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type'), path).toBe(type)
      expect(response.headers.get('cache-control'), path).toBe('public, max-age=0, must-revalidate')
      expect(response.headers.get('etag'), path).toMatch(/^"[0-9a-f]{32}"$/)
      const body = await response.text()
      expect(Number(response.headers.get('content-length')), path).toBe(new TextEncoder().encode(body).length)
    }
    expect(await (await call('/pricing')).text()).toContain('<html')
  })

  // Catches the script tag losing its hour of caching or its CORS header (sites load it cross-origin).
  it('serves /sdk.js cached for an hour and readable from any origin', async () => {
    const response = await call('/sdk.js')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/javascript; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600, stale-while-revalidate=86400')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect((await response.text()).length).toBeGreaterThan(1000)
  })

  // Catches a revalidation that sends the whole file again, or a HEAD that sends a body.
  it('answers 304 to a matching If-None-Match and HEAD without a body', async () => {
    const etag = (await call('/pricing')).headers.get('etag')!
    const again = await call('/pricing', { headers: { 'if-none-match': `"other", ${etag}` } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe('')
    expect((await call('/pricing', { headers: { 'if-none-match': 'W/' + etag } })).status).toBe(304)
    expect((await call('/pricing', { headers: { 'if-none-match': '"stale"' } })).status).toBe(200)
    const head = await call('/pricing', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(etag)
    expect(await head.text()).toBe('')
  })

  // Catches two URLs for one page (duplicate content) or a lost query string (UTM parameters) on redirect.
  it('redirects other spellings of a page to its one URL, keeping the query', async () => {
    for (const [from, to] of [
      ['/index.html', '/'],
      ['/pricing.html?utm_campaign=x', '/pricing?utm_campaign=x'],
      ['/pricing/', '/pricing'],
      ['/help?utm_source=ad', '/help/?utm_source=ad'],
      ['/help/index.html', '/help/'],
      ['/dashboard', '/dashboard/'],
    ] as const) {
      const response = await get(from, { redirect: 'manual' })
      expect(response.status, from).toBe(307)
      expect(response.headers.get('location'), from).toBe(to)
    }
  })

  // Catches an empty or HTML error body where callers expect the API's JSON error shape.
  it('answers unknown paths 404 and writes to a static path 405, as JSON errors', async () => {
    const missing = await call('/nope')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error.code).toBe('not_found')
    expect((await call('/PRICING')).status).toBe(404) // paths are case-sensitive, as the assets binding's were
    const write = await call('/pricing', { method: 'POST', body: 'x' })
    expect(write.status).toBe(405)
    expect(write.headers.get('allow')).toBe('GET, HEAD')
    expect(((await write.json()) as any).error.code).toBe('method_not_allowed')
  })
})

describe('resolveStatic', () => {
  const file = (text: string) => ({ type: 'text/html; charset=utf-8', etag: `"${text}"`, text })
  const files: StaticFiles = { '/index.html': file('home'), '/a.html': file('a'), '/b/index.html': file('b'), '/x.js': file('x'), '/%.html': file('pct') }

  // Catches a path outside the bundle resolving to something, or a malformed escape throwing.
  it('resolves the same spellings as the assets binding’s auto-trailing-slash', () => {
    expect(resolveStatic(files, '/')).toEqual({ file: files['/index.html'] })
    expect(resolveStatic(files, '/a')).toEqual({ file: files['/a.html'] })
    expect(resolveStatic(files, '/b/')).toEqual({ file: files['/b/index.html'] })
    expect(resolveStatic(files, '/x.js')).toEqual({ file: files['/x.js'] })
    expect(resolveStatic(files, '/%25')).toEqual({ file: files['/%.html'] })
    expect(resolveStatic(files, '/a/')).toEqual({ redirect: '/a' })
    expect(resolveStatic(files, '/b')).toEqual({ redirect: '/b/' })
    expect(resolveStatic(files, '/x.js/')).toBeNull()
    expect(resolveStatic(files, '/%E0%A4%A')).toBeNull()
    expect(resolveStatic(files, '/constructor')).toBeNull()
    expect(resolveStatic(files, '/c')).toBeNull()
  })
})

// Static files: the SDK bundle, the dashboard shell and the demo site, bundled into the Worker at build
// time (see http/static-files.ts).
import { Hono } from 'hono'
import { STATIC_FILES } from '../generated/static-files'
import { ApiError, notFound } from '../http/errors'
import { resolveStatic, serveStatic } from '../http/static-files'

/** A static file of this Worker for a GET/HEAD request (the demo site edge mode proxies comes from here too). */
export const staticFile = (request: Request): Response | null => serveStatic(STATIC_FILES, request)

export const assetsApi = new Hono<{ Bindings: Env }>()
  .get('/sdk.js', (c) => {
    const asset = staticFile(c.req.raw)!
    // Revalidated by ETag after an hour; sites keep one unversioned script tag.
    asset.headers.set('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400')
    asset.headers.set('Access-Control-Allow-Origin', '*')
    return asset
  })
  .all('*', (c) => {
    const asset = c.req.method === 'GET' || c.req.method === 'HEAD' ? staticFile(c.req.raw) : null
    if (asset) return asset
    // A static path asked with another method, and unknown paths (`/API/sites`, `//api/sites`…), answer the API's JSON error shape.
    if (resolveStatic(STATIC_FILES, new URL(c.req.url).pathname)) throw new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here.`, undefined, { Allow: 'GET, HEAD' })
    return notFound(c)
  })

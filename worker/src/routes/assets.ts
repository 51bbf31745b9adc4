// Static files: the SDK bundle, the dashboard shell and the demo site, built into public/.
import { Hono } from 'hono'
import { notFound } from '../http/errors'

export const assetsApi = new Hono<{ Bindings: Env }>()
  .get('/sdk.js', async (c) => {
    const asset = await c.env.ASSETS.fetch(new Request(new URL('/sdk.js', c.req.url), c.req.raw))
    const response = new Response(asset.body, asset)
    // Revalidated by ETag after an hour; sites keep one unversioned script tag.
    if (asset.ok) response.headers.set('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400')
    response.headers.set('Access-Control-Allow-Origin', '*')
    return response
  })
  .all('*', async (c) => {
    const asset = await c.env.ASSETS.fetch(c.req.raw)
    // Unknown paths (`/API/sites`, `//api/sites`…) answer the API's JSON error shape, never an empty 404.
    return asset.status === 404 ? notFound(c) : asset
  })

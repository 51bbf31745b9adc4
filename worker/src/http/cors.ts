// CORS for the public endpoints: only a site's allowed origins may read its answers, errors included.
import type { MiddlewareHandler } from 'hono'
import type { Db } from '../db/client'
import { openDb } from '../db/client'
import { siteConfigs } from '../services/site-config'
import { isOriginAllowed } from '../domain/sites'

export const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
}

/** Echoes an allowed origin (never `*`), with Vary so caches keep answers apart. */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : { Vary: 'Origin' }
}

/**
 * CORS headers for an answer about `siteKey`: the origin is echoed only when it is on that site's allowlist,
 * so a foreign page cannot even tell a real site key from a made-up one.
 */
export async function corsForSite(db: Db, siteKey: unknown, origin: string | undefined): Promise<Record<string, string>> {
  if (!origin || typeof siteKey !== 'string' || siteKey.length === 0 || siteKey.length > 64) return corsHeaders(undefined)
  const { site } = await siteConfigs.get(db, siteKey, Date.now())
  return corsHeaders(site && isOriginAllowed(site.origins, origin) ? origin : undefined)
}

/** Error answers of the GET endpoints (`?site=KEY`) carry CORS headers for that site's allowed origins only. */
export const siteCorsOnErrors: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next()
  if (c.req.method !== 'GET' || c.res.status < 400) return
  const cors = await corsForSite(openDb(c.env.DB), c.req.query('site'), c.req.header('origin'))
  // In place: assigning c.res would merge the old headers (the reflected origin) back in.
  c.res.headers.delete('Access-Control-Allow-Origin')
  for (const [name, value] of Object.entries(cors)) c.res.headers.set(name, value)
}

// GET /v1/personalize (client mode), GET /v1/variants (landing-page builders), GET /v1/ping (no-op).
// Answers carry slot content and experience/variant ids only: never a score, an email or a stage.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { decide, deviceOf, needsExposures, needsLead, type Decision, type DecisionContext } from '../domain/experiences'
import { isOriginAllowed } from '../domain/sites'
import { openDb } from '../db/client'
import { decisionConfigs } from '../db/decision-cache'
import { loadVisitorState } from '../db/experiences'
import type { Job } from '../queue/jobs'
import { inAppMessagesFor } from '../flows/in-app'
import { corsHeaders } from '../http/cors'
import { ApiError } from '../http/errors'

type PublicEnv = { Bindings: Env }

const PageUrl = z
  .string()
  .max(4096)
  .transform((value, ctx) => {
    try {
      const url = new URL(value)
      if (url.protocol === 'http:' || url.protocol === 'https:') return url
    } catch {}
    ctx.addIssue({ code: 'custom', message: 'url must be an absolute http(s) URL' })
    return z.NEVER
  })

export const DecisionQuery = z.object({
  site: z.string().min(1).max(64),
  url: PageUrl,
  aid: z.string().min(1).max(128).optional(),
  /** The page's document.referrer (the request's own Referer is the page itself). */
  ref: z.string().max(4096).optional(),
  /** Exposures the SDK already reported (`expId.varId,…`): repeats need no write. */
  seen: z.string().max(2000).optional(),
})

/** Where the request comes from, as far as audiences care. */
export function requestContext(c: Context<PublicEnv>) {
  const cf = (c.req.raw as Request & { cf?: { country?: string } }).cf
  return {
    device: deviceOf(c.req.header('user-agent')),
    country: cf?.country ?? c.req.header('cf-ipcountry') ?? null,
    gpc: c.req.header('sec-gpc') === '1',
  }
}

/** Loads, checks site and origin, decides; records first exposures after the answer (waitUntil). */
export async function decideForRequest(
  c: Context<PublicEnv>,
  query: { site: string; url: URL; aid?: string; ref?: string; seen?: string },
  mode: 'client' | 'edge' | 'api',
): Promise<{ decision: Decision; siteId: string }> {
  const origin = c.req.header('origin')
  const { device, country, gpc } = requestContext(c)
  // Global Privacy Control: decide from the URL alone and remember nothing about the visitor.
  const visitorId = gpc ? null : (query.aid ?? null)
  const db = openDb(c.env.DB)
  const config = await decisionConfigs.get(db, query.site, Date.now())
  const site = config.site
  if (!site) throw new ApiError(401, 'unknown_site', 'Unknown site key.', undefined, corsHeaders(origin))
  if (origin && !isOriginAllowed(site.origins, origin)) {
    throw new ApiError(403, 'origin_not_allowed', 'This origin is not on the site’s allowed origins.', undefined, { Vary: 'Origin' })
  }
  const need = { lead: needsLead(config.experiences), exposures: needsExposures(config.experiences) }
  const visitor = visitorId ? await loadVisitorState(db, site.id, visitorId, need) : { lead: null, exposed: new Map<string, string>() }
  const ctx: DecisionContext = {
    url: query.url,
    referrer: query.ref ?? null,
    device,
    country,
    visitorId,
    lead: visitor.lead,
    exposed: visitor.exposed,
  }
  const decision = decide(config.experiences, ctx)
  const seen = new Set((query.seen ?? '').split(','))
  const fresh = decision.experiences.filter((d) => !seen.has(`${d.id}.${d.variant}`))
  if (visitorId && fresh.length > 0) {
    // Durable in the queue, batch-written by the consumer: no D1 write on the decision's path.
    const job: Job = { kind: 'exposures', siteId: site.id, anonymousId: visitorId, mode, at: Date.now(), decided: fresh }
    c.executionCtx.waitUntil(c.env.JOBS.send(job).catch((error) => console.error('exposure enqueue failed', error)))
  }
  return { decision, siteId: site.id }
}

function parseQuery(c: Context<PublicEnv>) {
  const parsed = DecisionQuery.safeParse(c.req.query())
  if (!parsed.success) {
    throw new ApiError(
      400,
      'invalid_request',
      'Expected ?site=KEY&url=PAGE_URL[&aid=ANONYMOUS_ID].',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      corsHeaders(c.req.header('origin')),
    )
  }
  return parsed.data
}

/** Variant answers without a visitor id use no per-visitor state: cached at the edge this long. */
export const VARIANTS_CACHE_SECONDS = 60

export const personalizeApi = new Hono<PublicEnv>()
  .get('/ping', (c) => c.json({}))
  .get('/personalize', async (c) => {
    const query = parseQuery(c)
    const { decision, siteId } = await decideForRequest(c, query, 'client')
    const gpc = requestContext(c).gpc
    const messages = query.aid && !gpc ? await inAppMessagesFor(openDb(c.env.DB), siteId, query.aid, Date.now()) : []
    return c.json({ ...decision, messages }, 200, { ...corsHeaders(c.req.header('origin')), 'Cache-Control': 'private, no-store' })
  })
  .get('/variants', async (c) => {
    const query = parseQuery(c)
    const cors = corsHeaders(c.req.header('origin'))
    if (query.aid) {
      const { decision } = await decideForRequest(c, query, 'api')
      return c.json(decision, 200, { ...cors, 'Cache-Control': 'private, no-store' })
    }
    // No visitor: the answer depends on the URL and the request's device/country only.
    const { device, country } = requestContext(c)
    const key = new URL('https://cairn-cache.internal/v1/variants')
    key.searchParams.set('site', query.site)
    key.searchParams.set('url', query.url.href)
    key.searchParams.set('ref', query.ref ?? '')
    key.searchParams.set('device', device)
    key.searchParams.set('country', country ?? '')
    const cache = (caches as unknown as { default: Cache }).default
    const hit = await cache.match(key)
    if (hit) {
      const body = await hit.text()
      return c.body(body, 200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${VARIANTS_CACHE_SECONDS}`, 'Cairn-Cache': 'hit' })
    }
    const { decision } = await decideForRequest(c, query, 'api')
    const body = JSON.stringify(decision)
    c.executionCtx.waitUntil(
      cache.put(key, new Response(body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${VARIANTS_CACHE_SECONDS}` } })),
    )
    return c.body(body, 200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${VARIANTS_CACHE_SECONDS}`, 'Cairn-Cache': 'miss' })
  })

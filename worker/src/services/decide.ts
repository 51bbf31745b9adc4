// Deciding a page for a visitor: client mode (/v1/personalize), edge mode (HTMLRewriter) and the variant
// API (/v1/variants, edge-cached when there is no visitor). Answers carry slot content and experience /
// variant ids only: never a score, an email or a stage.
import type { Context } from 'hono'
import type { Db } from '../db/client'
import { openDb } from '../db/client'
import { listExperiences, loadVisitorState, toExperience } from '../db/experiences'
import { decide, deviceOf, needsExposures, needsLead, type Decision, type DecisionContext } from '../domain/experiences'
import { isOriginAllowed } from '../domain/sites'
import { corsHeaders } from '../http/cors'
import { ApiError } from '../http/errors'
import { VARIANTS_CACHE_SECONDS } from '../limits'
import type { JobQueue } from '../queue/jobs'
import { exposureOutbox } from './exposure-outbox'
import { sentExposures } from './sent-exposures'
import { siteConfigs, type DecisionConfig } from './site-config'

type PublicEnv = { Bindings: Env }

export type DecisionMode = 'client' | 'edge' | 'api'
/** `newVisitor`: the id was minted for this very request (edge mode's first page), so nothing is stored for it yet. */
export type PageQuery = { site: string; url: URL; aid?: string; newVisitor?: boolean; ref?: string; seen?: string; automated?: '1' }
/** Where the request comes from, as far as audiences care. */
export type RequestFacts = { origin: string | undefined; device: DecisionContext['device']; country: string | null; gpc: boolean }

type RequestContext = Omit<RequestFacts, 'origin'>
/** Computed once per request (edge mode reads it before deciding, the decision again). */
const contexts = new WeakMap<Request, RequestContext>()

/**
 * The request's facts. `country` is read on first use only: materializing `request.cf` was the largest
 * single cost of Cairn's own code in a profile of an edge request, and most decisions never ask for it
 * (only country audiences and `{{country}}` tokens do).
 */
export function requestContext(c: Context<PublicEnv>): RequestContext {
  let context = contexts.get(c.req.raw)
  if (!context) {
    const raw = c.req.raw as Request & { cf?: { country?: string } }
    let country: string | null | undefined
    context = {
      device: deviceOf(c.req.header('user-agent')),
      gpc: c.req.header('sec-gpc') === '1',
      get country() {
        if (country === undefined) country = raw.cf?.country ?? raw.headers.get('cf-ipcountry') ?? null
        return country
      },
    }
    contexts.set(c.req.raw, context)
  }
  return context
}

const requestFacts = (c: Context<PublicEnv>): RequestFacts => {
  const context = requestContext(c)
  return {
    origin: c.req.header('origin'),
    device: context.device,
    gpc: context.gpc,
    get country() {
      return context.country
    },
  }
}

/** The site's cached configuration, or the 401/403 a public endpoint answers. */
async function configFor(db: Db, siteKey: string, origin: string | undefined, now: number): Promise<DecisionConfig & { site: NonNullable<DecisionConfig['site']> }> {
  const config = await siteConfigs.get(db, siteKey, now)
  const site = config.site
  if (!site) throw new ApiError(401, 'unknown_site', 'Unknown site key.', undefined, corsHeaders(origin))
  if (origin && !isOriginAllowed(site.origins, origin)) {
    throw new ApiError(403, 'origin_not_allowed', 'This origin is not on the site’s allowed origins.', undefined, { Vary: 'Origin' })
  }
  return { ...config, site }
}

/**
 * Decides the page; first exposures go to the queue after the answer (`defer`, e.g. waitUntil): durable
 * in the queue, batch-written by the consumer, no D1 write on the decision's path.
 */
export async function decidePage(
  db: Db,
  jobs: JobQueue,
  input: { query: PageQuery; request: RequestFacts; mode: DecisionMode; config?: DecisionConfig & { site: NonNullable<DecisionConfig['site']> } },
  now: number,
  defer: (work: Promise<unknown>) => void,
): Promise<{ decision: Decision; siteId: string }> {
  const { query, request, mode } = input
  // Global Privacy Control: decide from the URL alone and remember nothing about the visitor.
  const visitorId = request.gpc ? null : (query.aid ?? null)
  const config = input.config ?? (await configFor(db, query.site, request.origin, now))
  const site = config.site
  const need = { lead: needsLead(config.experiences), exposures: needsExposures(config.experiences) }
  // A visitor whose id was just minted has no lead and no exposures: no D1 round trip even for stage/score audiences.
  const visitor = visitorId && !query.newVisitor ? await loadVisitorState(db, site.id, visitorId, need) : { lead: null, exposed: new Map<string, string>() }
  const ctx: DecisionContext = {
    url: query.url,
    referrer: query.ref ?? null,
    device: request.device,
    get country() {
      return request.country
    },
    visitorId,
    lead: visitor.lead,
    exposed: visitor.exposed,
  }
  const decision = decide(config.experiences, ctx)
  const seen = new Set((query.seen ?? '').split(','))
  // An automated browser's exposures would skew results, unless the site accepts automated traffic (its own tests).
  const recorded = query.automated !== '1' || site.settings.acceptAutomated === true
  const fresh = visitorId && recorded ? sentExposures.unsent(site.id, visitorId, decision.experiences.filter((d) => !seen.has(`${d.id}.${d.variant}`))) : []
  if (visitorId && fresh.length > 0) exposureOutbox.add(jobs, { siteId: site.id, anonymousId: visitorId, mode, at: now, decided: fresh }, defer)
  return { decision, siteId: site.id }
}

/** A decision for this request (personalize, edge mode, variants with a visitor). */
export function decideForRequest(c: Context<PublicEnv>, query: PageQuery, mode: DecisionMode): Promise<{ decision: Decision; siteId: string }> {
  return decidePage(openDb(c.env.DB), c.env.JOBS, { query, request: requestFacts(c), mode }, Date.now(), (work) => c.executionCtx.waitUntil(work))
}

/**
 * Variants without a visitor id depend on the URL and the request's device/country only: answered from
 * the edge cache. The origin is checked on hits too, and the key carries the site's configuration
 * version, so an edited or paused experience stops being served once this isolate's configuration reloads.
 */
export async function anonymousVariants(c: Context<PublicEnv>, query: PageQuery): Promise<{ body: string; cache: 'hit' | 'miss' }> {
  const db = openDb(c.env.DB)
  const request = requestFacts(c)
  const now = Date.now()
  const config = await configFor(db, query.site, request.origin, now)
  const key = new URL('https://cairn-cache.internal/v1/variants')
  key.searchParams.set('site', query.site)
  key.searchParams.set('v', config.version)
  key.searchParams.set('url', query.url.href)
  key.searchParams.set('ref', query.ref ?? '')
  key.searchParams.set('device', request.device)
  key.searchParams.set('country', request.country ?? '')
  const cache = (caches as unknown as { default: Cache }).default
  const hit = await cache.match(key)
  if (hit) return { body: await hit.text(), cache: 'hit' }
  const defer = (work: Promise<unknown>) => c.executionCtx.waitUntil(work)
  const { decision } = await decidePage(db, c.env.JOBS, { query, request, mode: 'api', config }, now, defer)
  const body = JSON.stringify(decision)
  defer(cache.put(key, new Response(body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${VARIANTS_CACHE_SECONDS}` } })))
  return { body, cache: 'miss' }
}

/** What a visitor with these attributes would see on a URL, over all the site's experiences; records nothing. */
export async function previewDecision(db: Db, siteId: string, ctx: DecisionContext): Promise<Decision> {
  const all = (await listExperiences(db, siteId)).map(toExperience)
  return decide(all, ctx)
}

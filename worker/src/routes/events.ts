// POST /v1/events: read and validate the body, check site and origin, hand the batch to the ingest service → 202.
import { Hono, type Context } from 'hono'
import { EventBatch } from '../domain/events'
import { isOriginAllowed } from '../domain/sites'
import { openDb } from '../db/client'
import { findSiteByKey } from '../db/sites'
import { ApiError, errorResponse, invalidRequest, type ErrorIssue } from '../http/errors'
import { readBodyText } from '../http/body'
import { corsForSite, corsHeaders, PREFLIGHT_HEADERS } from '../http/cors'
import { INGEST_RETRY_AFTER_SECONDS, MAX_BATCH_EVENTS, MAX_BODY_BYTES } from '../limits'
import { ingestBatch } from '../services/ingest'
import { siteConfigs } from '../services/site-config'

type IngestEnv = { Bindings: Env }

function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'unknown'
}

export const eventsApi = new Hono<IngestEnv>()

eventsApi.options('/events', async (c) => {
  const origin = c.req.header('origin')
  const siteKey = c.req.query('site')
  const db = openDb(c.env.DB)
  const now = Date.now()
  // Both from the per-isolate site cache: a preflight storm costs no D1 round trip per request.
  const candidates = siteKey ? [(await siteConfigs.get(db, siteKey, now)).site?.origins ?? []] : await siteConfigs.allOrigins(db, now)
  const allowed = !!origin && candidates.some((origins) => isOriginAllowed(origins, origin))
  if (!allowed) return errorResponse(c, new ApiError(403, 'origin_not_allowed', 'This origin is not on the site’s allowed origins.', undefined, { Vary: 'Origin' }))
  return c.body(null, 204, { ...corsHeaders(origin), ...PREFLIGHT_HEADERS })
})

eventsApi.post('/events', async (c) => {
  const receivedAt = Date.now()
  const origin = c.req.header('origin')
  const db = openDb(c.env.DB)
  let siteKey: unknown
  // Errors echo the origin only when it is on the allowlist of the batch's site (none before the key is read).
  const fail = async (status: 400 | 401 | 403 | 413 | 429, code: string, message: string, extra?: { issues?: ErrorIssue[]; headers?: Record<string, string> }) =>
    new ApiError(status, code, message, extra?.issues, { ...(await corsForSite(db, siteKey, origin)), ...extra?.headers })

  const text = await readBodyText(c.req.raw, MAX_BODY_BYTES)
  if (text === null) throw await fail(413, 'payload_too_large', `The body is over ${MAX_BODY_BYTES} bytes.`)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw await fail(400, 'malformed_json', 'The body is not valid JSON.')
  }
  siteKey = (body as { site?: unknown } | null)?.site
  const batch = (body as { batch?: unknown } | null)?.batch
  if (Array.isArray(batch) && batch.length > MAX_BATCH_EVENTS) {
    throw await fail(413, 'too_many_events', `A batch holds at most ${MAX_BATCH_EVENTS} events; split it.`)
  }

  const { success: underLimit } = await c.env.INGEST_LIMITER.limit({ key: `${typeof siteKey === 'string' ? siteKey : ''}|${clientIp(c)}` })
  if (!underLimit) throw await fail(429, 'rate_limited', 'Too many requests; retry later.', { headers: { 'Retry-After': String(INGEST_RETRY_AFTER_SECONDS) } })

  const parsed = EventBatch.safeParse(body)
  if (!parsed.success) {
    const error = invalidRequest(parsed.error)
    throw await fail(400, error.code, error.message, { issues: error.issues })
  }

  const site = await findSiteByKey(db, parsed.data.site)
  if (!site) throw await fail(401, 'unknown_site', 'Unknown site key.')
  if (origin && !isOriginAllowed(site.origins, origin)) {
    throw await fail(403, 'origin_not_allowed', 'This origin is not on the site’s allowed origins.')
  }
  const cors = corsHeaders(origin)

  const mode = c.env.INGEST_MODE === 'queue' ? 'queue' : 'direct'
  const result = await ingestBatch(db, c.env.JOBS, { site, batch: parsed.data, userAgent: c.req.header('user-agent'), mode }, receivedAt)
  if (result.ignored !== undefined) return c.json({ accepted: 0, duplicates: result.duplicates, ignored: result.ignored }, 202, cors)
  // Outside production, report the D1 cost of the request (the bench's rows-per-event budget). Never in
  // production: whether an identify wrote a merge would tell a caller that an email is a known lead.
  const diagnostics: Record<string, string> =
    c.env.ENVIRONMENT === 'production' ? {} : { 'Cairn-D1-Rows-Written': String(result.rowsWritten) }
  return c.json({ accepted: result.accepted, duplicates: result.duplicates }, 202, { ...cors, ...diagnostics })
})

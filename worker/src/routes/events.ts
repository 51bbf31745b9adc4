// POST /v1/events: validate → dedupe → write events and lead changes in one D1 transaction → 202.
import { Hono, type Context } from 'hono'
import { ignoredTraffic } from '../domain/bots'
import { EventBatch, MAX_BATCH_EVENTS, MAX_BODY_BYTES, dedupeBatch, normalizeEvent } from '../domain/events'
import { isOriginAllowed } from '../domain/sites'
import { openDb } from '../db/client'
import { storeEvents, storedEventIds } from '../db/ingest'
import { countIgnoredTraffic, findSiteByKey, listSites } from '../db/sites'
import { ApiError, invalidRequest } from '../http/errors'
import { readBodyText } from '../http/body'
import { corsHeaders, PREFLIGHT_HEADERS } from '../http/cors'
import type { Job } from '../queue/jobs'

type IngestEnv = { Bindings: Env }

function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'unknown'
}

export const eventsApi = new Hono<IngestEnv>()

eventsApi.options('/events', async (c) => {
  const origin = c.req.header('origin')
  const siteKey = c.req.query('site')
  const db = openDb(c.env.DB)
  const candidates = siteKey ? [await findSiteByKey(db, siteKey)] : await listSites(db)
  const allowed = !!origin && candidates.some((site) => site && isOriginAllowed(site.origins, origin))
  if (!allowed) return c.body(null, 403, { Vary: 'Origin' })
  return c.body(null, 204, { ...corsHeaders(origin), ...PREFLIGHT_HEADERS })
})

eventsApi.post('/events', async (c) => {
  const receivedAt = Date.now()
  const origin = c.req.header('origin')
  const cors = corsHeaders(origin)
  const fail = (status: 400 | 401 | 403 | 413 | 429, code: string, message: string, extra?: Record<string, string>) =>
    new ApiError(status, code, message, undefined, { ...(status === 403 ? { Vary: 'Origin' } : cors), ...extra })

  const text = await readBodyText(c.req.raw, MAX_BODY_BYTES)
  if (text === null) throw fail(413, 'payload_too_large', `The body is over ${MAX_BODY_BYTES} bytes.`)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw fail(400, 'malformed_json', 'The body is not valid JSON.')
  }
  const batch = (body as { batch?: unknown } | null)?.batch
  if (Array.isArray(batch) && batch.length > MAX_BATCH_EVENTS) {
    throw fail(413, 'too_many_events', `A batch holds at most ${MAX_BATCH_EVENTS} events; split it.`)
  }

  const siteKey = typeof (body as { site?: unknown })?.site === 'string' ? (body as { site: string }).site : ''
  const { success: underLimit } = await c.env.INGEST_LIMITER.limit({ key: `${siteKey}|${clientIp(c)}` })
  if (!underLimit) throw fail(429, 'rate_limited', 'Too many requests; retry later.', { 'Retry-After': '60' })

  const parsed = EventBatch.safeParse(body)
  if (!parsed.success) {
    const error = invalidRequest(parsed.error)
    throw new ApiError(400, error.code, error.message, error.issues, cors)
  }

  const db = openDb(c.env.DB)
  const site = await findSiteByKey(db, parsed.data.site)
  if (!site) throw fail(401, 'unknown_site', 'Unknown site key.')
  if (origin && !isOriginAllowed(site.origins, origin)) {
    throw fail(403, 'origin_not_allowed', 'This origin is not on the site’s allowed origins.')
  }

  const { unique, repeats } = dedupeBatch(parsed.data.batch)
  const ignored = ignoredTraffic(c.req.header('user-agent'), {
    acceptAutomated: site.settings.acceptAutomated,
    automatedBrowser: parsed.data.automated,
  })
  if (ignored) {
    if (unique.length > 0) await countIgnoredTraffic(db, site.id, ignored, unique.length)
    return c.json({ accepted: 0, duplicates: repeats, ignored: unique.length }, 202, cors)
  }

  const events = unique.map((event) => normalizeEvent(event, parsed.data.sentAt, receivedAt))
  let accepted: number
  let rowsWritten = 0
  if ((c.env.INGEST_MODE as string) === 'queue') {
    // Durable once the queue has the message; the consumer writes D1 (idempotently) in batches.
    const stored = await storedEventIds(db, site.id, events.map((e) => e.eventId))
    const fresh = events.filter((e) => !stored.has(e.eventId))
    if (fresh.length > 0) await c.env.JOBS.send({ kind: 'ingest', siteId: site.id, receivedAt, events: fresh } satisfies Job)
    accepted = fresh.length
  } else {
    ;({ accepted, rowsWritten } = await storeEvents(db, site, events, receivedAt))
  }
  // Outside production, report the D1 cost of the request (the bench's rows-per-event budget). Never in
  // production: whether an identify wrote a merge would tell a caller that an email is a known lead.
  const diagnostics: Record<string, string> =
    c.env.ENVIRONMENT === 'production' ? {} : { 'Cairn-D1-Rows-Written': String(rowsWritten) }
  return c.json({ accepted, duplicates: parsed.data.batch.length - accepted }, 202, { ...cors, ...diagnostics })
})

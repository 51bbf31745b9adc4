// GET /v1/personalize (client mode), GET /v1/variants (landing-page builders), GET /v1/ping (no-op).
// Answers carry slot content and experience/variant ids only: never a score, an email or a stage.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { corsHeaders } from '../http/cors'
import { ApiError } from '../http/errors'
import { VARIANTS_CACHE_SECONDS } from '../limits'
import { anonymousVariants, decideForRequest } from '../services/decide'
import { openDb } from '../db/client'
import { inAppMessagesFor } from '../services/flows/in-app'

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

export const personalizeApi = new Hono<PublicEnv>()
  .get('/ping', (c) => c.json({}))
  .get('/personalize', async (c) => {
    const query = parseQuery(c)
    const { decision, siteId } = await decideForRequest(c, query, 'client')
    // The visitor's own in-app messages; none under Global Privacy Control (no visitor is remembered).
    const messages = query.aid && c.req.header('sec-gpc') !== '1' ? await inAppMessagesFor(openDb(c.env.DB), siteId, query.aid, Date.now()) : []
    return c.json({ ...decision, messages }, 200, { ...corsHeaders(c.req.header('origin')), 'Cache-Control': 'private, no-store' })
  })
  .get('/variants', async (c) => {
    const query = parseQuery(c)
    const cors = corsHeaders(c.req.header('origin'))
    if (query.aid) {
      const { decision } = await decideForRequest(c, query, 'api')
      return c.json(decision, 200, { ...cors, 'Cache-Control': 'private, no-store' })
    }
    const { body, cache } = await anonymousVariants(c, query)
    return c.body(body, 200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${VARIANTS_CACHE_SECONDS}`, 'Cairn-Cache': cache })
  })

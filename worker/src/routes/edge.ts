// Edge mode: the Worker fetches the site's page and fills its slots with HTMLRewriter while the HTML
// streams — no flicker, no second round trip — and keeps the visitor id in a first-party cookie.
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { VISITOR_COOKIE } from '../../../contract/names'
import type { SiteRow } from '../db/schema'
import { ApiError } from '../http/errors'
import { decideForRequest, requestContext } from '../services/decide'

type EdgeEnv = { Bindings: Env }

const ONE_YEAR = 365 * 24 * 3600
/** Request headers not forwarded to the origin (hop-by-hop, Cloudflare's own). */
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'cf-connecting-ip', 'cf-ipcountry', 'cf-ray', 'cf-visitor', 'x-forwarded-proto'])

/** Forwards the request to the origin; a site served by this very Worker (the demo) is read from its assets. */
async function fetchOrigin(c: Context<EdgeEnv>, target: URL): Promise<Response> {
  const headers = new Headers()
  for (const [name, value] of c.req.raw.headers) if (!DROPPED.has(name.toLowerCase())) headers.set(name, value)
  headers.set('x-forwarded-host', new URL(c.req.url).host)
  const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD'
  const init: RequestInit = { method: c.req.method, headers, redirect: 'manual', ...(hasBody ? { body: c.req.raw.body } : {}) }
  if (target.host === new URL(c.req.url).host) return c.env.ASSETS.fetch(new Request(target, init))
  return fetch(new Request(target, init))
}

const originTarget = (site: SiteRow, path: string, search: string) => {
  const target = new URL(site.origin!)
  target.pathname = `${target.pathname.replace(/\/$/, '')}/${path.replace(/^\//, '')}`
  target.search = search
  return target
}

/** Proxies `path` (with the query string kept) of the site's origin, personalizing HTML pages. */
export async function serveEdge(c: Context<EdgeEnv>, site: SiteRow, path: string): Promise<Response> {
  if (!site.origin) throw new ApiError(404, 'edge_not_configured', 'This site has no origin for edge mode.')
  const incoming = new URL(c.req.url)
  const target = originTarget(site, path, incoming.search)
  // Form posts and other writes go to the site untouched: only pages are personalized.
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return fetchOrigin(c, target)

  const { gpc } = requestContext(c)
  const known = getCookie(c, VISITOR_COOKIE)
  const visitorId = gpc ? undefined : known && /^[\w-]{1,128}$/.test(known) ? known : `a_${crypto.randomUUID()}`
  // The page URL the visitor sees: audiences match its path and UTM parameters.
  const pageUrl = new URL(target.pathname + target.search, site.origin)
  const [origin, decided] = await Promise.all([
    fetchOrigin(c, target),
    decideForRequest(c, { site: site.key, url: pageUrl, aid: visitorId, ref: c.req.header('referer') }, 'edge'),
  ])

  const type = origin.headers.get('content-type') ?? ''
  if (!origin.ok || !type.includes('text/html')) return origin

  const { slots, experiences } = decided.decision
  // The SDK on this page does not ask again; it reads the applied experiences (for ready and vitals).
  const applied = experiences.map((e) => `${e.id}:${e.variant}`).join(',')
  const rewriter = new HTMLRewriter()
    .on('html', {
      element(element) {
        element.setAttribute('data-cairn-edge', applied)
      },
    })
    .on('[data-cairn-slot]', {
      element(element) {
        const name = element.getAttribute('data-cairn-slot')
        if (name !== null && Object.hasOwn(slots, name)) {
          // Slot content is a safe fragment: inline tags from the marketer, escaped visitor values.
          element.setInnerContent(slots[name]!, { html: true })
        }
        element.setAttribute('data-cairn-done', '')
      },
    })
  const response = new Response(rewriter.transform(origin).body, origin)
  response.headers.delete('content-length')
  response.headers.set('Cache-Control', 'private, no-store')
  if (visitorId && visitorId !== known) {
    const secure = incoming.protocol === 'https:' ? '; Secure' : ''
    response.headers.append('Set-Cookie', `${VISITOR_COOKIE}=${visitorId}; Max-Age=${ONE_YEAR}; Path=/; SameSite=Lax${secure}`)
  }
  return response
}

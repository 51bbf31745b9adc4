// Edge mode: the Worker fetches the site's page and fills its slots with HTMLRewriter while the HTML
// streams — no flicker, no second round trip — and keeps the visitor id in a first-party cookie.
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { EDGE_DECISION, VISITOR_COOKIE } from '../../../contract/names'
import type { SiteRow } from '../db/schema'
import { asciiHtml, forwardedRequestHeaders, httpOrigin, proxiedResponseHeaders, type Mount, type ProxyUrls } from '../domain/proxy'
import { ApiError } from '../http/errors'
import { decideForRequest, requestContext } from '../services/decide'
import { openDb } from '../db/client'
import { edgeMessagesScript } from '../domain/flows/messages'
import { inAppMessagesFor } from '../services/flows/in-app'
import { staticFile } from './assets'

type EdgeEnv = { Bindings: Env }

const ONE_YEAR = 365 * 24 * 3600

/** Forwards the request to the origin; a site served by this very Worker (the demo) is read from its static files. */
async function fetchOrigin(c: Context<EdgeEnv>, target: URL, incoming: URL): Promise<Response> {
  const headers = forwardedRequestHeaders(c.req.raw.headers, incoming.host)
  const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD'
  const init: RequestInit = { method: c.req.method, headers, redirect: 'manual', ...(hasBody ? { body: c.req.raw.body } : {}) }
  if (target.host === incoming.host) {
    const own = hasBody ? null : staticFile(new Request(target, init))
    return own ?? new Response('Not found', { status: hasBody ? 405 : 404, headers: { 'Content-Type': 'text/plain' } })
  }
  return fetch(new Request(target, init))
}

const originTarget = (origin: URL, path: string, search: string) => {
  const target = new URL(origin)
  target.pathname = `${target.pathname.replace(/\/$/, '')}/${path.replace(/^\//, '')}`
  target.search = search
  return target
}

/** Proxies `path` (with the query string kept) of the site's origin, personalizing HTML pages. */
export async function serveEdge(c: Context<EdgeEnv>, site: SiteRow, path: string, mount: Mount): Promise<Response> {
  const origin = httpOrigin(site.origin)
  if (!origin) throw new ApiError(404, 'edge_not_configured', 'This site has no http(s) origin for edge mode.')
  const incoming = new URL(c.req.url)
  const urls: ProxyUrls = { site: origin, fetched: originTarget(origin, path, incoming.search), visitor: incoming }
  const proxied = (answer: Response, body: ReadableStream | null = answer.body) =>
    new Response(body, { status: answer.status, statusText: answer.statusText, headers: proxiedResponseHeaders(answer.headers, mount, urls) })
  // Form posts and other writes go to the site untouched: only pages are personalized.
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return proxied(await fetchOrigin(c, urls.fetched, incoming))

  const { gpc } = requestContext(c)
  const known = getCookie(c, VISITOR_COOKIE)
  // GPC: nobody is remembered. A site that asks consent first: only the id its SDK stored after a yes.
  const mayMint = site.settings.consentRequired !== true
  const visitorId = gpc ? undefined : known && /^[\w-]{1,128}$/.test(known) ? known : mayMint ? `a_${crypto.randomUUID()}` : undefined
  const [answer, decided, messages] = await Promise.all([
    fetchOrigin(c, urls.fetched, incoming),
    // Audiences match the page's URL at the origin: its path and UTM parameters.
    decideForRequest(c, { site: site.key, url: urls.fetched, aid: visitorId, newVisitor: visitorId !== known, ref: c.req.header('referer') }, 'edge'),
    // Her due in-app messages, as /v1/personalize lists them: only a returning visitor can have any (no
    // cookie yet: no lead; GPC: nobody remembered). A failed read costs the messages, never the page.
    visitorId && visitorId === known ? inAppMessagesFor(openDb(c.env.DB), site.id, visitorId, Date.now()).catch(() => []) : [],
  ])

  const type = answer.headers.get('content-type') ?? ''
  const redirect = answer.status >= 300 && answer.status < 400 && answer.headers.has('location')
  let response: Response
  if (answer.ok && type.includes('text/html')) {
    const rewritten = personalizedBody(answer, decided.decision, messages.length > 0 ? edgeMessagesScript(messages) : null)
    response = proxied(answer, rewritten)
    if (rewritten !== answer.body) response.headers.delete('content-length')
    response.headers.set('Cache-Control', 'private, no-store')
    // The SDK reads the decision here and does not ask again (see contract/names.ts).
    response.headers.append('Server-Timing', `${EDGE_DECISION};desc="${appliedOf(decided.decision)}"`)
  } else if (redirect) {
    response = proxied(answer)
  } else {
    return proxied(answer)
  }
  // The visitor keeps her id through redirects too (an ad's landing URL often redirects first).
  if (visitorId && visitorId !== known) {
    const secure = incoming.protocol === 'https:' ? '; Secure' : ''
    response.headers.append('Set-Cookie', `${VISITOR_COOKIE}=${visitorId}; Max-Age=${ONE_YEAR}; Path=/; SameSite=Lax${secure}`)
  }
  return response
}

type Decided = Awaited<ReturnType<typeof decideForRequest>>['decision']

/** The applied experiences, "expId:varId,…" (ids are word characters: safe in a header's quoted string). */
const appliedOf = ({ experiences }: Decided) => experiences.map((e) => `${e.id}:${e.variant}`.replace(/[^\w:-]/g, '')).join(',')

/**
 * A decision that fills no slot (nothing matched, or the control group) and no in-app message to add
 * leaves the page's bytes as the origin sent them: the body streams through natively, no parser and no
 * JavaScript per chunk (the decision travels in Server-Timing). `messages`: the `<script>` blob to append
 * to `<body>`, if any.
 */
function personalizedBody(page: Response, decided: Decided, messages: string | null): ReadableStream | null {
  if (!page.body || (messages === null && Object.keys(decided.slots).length === 0)) return page.body
  // The rewriter decodes by the page's declared charset: it keeps the origin's Content-Type.
  return personalize(page.body, page.headers.get('content-type') ?? 'text/html', decided, messages)
}

function personalize(page: ReadableStream, contentType: string, decided: Decided, messages: string | null): ReadableStream {
  const { slots } = decided
  const applied = appliedOf(decided)
  let appended = messages === null
  const rewriter = new HTMLRewriter()
  if (!appended) {
    // At the end of <body>, once (the SDK reads it when the document is parsed); a page without a
    // </body> gets it at the end of the document, where the parser still puts it into <body>.
    rewriter
      .on('body', {
        element(element) {
          element.onEndTag((end) => {
            if (appended) return
            appended = true
            end.before(messages!, { html: true })
          })
        },
      })
      .onDocument({
        end(end) {
          if (!appended) end.append(messages!, { html: true })
        },
      })
  }
  return rewriter
    .on('html', {
      element(element) {
        element.setAttribute(`data-${EDGE_DECISION}`, applied)
      },
    })
    .on('[data-cairn-slot]', {
      element(element) {
        const name = element.getAttribute('data-cairn-slot')
        if (name !== null && Object.hasOwn(slots, name)) {
          // Slot content is a safe fragment (inline tags from the marketer, escaped visitor values), written
          // in ASCII so it reads right whatever charset the page declares.
          element.setInnerContent(asciiHtml(slots[name]!), { html: true })
        }
        element.setAttribute('data-cairn-done', '')
      },
    })
    .transform(new Response(page, { headers: { 'content-type': contentType } })).body!
}

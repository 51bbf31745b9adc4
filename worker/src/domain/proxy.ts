// What edge mode lets through between a visitor and a site's origin: pure header, cookie, redirect and
// text rewrites, so proxied content never acts on Cairn's host beyond the site's own mount point.

/** How a proxied site is mounted: under `/edge/KEY` on the shared edge host, or at `/` on its own hostname. */
export type Mount = { prefix: string; shared: boolean }

/** The site's configured origin, the URL fetched from it, and the URL the visitor asked for. */
export type ProxyUrls = { site: URL; fetched: URL; visitor: URL }

/** Request headers the origin never sees: hop-by-hop, Cloudflare's own, the visitor's credentials for Cairn, spoofable client IPs. */
const DROPPED_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'cf-connecting-ip',
  'cf-ipcountry',
  'cf-ray',
  'cf-visitor',
  'x-forwarded-proto',
  'x-forwarded-for',
  'x-real-ip',
  'authorization',
  'proxy-authorization',
  'cookie',
])

/** Cairn's own cookies: the visitor id is Cairn's, never the origin's business. */
const CAIRN_COOKIES = new Set(['cairn_aid'])

/** The headers forwarded to the origin, with the client IP taken from Cloudflare only. */
export function forwardedRequestHeaders(incoming: Headers, visitorHost: string): Headers {
  const headers = new Headers()
  for (const [name, value] of incoming) if (!DROPPED_REQUEST.has(name.toLowerCase())) headers.set(name, value)
  const cookies = (incoming.get('cookie') ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair && !CAIRN_COOKIES.has(pair.split('=')[0]!.trim()))
  if (cookies.length > 0) headers.set('cookie', cookies.join('; '))
  const ip = incoming.get('cf-connecting-ip')
  if (ip) {
    headers.set('x-forwarded-for', ip)
    headers.set('x-real-ip', ip)
  }
  headers.set('x-forwarded-host', visitorHost)
  return headers
}

/**
 * Response headers dropped on the shared edge host, where many sites live on one origin: each would act on
 * the whole host (every site and Cairn's own cookie) instead of the one site.
 */
const DROPPED_ON_SHARED_HOST = [
  'service-worker-allowed', // would let a proxied worker claim scope `/`, i.e. every site on the host
  'clear-site-data', // would wipe every site's cookies and storage on the host
  'strict-transport-security', // transport policy of Cairn's host (and its subdomains), not the origin's
  'alt-svc', // protocol advertisement for Cairn's host
  'set-cookie', // re-added below, scoped to the site's path
]

/** Copies the origin's response headers, fit for the mount; Set-Cookie and Location are rewritten. */
export function proxiedResponseHeaders(origin: Headers, mount: Mount, urls: ProxyUrls): Headers {
  const headers = new Headers(origin)
  if (mount.shared) {
    for (const name of DROPPED_ON_SHARED_HOST) headers.delete(name)
    for (const cookie of origin.getSetCookie()) {
      const scoped = scopeSetCookie(cookie, mount.prefix)
      if (scoped) headers.append('set-cookie', scoped)
    }
  }
  const location = origin.get('location')
  if (location !== null) headers.set('location', rewriteLocation(location, mount, urls))
  return headers
}

/**
 * Confines a cookie the origin sets to the site's mount: `Path` moves under the prefix and `Domain` goes (a
 * host-only cookie). `__Host-` cookies must have `Path=/`, so they cannot be confined: null drops them.
 */
export function scopeSetCookie(setCookie: string, prefix: string): string | null {
  const [pair, ...attributes] = setCookie.split(';')
  const name = pair!.split('=')[0]!.trim()
  if (!name || /^__host-/i.test(name) || CAIRN_COOKIES.has(name)) return null
  let path = '/'
  const kept: string[] = []
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=')
    const lower = key!.trim().toLowerCase()
    if (lower === 'domain') continue
    if (lower === 'path') {
      const value = rest.join('=').trim()
      if (value.startsWith('/')) path = value
      continue
    }
    if (attribute.trim()) kept.push(attribute.trim())
  }
  return [pair!.trim(), `Path=${prefix}${path}`, ...kept].join('; ')
}

/**
 * A redirect that stays on the origin stays in the proxy (`/new` → `/edge/KEY/new`); one that leaves the
 * origin passes through unchanged.
 */
export function rewriteLocation(location: string, mount: Mount, { site, fetched, visitor }: ProxyUrls): string {
  let target: URL
  try {
    target = new URL(location, fetched)
  } catch {
    return location
  }
  const base = site.pathname.replace(/\/$/, '') // the site's base path is the mount's root
  const inside = target.pathname === base || target.pathname.startsWith(`${base}/`)
  if (target.origin !== site.origin || !inside) return location
  const path = `${mount.prefix}${target.pathname.slice(base.length) || '/'}${target.search}${target.hash}`
  return mount.shared ? path : new URL(path, visitor).href
}

/** The origin URL of a site, or null when it is not an http(s) URL (edge mode is then off for it). */
export function httpOrigin(origin: string | null): URL | null {
  if (!origin) return null
  try {
    const url = new URL(origin)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
  } catch {
    return null
  }
}

/**
 * Non-ASCII characters as numeric character references: correct in any ASCII-compatible charset the page
 * declares (UTF-8, windows-1252, ISO-8859-x, Shift_JIS…), since the rewriter cannot know a `<meta>` charset.
 */
export function asciiHtml(fragment: string): string {
  let out = ''
  for (const char of fragment) {
    const code = char.codePointAt(0)!
    // A lone surrogate has no character to refer to: the replacement character is what parsers show anyway.
    out += code < 0x80 ? char : `&#x${(code >= 0xd800 && code <= 0xdfff ? 0xfffd : code).toString(16)};`
  }
  return out
}

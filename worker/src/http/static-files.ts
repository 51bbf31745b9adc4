// Static files (the SDK, the dashboard shell, the demo site) served from the Worker's own bundle. With a
// platform assets binding and `run_worker_first`, an asset router runs in front of every request, the
// proxied pages and the API included: measured in the edge bench, that hop was most of what edge mode
// cost over a bare proxy on a small page. Paths resolve as the assets binding's default
// (`auto-trailing-slash`) did: `/pricing` serves pricing.html, `/help/` help/index.html, and the other
// spellings redirect (307) to those.

export type StaticFile = { type: string; etag: string; text?: string; base64?: string }
export type StaticFiles = Record<string, StaticFile>

/** Revalidated on every use (by ETag), as the assets binding answers by default. */
const CACHE_CONTROL = 'public, max-age=0, must-revalidate'

export type StaticMatch = { file: StaticFile } | { redirect: string } | null

/** The file a request path names, or where its canonical spelling is, or null. */
export function resolveStatic(files: StaticFiles, pathname: string): StaticMatch {
  let path: string
  try {
    path = decodeURIComponent(pathname)
  } catch {
    return null
  }
  const at = (name: string) => (Object.hasOwn(files, name) ? files[name]! : undefined)
  if (path.endsWith('/index.html') && at(path)) return { redirect: path.slice(0, -'index.html'.length) }
  if (path.endsWith('.html') && at(path)) return { redirect: path.slice(0, -'.html'.length) }
  const exact = at(path)
  if (exact) return { file: exact }
  if (path.endsWith('/')) {
    const index = at(`${path}index.html`)
    if (index) return { file: index }
    if (path.length > 1 && at(`${path.slice(0, -1)}.html`)) return { redirect: path.slice(0, -1) }
    return null
  }
  const page = at(`${path}.html`)
  if (page) return { file: page }
  if (at(`${path}/index.html`)) return { redirect: `${path}/` }
  return null
}

const encoder = new TextEncoder()
/** Each file's bytes, encoded once per isolate. */
const bytesOf = new WeakMap<StaticFile, Uint8Array>()

function bodyOf(file: StaticFile): Uint8Array {
  let bytes = bytesOf.get(file)
  if (!bytes) {
    bytes = file.text !== undefined ? encoder.encode(file.text) : Uint8Array.from(atob(file.base64 ?? ''), (c) => c.charCodeAt(0))
    bytesOf.set(file, bytes)
  }
  return bytes
}

/** Whether an If-None-Match header names this ETag (weak or strong, or `*`). */
const matchesEtag = (header: string | null, etag: string) =>
  header !== null && header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}`
  })

/**
 * The static file for a GET or HEAD, a 304 when the client holds it, a 307 to its canonical path, or null
 * (not a static file: the caller answers 404 or 405).
 */
export function serveStatic(files: StaticFiles, request: Request): Response | null {
  const url = new URL(request.url)
  const match = resolveStatic(files, url.pathname)
  if (!match) return null
  if ('redirect' in match) return new Response(null, { status: 307, headers: { Location: encodeURI(match.redirect) + url.search } })
  const { file } = match
  const headers = { 'Content-Type': file.type, 'Cache-Control': CACHE_CONTROL, ETag: file.etag }
  if (matchesEtag(request.headers.get('if-none-match'), file.etag)) return new Response(null, { status: 304, headers })
  const body = bodyOf(file)
  return new Response(request.method === 'HEAD' ? null : body, { headers: { ...headers, 'Content-Length': String(body.length) } })
}

// Which host answers what: the admin host serves the dashboard and the admin API and never a site's
// content; every other host serves edge mode and the public endpoints, and never the dashboard or /api.
import type { Context, MiddlewareHandler } from 'hono'
import type { SiteRow } from '../db/schema'
import type { Mount } from '../domain/proxy'
import { ApiError, notFound } from './errors'

type HostEnv = { Bindings: Env }

/** The admin host name (no port) from `ADMIN_HOST`, or null when unset (edge mode under /edge/ is then off). */
export function adminHostOf(env: Env): string | null {
  const value = ((env as Env & { ADMIN_HOST?: string }).ADMIN_HOST ?? '').trim().toLowerCase()
  return value ? value.replace(/:\d+$/, '') : null
}

/** On a site's own hostname only the SDK's endpoints are Cairn's; every other path is the site's. */
const SDK_PATHS = /^\/(v1\/|sdk(-[\w-]+)?\.js$)/

/** The path as a file server might read it: decoded, lower-cased, repeated slashes collapsed. */
function looseForm(pathname: string): string {
  let path = pathname
  try {
    path = decodeURIComponent(pathname)
  } catch {}
  return path.toLowerCase().replace(/\/{2,}/g, '/')
}

const ADMIN_PATHS = /^\/(dashboard|api)(\/|$)/
const EDGE_PATHS = /^\/edge(\/|$)/

export type SiteServer = (c: Context<HostEnv>, site: SiteRow, path: string, mount: Mount) => Promise<Response>
export type HostRoutingOptions = { findSiteByHostname: (env: Env, hostname: string) => Promise<SiteRow | undefined>; serveSite: SiteServer }

export const hostRouting =
  ({ findSiteByHostname, serveSite }: HostRoutingOptions): MiddlewareHandler<HostEnv> =>
  async (c, next) => {
    const { pathname, hostname } = new URL(c.req.url)
    const adminHost = adminHostOf(c.env)
    if (adminHost !== null && hostname === adminHost) {
      // Proxied pages never run on the origin that holds the admin token.
      if (EDGE_PATHS.test(looseForm(pathname))) {
        throw new ApiError(404, 'edge_not_on_admin_host', 'Edge mode is served on the public host, never on the admin host.')
      }
      return next()
    }
    if (SDK_PATHS.test(pathname)) return next()
    const site = await findSiteByHostname(c.env, hostname)
    if (site) return serveSite(c, site, pathname, { prefix: '', shared: false })
    if (adminHost !== null && ADMIN_PATHS.test(looseForm(pathname))) return notFound(c)
    return next()
  }

/** `/edge/KEY/…` needs a separate admin host: without one it would share the dashboard's origin. */
export function requireSeparateAdminHost(env: Env): void {
  if (adminHostOf(env) === null) {
    throw new ApiError(404, 'edge_disabled', 'Edge mode under /edge/ is off: set ADMIN_HOST so the dashboard has a host of its own.')
  }
}

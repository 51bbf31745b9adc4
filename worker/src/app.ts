// The HTTP surface: edge mode for sites' hostnames, public /v1, admin /api, health, static assets.
import { Hono } from 'hono'
import { openDb } from './db/client'
import { adminAuth } from './http/admin-auth'
import { hostRouting, requireSeparateAdminHost } from './http/hosts'
import { siteCorsOnErrors } from './http/cors'
import { ApiError, notFound, onError } from './http/errors'
import { adsApi } from './routes/ads'
import { assetsApi } from './routes/assets'
import { serveEdge } from './routes/edge'
import { eventsApi } from './routes/events'
import { emailLinksApi } from './routes/email-links'
import { experiencesApi } from './routes/experiences'
import { flowsApi } from './routes/flows'
import { healthApi } from './routes/health'
import { leadsApi } from './routes/leads'
import { messagesApi } from './routes/messages'
import { metricsApi } from './routes/metrics'
import { personalizeApi } from './routes/personalize'
import { rulesApi } from './routes/rules'
import { sitesApi } from './routes/sites'
import { siteConfigs } from './services/site-config'

const isDevelopment = (env: Env) => env.ENVIRONMENT === 'development'

const api = new Hono<{ Bindings: Env }>()
api.use('*', adminAuth({ isDevelopment }))
api.route('/sites', sitesApi)
api.route('/sites', leadsApi)
api.route('/sites', rulesApi)
api.route('/sites', experiencesApi)
api.route('/sites', adsApi)
api.route('/sites', metricsApi)
api.route('/sites', flowsApi)
api.route('/sites', messagesApi)
api.all('*', (c) => notFound(c))

const publicApi = new Hono<{ Bindings: Env }>()
publicApi.use('*', siteCorsOnErrors)
publicApi.route('/', eventsApi)
publicApi.route('/', personalizeApi)
publicApi.all('*', (c) => notFound(c))

export const app = new Hono<{ Bindings: Env }>()
app.onError(onError)
// The hostname → site map is cached per isolate with the site configuration: no D1 read for a non-site host once warm.
app.use('*', hostRouting({ findSiteByHostname: (env, hostname) => siteConfigs.siteForHostname(openDb(env.DB), hostname, Date.now()), serveSite: serveEdge }))
app.all('/edge/:key/*', async (c) => {
  requireSeparateAdminHost(c.env)
  // The decision reads the same cached site row: no second D1 round trip before the origin fetch.
  const { site } = await siteConfigs.get(openDb(c.env.DB), c.req.param('key'), Date.now())
  if (!site) throw new ApiError(404, 'unknown_site', 'Unknown site key.')
  const prefix = `/edge/${c.req.param('key')}`
  return serveEdge(c, site, new URL(c.req.url).pathname.slice(prefix.length) || '/', { prefix, shared: true })
})
app.route('/healthz', healthApi)
app.route('/v1', publicApi)
app.route('/api', api)
app.route('/', emailLinksApi)
app.route('/', assetsApi)

// The HTTP surface: public /v1, admin /api, health, static assets.
import { Hono } from 'hono'
import { adminAuth } from './http/admin-auth'
import { notFound, onError } from './http/errors'
import { assetsApi } from './routes/assets'
import { eventsApi } from './routes/events'
import { healthApi } from './routes/health'
import { leadsApi } from './routes/leads'
import { rulesApi } from './routes/rules'
import { sitesApi } from './routes/sites'

const isDevelopment = (env: Env) => env.ENVIRONMENT === 'development'

const api = new Hono<{ Bindings: Env }>()
api.use('*', adminAuth({ isDevelopment }))
api.route('/sites', sitesApi)
api.route('/sites', leadsApi)
api.route('/sites', rulesApi)
api.all('*', (c) => notFound(c))

const publicApi = new Hono<{ Bindings: Env }>()
publicApi.route('/', eventsApi)
publicApi.all('*', (c) => notFound(c))

export const app = new Hono<{ Bindings: Env }>()
app.onError(onError)
app.route('/healthz', healthApi)
app.route('/v1', publicApi)
app.route('/api', api)
app.route('/', assetsApi)

// GET /healthz: 200 once the Worker can reach D1.
import { Hono } from 'hono'

export const healthApi = new Hono<{ Bindings: Env }>().get('/', async (c) => {
  try {
    await c.env.DB.prepare('select 1').first()
    return c.json({ ok: true })
  } catch {
    return c.json({ ok: false, error: { code: 'db_unreachable', message: 'D1 is not reachable.' } }, 503)
  }
})

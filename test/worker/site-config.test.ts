// The per-isolate site configuration on the request path (real D1, counted): hostname lookups without a
// D1 read once warm, admin writes seen at once, and the /v1/variants edge cache keyed and guarded by it.
import { env, exports } from 'cloudflare:workers'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { app } from '../../worker/src/app'
import { openDb } from '../../worker/src/db/client'
import { SiteConfigCache } from '../../worker/src/services/site-config'
import { admin, call, countingD1, createSite, ORIGIN, uniqueId } from './helpers'

type Json = Record<string, any>

/** Cache writes finish after the answer (waitUntil). */
const WAIT = { timeout: 15_000, interval: 100 }

describe('edge hostnames', () => {
  // Catches a D1 scan of sites per request (every dashboard, admin, health and /edge request paid one).
  it('answers every host from one D1 read per TTL once warm', async () => {
    const host = `www-${uniqueId('h')}.acme.test`
    await createSite({ origin: 'https://origin.test', hostnames: [host] })
    const { d1, counts } = countingD1(env.DB)
    const db = openDb(d1)
    const cache = new SiteConfigCache()
    const now = Date.now()
    expect((await cache.siteForHostname(db, host, now))?.hostnames).toContain(host)
    const afterWarmUp = counts.statements + counts.batches
    expect(afterWarmUp).toBeGreaterThan(0)
    expect(await cache.siteForHostname(db, 'cairn.test', now + 1)).toBeUndefined()
    expect(await cache.siteForHostname(db, host.toUpperCase(), now + 2)).toBeDefined()
    expect(counts.statements + counts.batches).toBe(afterWarmUp)
  })

  // Catches the per-request json_each scan of sites: once warm, /healthz runs only its own `select 1`.
  it('runs no hostname query on a warm /healthz', async () => {
    const { d1, counts } = countingD1(env.DB)
    const fetchHealth = async () => {
      const ctx = createExecutionContext()
      const response = await app.fetch(new Request('https://cairn.test/healthz'), { ...env, DB: d1 }, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
    expect((await fetchHealth()).status).toBe(200) // warm-up may read the hostname map
    const before = counts.statements
    expect((await fetchHealth()).status).toBe(200)
    expect(counts.statements - before).toBe(1)
  })

  // Catches a stale hostname map after an admin write in this isolate.
  it('serves a hostname added by an admin at once', async () => {
    const site = (await createSite({ origin: 'https://origin.test' })) as Json
    const host = `shop-${uniqueId('h')}.acme.test`
    expect((await call('/healthz')).status).toBe(200) // warms the map without the host
    const patch = await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { hostnames: [host] } })
    expect(patch.status).toBe(200)
    const response = await exports.default.fetch(new Request(`https://${host}/`))
    expect(response.headers.get('x-origin')).toBe('yes') // proxied to the site's origin
  })
})

describe('/v1/variants edge cache', () => {
  const experience = {
    name: 'Spring sale',
    match: { path: '/spring' },
    variants: [{ name: 'Sale', weight: 1, slots: { headline: 'Spring sale' } }],
  }
  const variants = (key: string, origin: string) =>
    call(`/v1/variants?${new URLSearchParams({ site: key, url: `${ORIGIN}/spring` })}`, { headers: { origin } })

  // Catches a cache hit served to an origin that is not on the site's allowlist.
  it('checks the origin on cache hits too', async () => {
    const site = (await createSite()) as Json
    await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })
    expect((await variants(site.key, ORIGIN)).headers.get('Cairn-Cache')).toBe('miss')
    await vi.waitFor(async () => expect((await variants(site.key, ORIGIN)).headers.get('Cairn-Cache')).toBe('hit'), WAIT)
    const foreign = await variants(site.key, 'https://evil.test')
    expect(foreign.status).toBe(403)
    expect(((await foreign.json()) as Json).error.code).toBe('origin_not_allowed')
  })

  // Catches a paused experience still served from the edge cache after its configuration changed.
  it('stops serving a paused experience once the configuration changes', async () => {
    const site = (await createSite()) as Json
    const created = (await (await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })).json()) as Json
    const first = await variants(site.key, ORIGIN)
    expect(((await first.json()) as Json).slots).toEqual({ headline: 'Spring sale' })
    await vi.waitFor(async () => expect((await variants(site.key, ORIGIN)).headers.get('Cairn-Cache')).toBe('hit'), WAIT)
    const { id: _id, createdAt: _c, updatedAt: _u, edited: _e, ...input } = created
    const paused = await admin(`/api/sites/${site.id}/experiences/${created.id}`, { method: 'PUT', json: { ...input, status: 'paused' } })
    expect(paused.status, await paused.clone().text()).toBe(200)
    const after = await variants(site.key, ORIGIN)
    expect(after.headers.get('Cairn-Cache')).toBe('miss')
    expect(((await after.json()) as Json).slots).toEqual({})
  })
})

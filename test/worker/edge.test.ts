// Edge mode's security boundary against the real Worker: the admin/edge host split, what reaches the
// origin, what comes back (headers, cookies, redirects), slot text in a non-UTF-8 page, CORS on errors and
// loose input. The origin is the stand-in server of vitest.config.ts (origin.test).
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { app } from '../../worker/src/app'
import { ADMIN_BASE, admin, call, callAdminHost, createSite, ORIGIN, pageEvent, sendRaw, uniqueId, type TestSite } from './helpers'

type Json = Record<string, any>

async function originSite(experience?: unknown): Promise<{ site: TestSite; host: string }> {
  const host = `shop-${uniqueId('h')}.acme.test`
  const site = await createSite({ origin: 'https://origin.test', hostnames: [host] })
  if (experience) expect((await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })).status).toBe(201)
  return { site, host }
}

const fetchUrl = (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, init))

describe('admin host and edge host are separate origins', () => {
  // Catches: proxied pages served on the origin that holds the dashboard's token.
  it('refuses /edge/ on the admin host, in any spelling', async () => {
    const { site } = await originSite()
    for (const path of [`/edge/${site.key}/`, `//edge/${site.key}/`, `/EDGE/${site.key}/`, `/%65dge/${site.key}/`]) {
      const response = await callAdminHost(path)
      expect(response.status, path).toBe(404)
      expect(((await response.json()) as Json).error.code).toMatch(/^(edge_not_on_admin_host|not_found)$/)
    }
    expect((await call(`/edge/${site.key}/`)).status).toBe(200) // the public host serves it
  })

  // Catches: the admin API and dashboard answering on the host where proxied content runs.
  it('refuses the dashboard and /api on the public host, even with the token', async () => {
    for (const path of ['/api/sites', '/dashboard/', '/dashboard/app.js', '//api/sites', '/API/sites', '/%61pi/sites']) {
      const response = await call(path, { headers: { authorization: 'Bearer test-admin-token' } })
      expect(response.status, path).toBe(404)
      expect(((await response.json()) as Json).error.code, path).toBe('not_found')
    }
    expect((await fetchUrl(`${ADMIN_BASE}/dashboard/`)).status).toBe(200)
  })

  // Catches: a site hostname equal to the admin host taking over the dashboard.
  it('never treats the admin host as a site hostname', async () => {
    await createSite({ origin: 'https://origin.test', hostnames: ['admin.cairn.test'] })
    const response = await fetchUrl(`${ADMIN_BASE}/dashboard/`)
    expect(await response.text()).toContain('<') // the dashboard shell, not the origin's JSON echo
    expect(response.headers.get('x-origin')).toBeNull()
  })

  // Catches: /edge/ sharing the dashboard's origin on a deployment that never named an admin host.
  it('turns /edge/ off when no admin host is configured', async () => {
    const { site } = await originSite()
    const response = await app.fetch(new Request(`https://cairn.test/edge/${site.key}/`), { ...env, ADMIN_HOST: '' } as unknown as Env, {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext)
    expect(response.status).toBe(404)
    expect(((await response.json()) as Json).error.code).toBe('edge_disabled')
  })

  // Catches: Service-Worker-Allowed letting a proxied worker claim `/`, Clear-Site-Data wiping every site.
  it('strips host-wide headers from proxied answers and keeps the page’s own policy', async () => {
    const { site } = await originSite()
    const response = await call(`/edge/${site.key}/set-cookies`)
    expect(response.status).toBe(200)
    expect(response.headers.get('service-worker-allowed')).toBeNull()
    expect(response.headers.get('clear-site-data')).toBeNull()
    expect(response.headers.get('strict-transport-security')).toBeNull()
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'")
  })
})

describe('what reaches the origin', () => {
  // Catches: Authorization, Cairn's cookie and spoofed client IPs forwarded to a customer's server.
  it('drops credentials and spoofable IP headers, and sets the client IP from Cloudflare', async () => {
    const { site } = await originSite()
    const response = await call(`/edge/${site.key}/echo-headers`, {
      headers: {
        authorization: 'Bearer test-admin-token',
        cookie: 'cairn_aid=a_visitor; theirs=1',
        'x-forwarded-for': '6.6.6.6',
        'x-real-ip': '6.6.6.6',
        'cf-connecting-ip': '198.51.100.7',
        'accept-language': 'fr',
      },
    })
    const seen = (await response.json()) as Record<string, string>
    expect(seen.authorization).toBeUndefined()
    expect(seen['x-forwarded-for']).toBe('198.51.100.7')
    expect(seen['x-real-ip']).toBe('198.51.100.7')
    expect(seen.cookie).toBe('theirs=1')
    expect(seen['accept-language']).toBe('fr')
  })

  it('sends no client IP headers at all without CF-Connecting-IP', async () => {
    const { site } = await originSite()
    const seen = (await (await call(`/edge/${site.key}/echo-headers`, { headers: { 'x-forwarded-for': '6.6.6.6' } })).json()) as Json
    expect(seen['x-forwarded-for']).toBeUndefined()
    expect(seen['x-real-ip']).toBeUndefined()
  })
})

describe('cookies the origin sets', () => {
  // Catches: a site's cookies set on `/` of the shared edge host, i.e. sent to every other site's origin.
  it('are scoped to the site’s path on the edge host; __Host- and Cairn’s own cookie are dropped', async () => {
    const { site } = await originSite()
    const cookies = (await call(`/edge/${site.key}/set-cookies`)).headers.getSetCookie()
    const prefix = `/edge/${site.key}`
    expect(cookies).toContain(`session=s1; Path=${prefix}/; HttpOnly; Secure; SameSite=Lax`)
    expect(cookies).toContain(`cart=c1; Path=${prefix}/shop`)
    expect(cookies.some((c) => c.startsWith('__Host-'))).toBe(false)
    expect(cookies.some((c) => c.includes('a_forged'))).toBe(false)
    expect(cookies.filter((c) => c.startsWith('cairn_aid=a_'))).toHaveLength(1) // the visitor id is Cairn's
  })

  it('are the site’s own on its hostname: passed through as set', async () => {
    const { host } = await originSite()
    const response = await fetchUrl(`https://${host}/set-cookies`)
    expect(response.headers.getSetCookie()).toContain('session=s1; Path=/; HttpOnly; Secure; SameSite=Lax')
  })
})

describe('redirects under /edge/KEY/', () => {
  const location = async (site: TestSite, to: string, headers: Record<string, string> = {}) => {
    const response = await call(`/edge/${site.key}/redirect?to=${encodeURIComponent(to)}`, { headers, redirect: 'manual' })
    expect(response.status).toBe(302)
    return response
  }

  // Catches: `Location: /new` leading to the Worker's 404, absolute origin URLs leaving the proxy.
  it('keeps redirects on the origin inside the proxy and lets others leave', async () => {
    const { site } = await originSite()
    expect((await location(site, '/new')).headers.get('location')).toBe(`/edge/${site.key}/new`)
    expect((await location(site, 'next?a=1')).headers.get('location')).toBe(`/edge/${site.key}/next?a=1`)
    expect((await location(site, 'https://origin.test/checkout?plan=pro#top')).headers.get('location')).toBe(`/edge/${site.key}/checkout?plan=pro#top`)
    expect((await location(site, 'https://pay.example/checkout')).headers.get('location')).toBe('https://pay.example/checkout')
    expect((await location(site, 'http://origin.test/')).headers.get('location')).toBe('http://origin.test/') // another origin (scheme)
  })

  // Catches: an ad click that redirects first losing the visitor's id.
  it('gives the visitor her cookie on redirects too, and scopes the origin’s', async () => {
    const { site } = await originSite()
    const cookies = (await location(site, '/new')).headers.getSetCookie()
    expect(cookies.some((c) => /^cairn_aid=a_[\w-]+; Max-Age=31536000; Path=\/;/.test(c))).toBe(true)
    expect(cookies).toContain(`flash=1; Path=/edge/${site.key}/`)
    const known = (await location(site, '/new', { cookie: 'cairn_aid=a_known' })).headers.getSetCookie()
    expect(known.some((c) => c.startsWith('cairn_aid='))).toBe(false)
  })

  it('on a site hostname, points redirects on the origin at the visitor’s host', async () => {
    const { host } = await originSite()
    const response = await fetchUrl(`https://${host}/redirect?to=${encodeURIComponent('https://origin.test/new')}`, { redirect: 'manual' })
    expect(response.headers.get('location')).toBe(`https://${host}/new`)
  })
})

describe('slot text in a page that is not UTF-8', () => {
  // Catches: UTF-8 bytes of slot text inside a windows-1252 page (mojibake: "spÃ©ciale").
  it('reads right in the charset the page declares in <meta>', async () => {
    const { site } = await originSite({
      name: 'Latin-1 page',
      match: { path: '/latin1' },
      variants: [{ name: 'Offre', weight: 100, slots: { headline: 'Offre spéciale — {{utm_term|CRM}} 😀' } }],
    })
    const response = await call(`/edge/${site.key}/latin1?utm_term=${encodeURIComponent('café')}`)
    const html = new TextDecoder('windows-1252').decode(await response.arrayBuffer())
    const headline = /data-cairn-slot="headline"[^>]*>([^<]*)</.exec(html)![1]!
    const shown = headline.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    expect(shown).toBe('Offre spéciale — café 😀')
    expect(html).toContain('<title>Café</title>') // the page's own bytes are untouched
  })
})

describe('CORS on error answers', () => {
  const evil = 'https://evil.test'
  // Catches: a foreign page reading error answers (and so telling real site keys from made-up ones).
  it('does not echo a foreign origin on /v1/events errors', async () => {
    const site = await createSite()
    const bodies = [
      'not json',
      JSON.stringify({ site: 'pk_made_up', batch: [pageEvent('a_1', `${ORIGIN}/`)] }),
      JSON.stringify({ site: site.key, batch: [{ type: 'nope' }] }),
    ]
    for (const body of bodies) {
      const response = await sendRaw(body, { origin: evil })
      expect(response.status, body).toBeGreaterThanOrEqual(400)
      expect(response.headers.get('access-control-allow-origin'), body).toBeNull()
    }
    // The site's own origin may read its errors.
    const own = await sendRaw(JSON.stringify({ site: site.key, batch: [{ type: 'nope' }] }), { origin: ORIGIN })
    expect(own.status).toBe(400)
    expect(own.headers.get('access-control-allow-origin')).toBe(ORIGIN)
  })

  it('does not echo a foreign origin on /v1/personalize and /v1/variants errors', async () => {
    const site = await createSite()
    for (const path of ['/v1/personalize', '/v1/variants']) {
      for (const query of [`site=${site.key}&url=nope`, `site=pk_made_up&url=${encodeURIComponent(`${ORIGIN}/`)}`]) {
        const foreign = await call(`${path}?${query}`, { headers: { origin: evil } })
        expect(foreign.status).toBeGreaterThanOrEqual(400)
        expect(foreign.headers.get('access-control-allow-origin'), `${path}?${query}`).toBeNull()
      }
      const own = await call(`${path}?site=${site.key}&url=nope`, { headers: { origin: ORIGIN } })
      expect(own.status).toBe(400)
      expect(own.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    }
  })
})

describe('loose input', () => {
  // Catches: javascript:/file: edge origins accepted, then edge answering 500.
  it('accepts only http(s) edge origins', async () => {
    for (const origin of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,hi', 'ftp://acme.test']) {
      const created = await admin('/api/sites', { method: 'POST', json: { name: 'X', origins: [ORIGIN], origin } })
      expect(created.status, origin).toBe(400)
    }
    const site = await createSite()
    expect((await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { origin: 'javascript:alert(1)' } })).status).toBe(400)
  })

  it('answers a stored non-http origin with a JSON 404, not a 500', async () => {
    const site = await createSite({ origin: 'https://origin.test' })
    await env.DB.prepare('update sites set origin = ? where id = ?').bind('javascript:alert(1)', site.id).run()
    const response = await call(`/edge/${site.key}/`)
    expect(response.status).toBe(404)
    expect(((await response.json()) as Json).error.code).toBe('edge_not_configured')
  })

  // Catches: `__proto__` keys vanishing from accepted events and 1e309 stored as null.
  it.each([
    ['__proto__ in properties', '{"__proto__":{"admin":true}}', 'batch.0.properties.__proto__'],
    ['constructor in properties', '{"constructor":"x"}', 'batch.0.properties.constructor'],
    ['1e309 in properties', '{"revenue":1e309}', 'batch.0.properties.revenue'],
    ['-1e309 nested', '{"order":{"total":-1e309}}', 'batch.0.properties.order.total'],
  ])('refuses %s with a 400 that names the field', async (_, properties, path) => {
    const site = await createSite()
    const event = JSON.stringify({ id: uniqueId('e_'), type: 'track', event: 'Purchased', anonymousId: 'a_1' }).replace(/}$/, `,"properties":${properties}}`)
    const response = await sendRaw(`{"site":"${site.key}","batch":[${event}]}`)
    expect(response.status).toBe(400)
    const body = (await response.json()) as Json
    expect(body.error.issues.map((i: Json) => i.path)).toContain(path)
    const stored = await env.DB.prepare('select count(*) as n from events where site_id = ?').bind(site.id).first<{ n: number }>()
    expect(stored!.n).toBe(0)
  })

  // Catches: empty-bodied 404s for paths outside the routes.
  it('answers unknown paths on either host with the JSON error shape', async () => {
    for (const url of ['https://cairn.test/API/sites', 'https://cairn.test/nope.html', `${ADMIN_BASE}/API/sites`, `${ADMIN_BASE}//api/sites`, `${ADMIN_BASE}/nope`]) {
      const response = await fetchUrl(url)
      expect(response.status, url).toBe(404)
      expect(response.headers.get('content-type'), url).toContain('application/json')
      expect(((await response.json()) as Json).error.code, url).toBe('not_found')
    }
  })
})

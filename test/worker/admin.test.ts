// Admin API: token auth (constant-time compare, refused without a configured token), sites CRUD validation.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { app } from '../../worker/src/app'
import { admin, call, callAdminHost, createSite } from './helpers'

type ApiErrorBody = { error: { code: string; message: string; issues?: Array<{ path: string }> } }

describe('admin auth', () => {
  it('answers 401 without a token, with a wrong token and with a non-bearer scheme', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', 'Basic dGVzdC1hZG1pbi10b2tlbg==', 'Bearer ']) {
      const response = await callAdminHost('/api/sites', authorization ? { headers: { authorization } } : {})
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(((await response.json()) as ApiErrorBody).error.code).toBe('unauthorized')
    }
  })

  it('lets the configured token in', async () => {
    expect((await admin('/api/sites')).status).toBe(200)
  })

  it('refuses to run admin routes when no token is configured', async () => {
    const request = new Request('https://admin.cairn.test/api/sites', { headers: { authorization: 'Bearer ' } })
    const response = await app.fetch(request, { ...env, ADMIN_TOKEN: undefined } as unknown as Env)
    expect(response.status).toBe(503)
    expect(((await response.json()) as ApiErrorBody).error.code).toBe('admin_disabled')
  })

  it('refuses the well-known dev token outside local development', async () => {
    const request = new Request('https://admin.cairn.test/api/sites', { headers: { authorization: 'Bearer dev-admin-token' } })
    const production = { ...env, ADMIN_TOKEN: 'dev-admin-token', ENVIRONMENT: 'production' } as unknown as Env
    expect((await app.fetch(request.clone(), production)).status).toBe(503)
    const development = { ...env, ADMIN_TOKEN: 'dev-admin-token', ENVIRONMENT: 'development' } as unknown as Env
    expect((await app.fetch(request, development)).status).toBe(200)
  })
})

describe('sites', () => {
  it('creates a site with a public key and lists it', async () => {
    const response = await admin('/api/sites', {
      method: 'POST',
      json: { name: 'Globex', origins: ['https://Globex.test'], origin: 'https://globex.test', hostnames: ['www.globex.test'] },
    })
    expect(response.status).toBe(201)
    const site = (await response.json()) as Record<string, unknown>
    expect(site).toMatchObject({ name: 'Globex', origins: ['https://globex.test'], hostnames: ['www.globex.test'] })
    expect(site.key).toMatch(/^pk_[0-9A-Za-z]{24}$/)
    expect(site.id).toMatch(/^site_/)
    // Catches: no snippet, or one loading the SDK from the admin host instead of the public host (PUBLIC_URL).
    expect(site.snippet).toBe(
      '<script>window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)}</script>\n' +
        `<script async src="https://cairn.test/sdk.js" data-site="${site.key}"></script>`,
    )

    const list = (await (await admin('/api/sites')).json()) as { sites: Array<{ id: string }> }
    expect(list.sites.map((s) => s.id)).toContain(site.id)
    const one = await admin(`/api/sites/${site.id}`)
    expect(await one.json()).toEqual(site)
  })

  it('rejects unknown fields, bad origins and malformed JSON with 400 and creates nothing', async () => {
    const before = ((await (await admin('/api/sites')).json()) as { sites: unknown[] }).sites.length
    const unknown = await admin('/api/sites', { method: 'POST', json: { name: 'X', origins: ['https://x.test'], colour: 'red' } })
    expect(unknown.status).toBe(400)
    const badOrigin = await admin('/api/sites', { method: 'POST', json: { name: 'X', origins: ['https://x.test/path'] } })
    expect(badOrigin.status).toBe(400)
    expect(((await badOrigin.json()) as ApiErrorBody).error.issues?.[0]?.path).toBe('origins.0')
    const malformed = await admin('/api/sites', { method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as ApiErrorBody).error.code).toBeTypeOf('string')
    const after = ((await (await admin('/api/sites')).json()) as { sites: unknown[] }).sites.length
    expect(after).toBe(before)
  })

  it('patches allowed origins, which takes effect for ingest at once', async () => {
    const site = await createSite()
    const patched = await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { origins: ['https://new.test'] } })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as { origins: string[] }).origins).toEqual(['https://new.test'])
    expect((await admin('/api/sites/site_missing')).status).toBe(404)
  })
})

describe('healthz and unknown routes', () => {
  it('reports D1 reachable', async () => {
    const response = await call('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
  })

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await call('/v1/nothing')
    expect(response.status).toBe(404)
    expect(((await response.json()) as ApiErrorBody).error.code).toBe('not_found')
  })
})

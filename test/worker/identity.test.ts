// Identity verification: the site's server signs the user id / email with the site's identity secret.
// Catches identity takeover (an unsigned or wrongly signed identify merging into a verified lead,
// overwriting her traits, or reading her score-gated content) and the secret leaking to public answers.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isVerifiedIdentity } from '../../worker/src/domain/identity'
import { admin, call, countRows, createSite, identifyEvent, leadsOf, ORIGIN, pageEvent, sendEvents, uniqueId, type TestSite } from './helpers'

async function hmacHex(secret: string, value: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(value)))
  return [...signature].map((b) => b.toString(16).padStart(2, '0')).join('')
}

async function secretOf(site: TestSite): Promise<string> {
  const response = await admin(`/api/sites/${site.id}/identity-secret`)
  expect(response.status).toBe(200)
  return ((await response.json()) as { identitySecret: string }).identitySecret
}

const signedIdentify = (aid: string, traits: Record<string, unknown>, verification: string) => ({ ...identifyEvent(aid, null, traits), verification })

/** A site with a score-gated experience, and Ada's verified lead (score 60) on her laptop. */
async function adaSite(settings: Record<string, unknown> = {}) {
  const site = await createSite({ settings })
  await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: { name: 'Pricing', points: 60, match: { type: 'page', path: '/pricing' } } })
  const experience = { name: 'Hot leads', match: { score: { gte: 50 } }, variants: [{ name: 'Demo', weight: 1, slots: { cta: 'Private demo link' } }] }
  expect((await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })).status).toBe(201)
  const secret = await secretOf(site)
  const email = `${uniqueId('ada')}@example.com`
  const laptop = uniqueId('a_')
  const signed = await hmacHex(secret, email)
  expect((await sendEvents(site.key, [pageEvent(laptop, `${ORIGIN}/pricing`), signedIdentify(laptop, { email, name: 'Ada' }, signed)])).status).toBe(202)
  return { site, secret, email, laptop, signed }
}

async function slotsFor(site: TestSite, aid: string) {
  const query = new URLSearchParams({ site: site.key, url: `${ORIGIN}/`, aid })
  const response = await call(`/v1/personalize?${query}`, { headers: { origin: ORIGIN } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { slots: Record<string, unknown> }).slots
}

afterEach(() => vi.restoreAllMocks())

describe('identity verification', () => {
  // Catches a signed identify from her second device not being trusted as her (no merge).
  it('a verified identify merges a second device into the verified lead', async () => {
    const { site, email, signed } = await adaSite()
    const phone = uniqueId('a_')
    await sendEvents(site.key, [signedIdentify(phone, { email }, signed)])
    const [lead] = await leadsOf(site.id, `email=${email}`)
    expect(lead!.anonymousIds).toHaveLength(2)
    expect(await slotsFor(site, phone)).toEqual({ cta: 'Private demo link' })
  })

  // Catches the takeover: an unsigned identify with her email joining her lead, renaming her, or
  // unlocking her score-gated content on the attacker's device.
  it('refuses an unsigned identify claiming a verified lead', async () => {
    const { site, email, laptop } = await adaSite()
    const mallory = uniqueId('a_')
    expect((await sendEvents(site.key, [identifyEvent(mallory, null, { email, name: 'Mallory' })])).status).toBe(202)
    const [lead] = await leadsOf(site.id, `email=${email}`)
    expect(lead!.anonymousIds).toEqual([laptop])
    expect(lead!.traits).toMatchObject({ name: 'Ada' })
    expect(await slotsFor(site, mallory)).toEqual({})
    expect(await countRows('events', site.id)).toBe(3) // stored as an event all the same
  })

  // Catches a signature compared loosely (any hash, or one made with another secret, accepted).
  it('refuses a wrongly signed identify', async () => {
    const { site, email, laptop } = await adaSite()
    const mallory = uniqueId('a_')
    for (const verification of [await hmacHex('not-the-secret', email), '00'.repeat(32), 'zz', await hmacHex('not-the-secret', email).then((h) => h.slice(0, 40))]) {
      await sendEvents(site.key, [signedIdentify(mallory, { email, name: 'Mallory' }, verification)])
    }
    const [lead] = await leadsOf(site.id, `email=${email}`)
    expect(lead!.anonymousIds).toEqual([laptop])
    expect(lead!.traits).toMatchObject({ name: 'Ada' })
    expect(await slotsFor(site, mallory)).toEqual({})
  })

  // Catches a verified person merged into a lead an unverified claimant made first with her email.
  it('a verified identify takes the email from an earlier unverified claimant', async () => {
    const site = await createSite()
    const secret = await secretOf(site)
    const email = `${uniqueId('ada')}@example.com`
    const mallory = uniqueId('a_')
    const ada = uniqueId('a_')
    await sendEvents(site.key, [identifyEvent(mallory, null, { email })])
    await sendEvents(site.key, [signedIdentify(ada, { email }, await hmacHex(secret, email))])
    const [lead] = await leadsOf(site.id, `email=${email}`)
    expect(lead!.anonymousIds).toEqual([ada])
    const [claimant] = await leadsOf(site.id, `anonymousId=${mallory}`)
    expect(claimant!.email).toBeNull()
  })

  // Catches the takeover through a signed user id: a visitor signs in to her own new account (the site signs
  // her user id) but sends another person's email, and the email pulls her device into that person's lead.
  it("a signature over one user id does not join another person's verified lead through her email", async () => {
    const { site, secret, email, laptop } = await adaSite()
    const mallory = uniqueId('a_')
    const own = uniqueId('u_mallory')
    const signed = { ...identifyEvent(mallory, own, { email, name: 'Mallory' }), verification: await hmacHex(secret, own) }
    expect((await sendEvents(site.key, [signed])).status).toBe(202)
    const [ada] = await leadsOf(site.id, `email=${email}`)
    expect(ada!.anonymousIds).toEqual([laptop])
    expect(ada!.userId).toBeNull()
    expect(ada!.traits).toMatchObject({ name: 'Ada' })
    expect(await slotsFor(site, mallory)).toEqual({})
    // Mallory is her own verified lead, without the email another lead holds.
    const [own_] = await leadsOf(site.id, `anonymousId=${mallory}`)
    expect(own_).toMatchObject({ userId: own, email: null })
  })

  // Catches a batch that can never be stored: the email of an identify already belongs to another lead
  // (a newsletter sign-up on another device), which broke the unique email index and failed every retry.
  it('an identify whose email another lead holds is stored, and the email stays with its lead', async () => {
    const site = await createSite()
    const email = `${uniqueId('b')}@example.com`
    const [app, newsletter] = [uniqueId('a_'), uniqueId('a_')]
    const user = uniqueId('u_')
    expect((await sendEvents(site.key, [identifyEvent(app, user, { plan: 'pro' })])).status).toBe(202)
    expect((await sendEvents(site.key, [identifyEvent(newsletter, null, { email })])).status).toBe(202)
    const response = await sendEvents(site.key, [identifyEvent(app, user, { email, name: 'Bea' }), pageEvent(app, `${ORIGIN}/pricing`)])
    expect(response.status, await response.clone().text()).toBe(202)
    expect(await response.json()).toMatchObject({ accepted: 2 })
    const [signedIn] = await leadsOf(site.id, `anonymousId=${app}`)
    expect(signedIn).toMatchObject({ userId: user, email: null, traits: expect.objectContaining({ name: 'Bea' }) })
    const [subscriber] = await leadsOf(site.id, `email=${email}`)
    expect(subscriber!.anonymousIds).toEqual([newsletter])
  })

  // Catches the site setting being ignored: unsigned identifies still identifying.
  it('with requireVerifiedIdentity, unsigned identifies are stored but identify nobody', async () => {
    const site = await createSite({ settings: { requireVerifiedIdentity: true } })
    const secret = await secretOf(site)
    const aid = uniqueId('a_')
    const email = `${uniqueId('m')}@example.com`
    await sendEvents(site.key, [identifyEvent(aid, null, { email })])
    expect(await countRows('events', site.id)).toBe(1)
    expect(await leadsOf(site.id, `email=${email}`)).toHaveLength(0)
    await sendEvents(site.key, [signedIdentify(aid, { email }, await hmacHex(secret, email))])
    expect(await leadsOf(site.id, `email=${email}`)).toHaveLength(1)
  })

  // Catches the secret appearing in site answers or public endpoints, or readable on the public host.
  it('the secret is readable and rotatable on the admin API only', async () => {
    const { site, secret, laptop } = await adaSite()
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    const answers = [
      await admin(`/api/sites/${site.id}`),
      await admin('/api/sites'),
      await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { name: 'Acme 2' } }),
      await call(`/v1/personalize?${new URLSearchParams({ site: site.key, url: `${ORIGIN}/`, aid: laptop })}`, { headers: { origin: ORIGIN } }),
      await call(`/v1/variants?${new URLSearchParams({ site: site.key, url: `${ORIGIN}/` })}`, { headers: { origin: ORIGIN } }),
      await sendEvents(site.key, [pageEvent(laptop, `${ORIGIN}/`)]),
      await call(`/api/sites/${site.id}/identity-secret`),
    ]
    for (const response of answers) expect(await response.text()).not.toContain(secret)
    expect(answers.at(-1)!.status).toBe(404)
    const created = await admin('/api/sites', { method: 'POST', json: { name: 'New', origins: [ORIGIN] } })
    expect(await created.text()).not.toMatch(/identitySecret|identity_secret/)

    const rotated = await admin(`/api/sites/${site.id}/identity-secret`, { method: 'POST' })
    const next = ((await rotated.json()) as { identitySecret: string }).identitySecret
    expect(next).toMatch(/^[0-9a-f]{64}$/)
    expect(next).not.toBe(secret)
    expect(await secretOf(site)).toBe(next)
    expect((await admin('/api/sites/site_missing/identity-secret', { method: 'POST' })).status).toBe(404)
  })

  // Catches a signature compared with === (time depending on the first differing byte).
  it('compares signatures in constant time', async () => {
    const compare = vi.spyOn(crypto.subtle, 'timingSafeEqual')
    const good = await hmacHex('s3cret', 'user-42')
    expect(await isVerifiedIdentity('s3cret', 'user-42', good)).toBe(true)
    expect(await isVerifiedIdentity('s3cret', 'user-42', `${good.slice(0, -1)}0`)).toBe(good.endsWith('0'))
    expect(await isVerifiedIdentity('s3cret', 'user-42', 'abc')).toBe(false)
    expect(compare).toHaveBeenCalledTimes(3)
  })
})

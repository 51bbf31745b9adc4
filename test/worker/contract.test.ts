// The shared contract through the real Worker (workerd, D1, Queues): hostile globs, one campaign parser
// for attribution and audiences, own-domain referrers, ad placeholders, and edge mode under hostile tokens.
import { describe, expect, it } from 'vitest'
import { admin, call, createSite, leadsOf, ORIGIN, pageEvent, sendEvents, uniqueId, type TestSite } from './helpers'

type Json = Record<string, any>

const docsExperience = {
  name: 'Docs pages',
  match: { path: '/docs/*/*/*.html' },
  variants: [{ name: 'Docs', weight: 100, slots: { headline: 'Read the docs' } }],
}
const campaignExperience = {
  name: 'Spring sale',
  priority: 5,
  match: { path: '/*', utm: { campaign: 'black-friday' } },
  variants: [{ name: 'Deal', weight: 100, slots: { headline: 'Black Friday: {{utm_term|CRM}} at 40% off' } }],
}

async function post(site: TestSite, path: string, json: unknown): Promise<Json> {
  const response = await admin(`/api/sites/${site.id}/${path}`, { method: 'POST', json })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()) as Json
}

async function personalize(site: TestSite, url: string): Promise<Json> {
  const response = await call(`/v1/personalize?${new URLSearchParams({ site: site.key, url })}`, { headers: { origin: ORIGIN } })
  expect(response.status).toBe(200)
  return (await response.json()) as Json
}

const leadOf = async (site: TestSite, aid: string) => (await leadsOf(site.id, `anonymousId=${aid}`))[0]!

describe('hostile paths against globs', () => {
  // Catches: backtracking globs (this path took 9.4 s per ingest and 13.4 s per personalize).
  it('ingests and personalizes a 4,000-slash path quickly', { timeout: 60_000 }, async () => {
    const site = await createSite()
    await post(site, 'rules', { name: 'Docs', points: 5, match: { type: 'page', path: '/docs/*/*/*.html' } })
    await post(site, 'experiences', docsExperience)
    const hostile = `${ORIGIN}/docs${'/'.repeat(4000)}`
    const aid = uniqueId('a_')

    let started = Date.now()
    expect((await sendEvents(site.key, [pageEvent(aid, hostile), pageEvent(aid, `${ORIGIN}/docs/a/b/c.html`)])).status).toBe(202)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect((await leadOf(site, aid)).score).toBe(5) // the rule still matches a real docs page

    started = Date.now()
    expect((await personalize(site, hostile)).slots).toEqual({})
    expect(Date.now() - started).toBeLessThan(2_000)
    expect((await personalize(site, `${ORIGIN}/docs/a/b/c.html`)).slots).toEqual({ headline: 'Read the docs' })
  })
})

describe('one campaign parser for attribution and audiences', () => {
  // Catches: a campaign without utm_source recorded as (direct)/(none) and its campaign lost.
  it('keeps every UTM value present; a missing source is (not set)', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/lp?utm_campaign=spring-sale&utm_term=kpi`)])
    expect((await leadOf(site, aid)).firstTouch).toMatchObject({ source: '(not set)', campaign: 'spring-sale', term: 'kpi' })
  })

  // Catches: attribution and audiences disagreeing on upper-case names, duplicates and hash routes.
  it('reads upper-case names, the first duplicate and hash-route parameters alike', async () => {
    const site = await createSite()
    await post(site, 'experiences', campaignExperience)
    const urls = [
      `${ORIGIN}/?UTM_CAMPAIGN=black-friday&utm_source=google`,
      `${ORIGIN}/?utm_campaign=black-friday&utm_campaign=other&utm_source=google`,
      `${ORIGIN}/#/lp?utm_campaign=black-friday&utm_source=google`,
    ]
    for (const url of urls) {
      const aid = uniqueId('a_')
      await sendEvents(site.key, [pageEvent(aid, url)])
      expect((await leadOf(site, aid)).firstTouch, url).toMatchObject({ source: 'google', campaign: 'black-friday' })
      expect((await personalize(site, url)).slots, url).toEqual({ headline: 'Black Friday: CRM at 40% off' })
    }
  })

  // Catches: www. and subdomains of the site counted as referrals that start a new touch.
  it("does not treat the site's own domains as referrals", async () => {
    const site = await createSite({ origins: ['https://acme.test'] })
    const aid = uniqueId('a_')
    await sendEvents(site.key, [pageEvent(aid, `https://acme.test/?utm_source=google&utm_campaign=bf`)])
    for (const referrer of ['https://www.acme.test/', 'https://blog.acme.test/post'])
      await sendEvents(site.key, [pageEvent(aid, 'https://acme.test/pricing', { context: { url: 'https://acme.test/pricing', referrer } })])
    const lead = await leadOf(site, aid)
    expect(lead.lastTouch).toMatchObject({ source: 'google', campaign: 'bf' })
    await sendEvents(site.key, [pageEvent(aid, 'https://acme.test/', { context: { url: 'https://acme.test/', referrer: 'https://news.example/' } })])
    expect((await leadOf(site, aid)).lastTouch).toMatchObject({ source: 'news.example', medium: 'referral' })
  })

  // Catches: "{keyword} …" served as a headline, and a false keyword mismatch in ads coverage.
  it('treats ValueTrack placeholders as absent and matches the ad keyword in coverage', async () => {
    const site = await createSite()
    await post(site, 'experiences', campaignExperience)
    const finalUrl = `${ORIGIN}/?utm_campaign=black-friday&utm_term={keyword}`
    expect((await personalize(site, finalUrl)).slots).toEqual({ headline: 'Black Friday: CRM at 40% off' })
    const saved = await admin(`/api/sites/${site.id}/ads`, {
      method: 'POST',
      json: { ads: [{ campaign: 'BF', adGroup: 'Pipelines', name: 'BF-1', headline: 'Pipeline tools 40% off', keywords: ['pipeline'], finalUrl }] },
    })
    expect(saved.status).toBe(201)
    const coverage = (await (await admin(`/api/sites/${site.id}/ads/coverage`)).json()) as Json
    expect(coverage.report[0]).toMatchObject({ servedHeadline: 'Black Friday: pipeline at 40% off', mismatch: false })
    expect(coverage.mismatches).toBe(0)
  })
})

describe('edge mode with hostile tokens', () => {
  // Catches: a token that makes the rewriter fail mid-stream (200 with the page cut after <body>), lone
  // surrogates in answers, unescaped markup, U+FFFD for invalid UTF-8.
  it('always serves the complete page with an escaped, well-formed headline', { timeout: 120_000 }, async () => {
    const site = await createSite({ origin: 'https://origin.test', hostnames: [`shop-${uniqueId('h')}.acme.test`] })
    await post(site, 'experiences', campaignExperience)
    const terms = [
      encodeURIComponent('a'.repeat(59) + '😀'),
      'caf%E9',
      '%ED%A0%80x',
      encodeURIComponent('<script>alert(1)</script>"\''),
      encodeURIComponent('\u0000\u001b\u202e evil'),
      encodeURIComponent('👩‍👩‍👧'.repeat(40)),
      '%7Bkeyword%7D',
      encodeURIComponent('x'.repeat(3000)),
    ]
    for (let i = 0; i < 24; i++) terms.push(encodeURIComponent(String.fromCodePoint(0x1f600 + i).repeat(i) + 'é'.repeat(60 - i)))
    for (const term of terms) {
      const response = await call(`/edge/${site.key}/?utm_campaign=black-friday&utm_term=${term}`)
      expect(response.status, term).toBe(200)
      const html = await response.text()
      expect(html.trimEnd().endsWith('</html>'), term).toBe(true)
      const headline = /<h1 data-cairn-slot="headline"[^>]*>(.*?)<\/h1>/s.exec(html)?.[1] ?? ''
      expect(headline, term).toMatch(/^Black Friday: .+ at 40% off$/s)
      expect(headline, term).not.toMatch(/[<>\u0000-\u001f\ufffd]/)
      expect(headline).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    }
    expect((await personalize(site, `${ORIGIN}/?utm_campaign=black-friday&utm_term=caf%E9`)).slots.headline).toBe('Black Friday: CRM at 40% off')
  })
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { pageContext, parseCampaign, pathKey } from './context.js'

describe('parseCampaign', () => {
  it('reads UTM parameters and click ids by their URL names', () => {
    expect(
      parseCampaign(
        'https://acme.test/?utm_source=google&utm_medium=cpc&utm_campaign=black-friday&utm_term=crm&utm_content=a&gclid=G1&fbclid=F1&msclkid=M1&other=1',
      ),
    ).toEqual({
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'black-friday',
      utm_term: 'crm',
      utm_content: 'a',
      gclid: 'G1',
      fbclid: 'F1',
      msclkid: 'M1',
    })
  })
  it('decodes values, skips empty ones and clips long ones to 200 characters', () => {
    expect(parseCampaign('https://acme.test/p?utm_term=black%20friday+crm&utm_source=&gclid=' + 'x'.repeat(300))).toEqual({
      utm_term: 'black friday crm',
      gclid: 'x'.repeat(200),
    })
  })
  // Catches: upper-case names ignored, the last duplicate winning, hash-route UTMs ignored, U+FFFD shown.
  it('reads names case-insensitively, keeps the first of duplicates, reads hash routes, drops invalid UTF-8', () => {
    expect(parseCampaign('https://acme.test/?UTM_CAMPAIGN=black-friday&utm_campaign=later')).toEqual({ utm_campaign: 'black-friday' })
    expect(parseCampaign('https://acme.test/#/lp?utm_campaign=spring&utm_term=kpi')).toEqual({ utm_campaign: 'spring', utm_term: 'kpi' })
    expect(parseCampaign('https://acme.test/?utm_campaign=a#/lp?utm_campaign=b')).toEqual({ utm_campaign: 'a' })
    expect(parseCampaign('https://acme.test/?utm_term=caf%E9&utm_source=x')).toEqual({ utm_source: 'x' })
  })
  // Catches: an unexpanded ValueTrack placeholder shown or attributed as a real value.
  it('treats ad placeholders ({keyword}) as absent', () => {
    expect(parseCampaign('https://acme.test/?utm_term={keyword}&utm_campaign=%7Bcampaignid%7D&utm_source=google')).toEqual({ utm_source: 'google' })
  })
  // Catches: a clip that splits a surrogate pair (a lone surrogate is not text).
  it('clips by code points', () => {
    const value = parseCampaign('https://acme.test/?utm_term=' + encodeURIComponent('a'.repeat(199) + '😀😀'))!.utm_term!
    expect(value).toBe('a'.repeat(199) + '😀')
  })
  it('is undefined without attribution or with an unparsable URL', () => {
    expect(parseCampaign('https://acme.test/pricing?plan=growth#utm_source=x')).toBeUndefined()
    expect(parseCampaign('not a url')).toBeUndefined()
  })
})

describe('pathKey', () => {
  const key = (href: string) => pathKey(new URL(href))
  // Catches: a #section anchor counted as a new page.
  it('ignores #section anchors', () => {
    expect(key('https://acme.test/a?b=1#c')).toBe(key('https://acme.test/a?b=1'))
  })
  // Catches: hash routers (#/pricing, #!/signup) recording only their landing page.
  it('counts hash routes as pages', () => {
    expect(key('https://acme.test/#/pricing')).not.toBe(key('https://acme.test/'))
    expect(key('https://acme.test/#!/signup')).not.toBe(key('https://acme.test/#/pricing'))
    expect(key('https://acme.test/#/lp?x=1')).not.toBe(key('https://acme.test/#/lp'))
  })
  // Catches: a replaceState that strips tracking parameters recorded as a second page view.
  it('ignores tracking parameters, in the query and in a hash route', () => {
    expect(key('https://acme.test/lp?utm_source=g&plan=a&UTM_CAMPAIGN=x&gclid=1')).toBe(key('https://acme.test/lp?plan=a'))
    expect(key('https://acme.test/#/lp?utm_campaign=x')).toBe(key('https://acme.test/#/lp'))
    expect(key('https://acme.test/lp?plan=a')).not.toBe(key('https://acme.test/lp?plan=b'))
    // An ad landing whose query was only tracking parameters, cleaned to the bare path (the common case).
    expect(key('https://acme.test/?utm_campaign=bf')).toBe(key('https://acme.test/'))
    expect(key('https://acme.test/pricing?gclid=abc')).toBe(key('https://acme.test/pricing'))
    expect(key('https://acme.test/?fbclid=1#/lp')).toBe(key('https://acme.test/#/lp'))
    expect(key('https://acme.test/pricing')).not.toBe(key('https://acme.test/'))
  })
})

describe('pageContext', () => {
  afterEach(() => vi.unstubAllGlobals())

  // Catches: the visitor's time zone missing (quiet hours and waits would fall back to the site's zone).
  it('carries url, referrer, title, locale, screen, the IANA time zone and the landing campaign', () => {
    vi.stubGlobal('Intl', { DateTimeFormat: () => ({ resolvedOptions: () => ({ timeZone: 'Europe/Paris' }) }) })
    vi.stubGlobal('document', { title: 'Pricing' })
    vi.stubGlobal('navigator', { language: 'fr-FR' })
    vi.stubGlobal('screen', { width: 1280, height: 720 })
    expect(pageContext('https://acme.test/pricing', 'https://google.com/', { utm_campaign: 'bf' })).toEqual({
      url: 'https://acme.test/pricing',
      referrer: 'https://google.com/',
      title: 'Pricing',
      locale: 'fr-FR',
      screen: '1280x720',
      timezone: 'Europe/Paris',
      campaign: { utm_campaign: 'bf' },
    })
  })
})

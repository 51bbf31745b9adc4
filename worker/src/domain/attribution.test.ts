import { describe, expect, it } from 'vitest'
import { siteHosts, touchFromEvent } from './attribution'

const at = 1_700_000_000_000

describe('touchFromEvent', () => {
  it('reads UTM parameters and click ids from the page URL', () => {
    const touch = touchFromEvent({
      url: 'https://acme.test/lp?utm_source=google&utm_medium=cpc&utm_campaign=bf&utm_term=crm&utm_content=v1&gclid=abc',
      at,
    })
    expect(touch).toEqual({
      source: 'google', medium: 'cpc', campaign: 'bf', term: 'crm', content: 'v1', gclid: 'abc',
      landingPage: 'https://acme.test/lp', at,
    })
  })

  it('derives source and medium from a click id alone', () => {
    expect(touchFromEvent({ url: 'https://acme.test/?fbclid=F', at })).toMatchObject({ source: 'facebook', medium: 'cpc', fbclid: 'F' })
    expect(touchFromEvent({ url: 'https://acme.test/?msclkid=M', at })).toMatchObject({ source: 'bing', medium: 'cpc' })
  })

  it('classifies external referrers as organic search or referral, and ignores internal ones', () => {
    expect(touchFromEvent({ url: 'https://acme.test/', referrer: 'https://www.google.com/', at })).toMatchObject({
      source: 'google.com', medium: 'organic',
    })
    expect(touchFromEvent({ url: 'https://acme.test/', referrer: 'https://news.ycombinator.com/item', at })).toMatchObject({
      source: 'news.ycombinator.com', medium: 'referral',
    })
    expect(touchFromEvent({ url: 'https://acme.test/pricing', referrer: 'https://acme.test/', at })).toBeNull()
  })

  it("falls back to the SDK's session campaign when the URL has none (SPA navigation)", () => {
    const touch = touchFromEvent({ url: 'https://acme.test/spa/b', campaign: { utm_source: 'linkedin', utm_campaign: 'q4' }, at })
    expect(touch).toMatchObject({ source: 'linkedin', campaign: 'q4' })
  })

  it('clips long values and survives unparsable URLs', () => {
    const touch = touchFromEvent({ url: `https://acme.test/?utm_source=${'x'.repeat(500)}`, at })
    expect(touch!.source).toHaveLength(200)
    expect(touchFromEvent({ url: 'not a url', referrer: '::', at })).toBeNull()
  })
})

describe('touchFromEvent with the shared campaign parser', () => {
  // Catches: a campaign without utm_source recorded as no touch, (direct)/(none), its values lost.
  it('keeps every UTM value; the missing source is the referrer, else (not set)', () => {
    expect(touchFromEvent({ url: 'https://acme.test/lp?utm_campaign=spring-sale&utm_term=kpi', at })).toMatchObject({
      source: '(not set)', medium: '(none)', campaign: 'spring-sale', term: 'kpi',
    })
    expect(touchFromEvent({ url: 'https://acme.test/lp?utm_term=kpi', at })).toMatchObject({ source: '(not set)', medium: '(not set)', term: 'kpi' })
  })

  // Catches: upper-case names ignored, the last duplicate kept, hash-route parameters and placeholders read.
  it('reads the URL as audiences do', () => {
    expect(touchFromEvent({ url: 'https://acme.test/?UTM_SOURCE=google&utm_campaign=a&utm_campaign=b', at })).toMatchObject({ source: 'google', campaign: 'a' })
    expect(touchFromEvent({ url: 'https://acme.test/#/lp?utm_source=news&utm_campaign=spring', at })).toMatchObject({ source: 'news', campaign: 'spring' })
    expect(touchFromEvent({ url: 'https://acme.test/?utm_source=google&utm_term={keyword}', at })).not.toHaveProperty('term')
  })

  // Catches: www. and subdomains of the site counted as referrals (a new touch on every internal link).
  it("ignores referrers on the site's own domains", () => {
    const ownHosts = siteHosts({ origins: ['https://acme.test', 'https://*.acme.dev'], hostnames: ['shop.acme.io:8443'] })
    for (const referrer of ['https://www.acme.test/', 'https://blog.acme.test/x', 'https://app.acme.dev/', 'https://shop.acme.io/'])
      expect(touchFromEvent({ url: 'https://acme.test/pricing', referrer, at, ownHosts }), referrer).toBeNull()
    expect(touchFromEvent({ url: 'https://acme.test/', referrer: 'https://notacme.test/', at, ownHosts })).toMatchObject({ source: 'notacme.test' })
  })
})

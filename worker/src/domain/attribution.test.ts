import { describe, expect, it } from 'vitest'
import { touchFromEvent } from './attribution'

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

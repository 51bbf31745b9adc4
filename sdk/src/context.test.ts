import { afterEach, describe, expect, it, vi } from 'vitest'
import { pageContext, parseCampaign, pathKey } from './context'

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
  it('is undefined without attribution or with an unparsable URL', () => {
    expect(parseCampaign('https://acme.test/pricing?plan=growth#utm_source=x')).toBeUndefined()
    expect(parseCampaign('not a url')).toBeUndefined()
  })
})

describe('pathKey', () => {
  it('is path and query: a hash change is not a page view', () => {
    expect(pathKey(new URL('https://acme.test/a?b=1#c'))).toBe('/a?b=1')
  })
})

describe('pageContext', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('carries url, referrer, title, locale, screen and the landing campaign', () => {
    vi.stubGlobal('location', { href: 'https://acme.test/pricing' })
    vi.stubGlobal('document', { title: 'Pricing' })
    vi.stubGlobal('navigator', { language: 'fr-FR' })
    vi.stubGlobal('screen', { width: 1280, height: 720 })
    expect(pageContext('https://google.com/', { utm_campaign: 'bf' })).toEqual({
      url: 'https://acme.test/pricing',
      referrer: 'https://google.com/',
      title: 'Pricing',
      locale: 'fr-FR',
      screen: '1280x720',
      campaign: { utm_campaign: 'bf' },
    })
  })
})

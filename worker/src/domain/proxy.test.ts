// Pure rewrites of edge mode: cookie scoping, redirect mapping and ASCII slot text.
import { describe, expect, it } from 'vitest'
import { asciiHtml, forwardedRequestHeaders, httpOrigin, rewriteLocation, scopeSetCookie } from './proxy'

describe('scopeSetCookie', () => {
  // Catches: an origin's cookie landing on `/` of the shared edge host, or on a parent domain.
  it('moves Path under the mount and drops Domain', () => {
    expect(scopeSetCookie('sid=1; Domain=.acme.test; Path=/app; Secure', '/edge/pk_1')).toBe('sid=1; Path=/edge/pk_1/app; Secure')
    expect(scopeSetCookie('sid=1', '/edge/pk_1')).toBe('sid=1; Path=/edge/pk_1/')
    expect(scopeSetCookie('sid=1; path=relative', '/edge/pk_1')).toBe('sid=1; Path=/edge/pk_1/')
    expect(scopeSetCookie('__Host-sid=1; Path=/; Secure', '/edge/pk_1')).toBeNull()
    expect(scopeSetCookie('cairn_aid=a_forged', '/edge/pk_1')).toBeNull()
  })
})

describe('rewriteLocation', () => {
  const urls = (site: string, fetched: string) => ({ site: new URL(site), fetched: new URL(fetched), visitor: new URL('https://edge.cairn.test/x') })
  const shared = { prefix: '/edge/pk_1', shared: true }
  it('maps the origin (and its base path) onto the mount, leaves other origins alone', () => {
    const u = urls('https://acme.test/shop', 'https://acme.test/shop/cart')
    expect(rewriteLocation('/shop/checkout?a=1', shared, u)).toBe('/edge/pk_1/checkout?a=1')
    expect(rewriteLocation('pay', shared, u)).toBe('/edge/pk_1/pay')
    expect(rewriteLocation('/elsewhere', shared, u)).toBe('/elsewhere') // outside the base path: not the site's
    expect(rewriteLocation('https://evil.test/', shared, u)).toBe('https://evil.test/')
    expect(rewriteLocation('/shop/new', { prefix: '', shared: false }, u)).toBe('https://edge.cairn.test/new')
  })
})

describe('forwardedRequestHeaders', () => {
  it('keeps the site’s cookies and drops Cairn’s, credentials and spoofable IPs', () => {
    const headers = forwardedRequestHeaders(
      new Headers({ cookie: 'a=1; cairn_aid=a_x; b=2', authorization: 'Bearer t', 'x-forwarded-for': '6.6.6.6', 'user-agent': 'UA' }),
      'edge.cairn.test',
    )
    expect(headers.get('cookie')).toBe('a=1; b=2')
    expect(headers.get('authorization')).toBeNull()
    expect(headers.get('x-forwarded-for')).toBeNull()
    expect(headers.get('user-agent')).toBe('UA')
    expect(headers.get('x-forwarded-host')).toBe('edge.cairn.test')
  })
})

describe('asciiHtml and httpOrigin', () => {
  // Catches: raw UTF-8 in a page of another charset; lone surrogates reaching the rewriter.
  it('writes non-ASCII as character references', () => {
    expect(asciiHtml('<b>Café</b> 😀')).toBe('<b>Caf&#xe9;</b> &#x1f600;')
    expect(asciiHtml('cut \ud83d')).toBe('cut &#xfffd;')
  })
  it('accepts only http(s) origins', () => {
    expect(httpOrigin('javascript:alert(1)')).toBeNull()
    expect(httpOrigin('https://acme.test')?.host).toBe('acme.test')
  })
})

import { describe, expect, it } from 'vitest'
import { CreateSite, installSnippet, isOriginAllowed, publicBase, SiteSettings } from './sites'

describe('isOriginAllowed', () => {
  const allowed = ['https://acme.test', 'https://*.acme.dev', 'http://127.0.0.1:8787']
  it.each([
    ['https://acme.test', true],
    ['https://ACME.test', true],
    ['http://acme.test', false],
    ['https://acme.test.evil.com', false],
    ['https://www.acme.dev', true],
    ['https://a.b.acme.dev', true],
    ['https://acme.dev', false],
    ['https://evilacme.dev', false],
    ['http://127.0.0.1:8787', true],
    ['http://127.0.0.1:8788', false],
  ])('%s → %s', (origin, expected) => {
    expect(isOriginAllowed(allowed, origin)).toBe(expected)
  })
})

describe('install snippet', () => {
  // Catches: a snippet pointing at the admin host (or a path) when the public host is configured.
  it('loads the SDK from PUBLIC_URL, else from the request origin', () => {
    expect(publicBase('https://cairn.example.com/ignored', 'http://127.0.0.1:8787/api/sites')).toBe('https://cairn.example.com')
    expect(publicBase(undefined, 'http://127.0.0.1:8787/api/sites')).toBe('http://127.0.0.1:8787')
    expect(publicBase('javascript:alert(1)', 'https://admin.test/api/sites')).toBe('https://admin.test')
  })
  // Catches: a snippet without the stub (calls before load lost) or with an unescaped attribute.
  it('is the stub plus the async script tag, attributes escaped', () => {
    const snippet = installSnippet('https://cairn.example.com', 'pk_a"b')
    expect(snippet).toContain('window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)}')
    expect(snippet).toContain('<script async src="https://cairn.example.com/sdk.js" data-site="pk_a&quot;b"></script>')
  })
})

describe('header-bound text', () => {
  it("refuses a site name or sender with a line break or control character (they go into the email's From header)", () => {
    // Catches header injection: "Acme\r\nBcc: list@evil.test" as a name or sender would add a header to every email.
    expect(CreateSite.safeParse({ name: 'Acme\r\nBcc: list@evil.test', origins: ['https://acme.test'] }).success).toBe(false)
    expect(SiteSettings.safeParse({ emailFrom: 'Acme <hi@acme.test>\nBcc: list@evil.test' }).success).toBe(false)
    expect(SiteSettings.safeParse({ emailFrom: 'Acme\u0000 <hi@acme.test>' }).success).toBe(false)
    expect(CreateSite.safeParse({ name: 'Acme CRM — Café', origins: ['https://acme.test'] }).success).toBe(true)
    expect(SiteSettings.safeParse({ emailFrom: 'Acme Café <hi@acme.test>' }).success).toBe(true)
  })
})

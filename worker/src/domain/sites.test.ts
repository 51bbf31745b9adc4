import { describe, expect, it } from 'vitest'
import { isOriginAllowed } from './sites'

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

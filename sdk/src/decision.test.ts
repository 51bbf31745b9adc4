import { describe, expect, it } from 'vitest'
import { safeLink } from './banner.js'
import { formatExperiences, parseExperiences, personalizeUrl, readDecision } from './decision.js'

describe('personalizeUrl', () => {
  // Catches: a page URL whose own query (&, =, #) leaks into the request's parameters.
  it('encodes every parameter', () => {
    const url = new URL(personalizeUrl('https://edge.test', 'pk demo', 'https://acme.test/a?b=1&c=2#d', 'a_1', ''))
    expect(url.pathname).toBe('/v1/personalize')
    expect([...url.searchParams]).toEqual([
      ['site', 'pk demo'],
      ['url', 'https://acme.test/a?b=1&c=2#d'],
      ['aid', 'a_1'],
    ])
  })
})

describe('readDecision', () => {
  // Catches: a missing part (or a null body) breaking the page instead of reading as "nothing".
  it('fills in what the answer leaves out', () => {
    expect(readDecision(null)).toEqual({ slots: {}, experiences: [], messages: [] })
    expect(readDecision({ slots: { a: 'A' } })).toEqual({ slots: { a: 'A' }, experiences: [], messages: [] })
  })
})

describe('experiences as text', () => {
  // Catches: a format drift between edge mode's attribute, Web Vitals events and ready().
  it('round-trips "expId:varId,…"', () => {
    const list = [
      { id: 'exp_1', variant: 'var_a' },
      { id: 'exp_2', variant: 'var_b' },
    ]
    expect(formatExperiences(list)).toBe('exp_1:var_a,exp_2:var_b')
    expect(parseExperiences('exp_1:var_a,exp_2:var_b')).toEqual(list)
    expect(parseExperiences('')).toEqual([])
    expect(formatExperiences([])).toBe('')
  })
})

describe('safeLink', () => {
  // Catches: a CTA URL that runs script when clicked.
  it.each([
    ['/demo', true],
    ['https://acme.test/demo', true],
    ['HTTP://acme.test', true],
    ['javascript:alert(1)', false],
    ['JaVaScRiPt:alert(1)', false],
    [' javascript:alert(1)', false],
    ['\tjavascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['vbscript:x', false],
    ['demo', false],
    [undefined, false],
    [42, false],
  ])('%j → %s', (url, allowed) => {
    expect(safeLink(url)).toBe(allowed)
  })
})

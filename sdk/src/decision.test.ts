import { describe, expect, it } from 'vitest'
import { safeLink } from './banner.js'
import { edgeDecision, formatExperiences, parseExperiences, personalizeUrl, readDecision } from './decision.js'

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

describe('edgeDecision', () => {
  const page = (marker?: string) =>
    ({ documentElement: { getAttribute: (name: string) => (name === 'data-cairn-edge' && marker !== undefined ? marker : null) } }) as unknown as Document
  const timing = (entries: Array<{ name: string; description: string }> | undefined) =>
    ({ getEntriesByType: (type: string) => (type === 'navigation' ? [{ serverTiming: entries }] : []) }) as unknown as Performance

  // Catches: an edge page passed through untouched asking /v1/personalize again, or a client-mode page taken for edge mode.
  it('reads the <html> marker, else the navigation’s cairn-edge Server-Timing entry, else null', () => {
    expect(edgeDecision(page('e:v'), timing([{ name: 'cairn-edge', description: 'other:x' }]))).toBe('e:v')
    expect(edgeDecision(page(), timing([{ name: 'cfL4', description: 'x' }, { name: 'cairn-edge', description: 'e:control' }]))).toBe('e:control')
    expect(edgeDecision(page(), timing([{ name: 'cairn-edge', description: '' }]))).toBe('') // edge mode, nothing applied
    expect(edgeDecision(page(), timing([{ name: 'cfL4', description: 'x' }]))).toBeNull()
    expect(edgeDecision(page(), timing(undefined))).toBeNull() // a browser without serverTiming
    expect(edgeDecision(page(), { getEntriesByType: () => [] } as unknown as Performance)).toBeNull()
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

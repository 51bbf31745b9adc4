// The lazy chunk's reporting, with web-vitals faked: each final metric becomes one 'Web Vitals' event.
import { afterEach, describe, expect, it, vi } from 'vitest'

const reporters: Record<string, (metric: object) => void> = {}
vi.mock('web-vitals', () => ({
  onLCP: (report: (metric: object) => void) => (reporters.LCP = report),
  onCLS: (report: (metric: object) => void) => (reporters.CLS = report),
  onINP: (report: (metric: object) => void) => (reporters.INP = report),
}))

afterEach(() => {
  vi.unstubAllGlobals()
  vi.resetModules()
})

describe('web-vitals chunk', () => {
  // Catches: a wrong property name or metric, a missing experience attribution, reports to a missing SDK.
  it('tracks LCP, CLS and INP with rating, page and the experiences of this page load', async () => {
    const cairn = vi.fn((name: string, callback?: unknown) => {
      if (name == 'ready') (callback as (list: unknown) => void)([{ id: 'exp_bf', variant: 'var_b' }])
    })
    vi.stubGlobal('window', { cairn })
    vi.stubGlobal('location', { pathname: '/pricing' })
    await import('./vitals')
    reporters.LCP!({ name: 'LCP', value: 812.4, rating: 'good', delta: 812.4, entries: [] })
    reporters.CLS!({ name: 'CLS', value: 0, rating: 'good' })
    reporters.INP!({ name: 'INP', value: 560, rating: 'poor' })
    const tracks = cairn.mock.calls.filter((call) => call[0] == 'track')
    expect(tracks).toEqual([
      ['track', 'Web Vitals', { metric: 'LCP', value: 812.4, rating: 'good', page: '/pricing', experiences: 'exp_bf:var_b' }],
      ['track', 'Web Vitals', { metric: 'CLS', value: 0, rating: 'good', page: '/pricing', experiences: 'exp_bf:var_b' }],
      ['track', 'Web Vitals', { metric: 'INP', value: 560, rating: 'poor', page: '/pricing', experiences: 'exp_bf:var_b' }],
    ])
  })

  it('does nothing, and throws nothing, without the SDK', async () => {
    for (const key of Object.keys(reporters)) delete reporters[key]
    vi.stubGlobal('window', {})
    await expect(import('./vitals')).resolves.toBeDefined()
    expect(reporters).toEqual({})
  })
})

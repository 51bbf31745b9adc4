import { describe, expect, it } from 'vitest'
import { percentile, summarizeVitals, toSample } from './vitals'

describe('vitals', () => {
  it('takes the nearest-rank 75th percentile', () => {
    expect(percentile([1, 2, 3, 4], 75)).toBe(3)
    expect(percentile([10], 75)).toBe(10)
    expect(percentile([], 75)).toBeNull()
  })
  it('ignores malformed samples and groups by page and variant', () => {
    const samples = [
      { metric: 'LCP', value: 1200, page: '/', experiences: 'exp_1:var_a' },
      { metric: 'LCP', value: 1800, page: '/', experiences: 'exp_1:var_a' },
      { metric: 'CLS', value: 0, page: '/', experiences: 'exp_1:var_a' },
      { metric: 'LCP', value: 900, page: '/', experiences: '' },
      { metric: 'FID', value: 3, page: '/' },
      { metric: 'LCP', value: -1, page: '/' },
    ].map(toSample)
    expect(samples.filter(Boolean)).toHaveLength(4)
    const rows = summarizeVitals(samples.filter((s) => s !== null))
    expect(rows).toEqual([
      { page: '/', experiences: 'exp_1:var_a', LCP: { p75: 1800, count: 2 }, CLS: { p75: 0, count: 1 }, INP: { p75: null, count: 0 } },
      { page: '/', experiences: 'none', LCP: { p75: 900, count: 1 }, CLS: { p75: null, count: 0 }, INP: { p75: null, count: 0 } },
    ])
  })
})

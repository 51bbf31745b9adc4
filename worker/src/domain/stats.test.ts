import { describe, expect, it } from 'vitest'
import { compareToBaseline, normalCdf } from './stats'

describe('normalCdf', () => {
  it('matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6)
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3)
    expect(normalCdf(-1.645)).toBeCloseTo(0.05, 3)
  })
})

describe('compareToBaseline', () => {
  it('finds a clear winner significant and computes lift', () => {
    // 200/1000 vs 150/1000: z ≈ 2.94, p ≈ 0.0033
    const result = compareToBaseline({ exposures: 1000, conversions: 200 }, { exposures: 1000, conversions: 150 })
    expect(result.lift).toBeCloseTo(1 / 3, 6)
    expect(result.z).toBeCloseTo(2.94, 2)
    expect(result.pValue).toBeCloseTo(0.0033, 3)
    expect(result.significant).toBe(true)
  })
  it('does not call noise significant', () => {
    const result = compareToBaseline({ exposures: 100, conversions: 11 }, { exposures: 100, conversions: 10 })
    expect(result.significant).toBe(false)
    expect(result.pValue!).toBeGreaterThan(0.5)
  })
  it('answers nulls when an arm has no exposures or nothing varies', () => {
    expect(compareToBaseline({ exposures: 0, conversions: 0 }, { exposures: 10, conversions: 1 }).pValue).toBeNull()
    expect(compareToBaseline({ exposures: 10, conversions: 0 }, { exposures: 10, conversions: 0 })).toMatchObject({ lift: null, pValue: null })
  })
})

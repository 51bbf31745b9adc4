import { describe, expect, it } from 'vitest'
import { pairedMedian, verdictOf } from './paired.mjs'

describe('pairedMedian', () => {
  it('takes the sign-test order statistics for the interval (n = 12: 3rd and 10th, 96.1 %)', () => {
    const d = [5, -1, 3, 9, 0, 2, 8, 4, 7, 1, 6, -2]
    const r = pairedMedian(d)
    expect(r.median).toBe(3.5)
    expect([r.low, r.high]).toEqual([0, 7])
    expect(r.coverage).toBeCloseTo(0.9614, 4)
  })

  it('widens the interval with fewer rounds and gives up below six', () => {
    expect(pairedMedian([1, 2, 3, 4, 5, 6])).toMatchObject({ low: 1, high: 6, median: 3.5 })
    expect(pairedMedian([1, 2, 3, 4, 5])).toMatchObject({ low: -Infinity, high: Infinity, median: 3 })
  })

  it('ignores rounds without a measurement', () => {
    expect(pairedMedian([NaN, 1, 2, 3]).n).toBe(3)
    expect(pairedMedian([]).median).toBeNaN()
  })
})

describe('verdictOf', () => {
  it('calls a difference only when the whole interval is on one side of zero', () => {
    const ahead = pairedMedian(Array.from({ length: 12 }, (_, i) => -10 - i))
    const behind = pairedMedian(Array.from({ length: 12 }, (_, i) => 1 + i))
    const mixed = pairedMedian([-3, -2, -1, -1, -1, 0.5, 1, 2, -4, 3, -5, 1])
    expect([verdictOf(ahead), verdictOf(behind), verdictOf(mixed)]).toEqual(['ahead', 'behind', 'tie'])
  })
})

// Local days: the site's midnight, across DST, and the range rules every metric uses.
import { describe, expect, it } from 'vitest'
import { dayClock, dayOfDate, dayRangeOf, instantsOf, isoDay, monthOf, weekOf } from './days'
import { cellDeltas, type Cell } from './cells'
import { percentiles } from './summaries'

const ny = dayClock('America/New_York')
const march = (date: number) => dayOfDate(2026, 3, date)

describe('dayClock', () => {
  it('cuts days at local midnight, before and after the DST change', () => {
    // Catches: UTC days, or a fixed offset applied all year.
    expect(isoDay(ny.dayOf(Date.parse('2026-03-05T04:59:59Z')))).toBe('2026-03-04')
    expect(isoDay(ny.dayOf(Date.parse('2026-03-05T05:00:00Z')))).toBe('2026-03-05')
    expect(isoDay(ny.dayOf(Date.parse('2026-03-09T03:59:00Z')))).toBe('2026-03-08')
    expect(new Date(ny.startOf(march(8))).toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(new Date(ny.startOf(march(9))).toISOString()).toBe('2026-03-09T04:00:00.000Z')
    expect(new Date(dayClock('Asia/Kathmandu').startOf(march(9))).toISOString()).toBe('2026-03-08T18:15:00.000Z')
  })

  it('numbers weeks from Monday and months from the 1st', () => {
    expect(isoDay(weekOf(march(8)))).toBe('2026-03-02')
    expect(isoDay(weekOf(march(9)))).toBe('2026-03-09')
    expect(isoDay(monthOf(march(31)))).toBe('2026-03-01')
  })
})

describe('instantsOf', () => {
  it('reads local dates as local midnights (to: the midnight after) and keeps instants as given', () => {
    // Catches: UTC midnights for dates, an exclusive date `to` dropping its last day, or instants reinterpreted.
    expect(instantsOf({ from: '2026-03-08', to: '2026-03-08' }, ny)).toEqual({ from: Date.parse('2026-03-08T05:00:00Z'), to: Date.parse('2026-03-09T04:00:00Z') })
    expect(instantsOf({ from: '2026-03-08T12:00:00Z' }, ny)).toEqual({ from: Date.parse('2026-03-08T12:00:00Z'), to: undefined })
    expect(instantsOf({}, ny)).toEqual({ from: undefined, to: undefined })
  })
})

describe('dayRangeOf', () => {
  it('reads dates as whole local days and instants as the days they touch', () => {
    // Catches: an exclusive `to` instant at midnight counting the next day.
    expect(dayRangeOf({ from: '2026-03-01', to: '2026-03-31' }, ny, 0)).toEqual({ ok: true, days: { first: march(1), last: march(31) } })
    expect(dayRangeOf({ from: '2026-03-01T05:00:00Z', to: '2026-03-02T05:00:00Z' }, ny, 0)).toEqual({ ok: true, days: { first: march(1), last: march(1) } })
    expect(dayRangeOf({ from: '2026-03-02', to: '2026-03-01' }, ny, 0).ok).toBe(false)
  })
})

describe('cells and percentiles', () => {
  it('nets a person moving on to zero for her old cells', () => {
    // Catches: deltas that add the new cells without removing the old ones.
    const before: Cell[] = [['entered:2', 10, '', 1], ['current', 0, 'lead', 1]]
    const after: Cell[] = [['entered:2', 10, '', 1], ['current', 0, 'mql', 1]]
    expect(cellDeltas([{ before, after }])).toEqual([['current', 0, 'lead', -1], ['current', 0, 'mql', 1]])
  })

  it('takes nearest-rank percentiles from a day histogram', () => {
    expect(percentiles([{ days: 10, count: 1 }, { days: 0, count: 1 }, { days: 1, count: 1 }])).toEqual({ count: 3, median: 1, p75: 10, p90: 10 })
    expect(percentiles([])).toEqual({ count: 0, median: null, p75: null, p90: null })
  })
})

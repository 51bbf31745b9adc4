import { describe, expect, it } from 'vitest'
import { bucketOf, chooseVariant, cleanToken, decide, renderSlot, type DecisionContext, type Experience } from './experiences'

const ctx = (url: string, visitorId: string | null = 'a_1'): DecisionContext => ({
  url: new URL(url),
  referrer: null,
  device: 'desktop',
  country: null,
  visitorId,
  lead: null,
  exposed: new Map(),
})

const experience = (over: Partial<Experience> = {}): Experience => ({
  id: 'exp_1',
  edited: false,
  name: 'Test',
  status: 'active',
  priority: 0,
  goal: null,
  match: {},
  control: 0,
  variants: [
    { id: 'var_a', name: 'A', weight: 1, slots: { headline: 'A' } },
    { id: 'var_b', name: 'B', weight: 1, slots: { headline: 'B' } },
  ],
  ...over,
})

describe('bucketOf', () => {
  it('spreads sequential visitor ids evenly', () => {
    const buckets = Array.from({ length: 10 }, () => 0)
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(bucketOf(`a_${i}`, 'exp_x') * 10)]! += 1
    for (const count of buckets) expect(Math.abs(count - 1000)).toBeLessThan(150)
  })
  it('is stable for a visitor and independent across experiences', () => {
    expect(bucketOf('a_1', 'exp_x')).toBe(bucketOf('a_1', 'exp_x'))
    expect(bucketOf('a_1', 'exp_x')).not.toBe(bucketOf('a_1', 'exp_y'))
  })
})

describe('chooseVariant', () => {
  it('splits by weight and holds out control', () => {
    const counts: Record<string, number> = {}
    const exp = experience({ control: 20, variants: [
      { id: 'var_a', name: 'A', weight: 3, slots: { h: 'A' } },
      { id: 'var_b', name: 'B', weight: 1, slots: { h: 'B' } },
    ] })
    for (let i = 0; i < 10_000; i++) {
      const v = chooseVariant(exp, ctx('https://acme.test/', `a_${i}`))
      counts[v] = (counts[v] ?? 0) + 1
    }
    expect(counts.control! / 10_000).toBeCloseTo(0.2, 1)
    expect(counts.var_a! / 10_000).toBeCloseTo(0.6, 1)
    expect(counts.var_b! / 10_000).toBeCloseTo(0.2, 1)
  })
  it('picks the heaviest variant and no control without a visitor id', () => {
    expect(chooseVariant(experience({ control: 50, variants: [
      { id: 'var_a', name: 'A', weight: 1, slots: { h: 'A' } },
      { id: 'var_b', name: 'B', weight: 5, slots: { h: 'B' } },
    ] }), ctx('https://acme.test/', null))).toBe('var_b')
  })
})

describe('decide and renderSlot', () => {
  it('skips paused experiences and ones whose audience does not match', () => {
    const paused = experience({ id: 'exp_p', status: 'paused' })
    const other = experience({ id: 'exp_o', match: { path: '/pricing' } })
    expect(decide([paused, other], ctx('https://acme.test/'))).toEqual({ slots: {}, experiences: [] })
  })
  it('fills tokens with cleaned, escaped values and falls back when missing', () => {
    const page = ctx('https://acme.test/?utm_term=%22best%22%20crm%0A%3Cscript%3E&utm_source=google')
    expect(renderSlot('{{utm_term|CRM}} for {{ utm_source }} / {{utm_content|you}} {{unknown|x}}', page)).toBe(
      '&quot;best&quot; crm &lt;script&gt; for google / you x',
    )
  })
  it('clips long values at a word boundary', () => {
    expect(cleanToken('alpha '.repeat(20)).length).toBeLessThanOrEqual(60)
    expect(cleanToken('alpha '.repeat(20)).endsWith('alpha')).toBe(true)
  })
})

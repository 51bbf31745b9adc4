import { describe, expect, it } from 'vitest'
import { append, ATTEMPTS_MAX, backoff, failed, parseQueue, QUEUE_MAX, retryable, without } from './queue.js'
import type { QueueItem } from './types.js'

const item = (id: string, n = 0): QueueItem => ({
  e: { id, type: 'track', event: 'x', anonymousId: 'a_1', timestamp: '2026-01-01T00:00:00.000Z', context: { url: 'https://acme.test/' } },
  n,
})
const ids = (queue: QueueItem[]) => queue.map((i) => i.e.id)

describe('parseQueue', () => {
  it('reads a stored queue and treats anything unreadable as empty (a bad value would block sending)', () => {
    expect(ids(parseQueue(JSON.stringify([item('a'), item('b')])))).toEqual(['a', 'b'])
    expect(parseQueue(null)).toEqual([])
    expect(parseQueue(undefined)).toEqual([])
    expect(parseQueue('{not json')).toEqual([])
    expect(parseQueue('{"a":1}')).toEqual([])
    expect(ids(parseQueue(JSON.stringify([null, 5, { e: {} }, item('ok')])))).toEqual(['ok'])
  })
})

describe('append', () => {
  it('keeps events another tab appended and skips ids already queued', () => {
    const stored = [item('a'), item('b')]
    expect(ids(append(stored, [item('b'), item('c')]))).toEqual(['a', 'b', 'c'])
  })
  it('is bounded: the oldest events are dropped first', () => {
    const many = Array.from({ length: QUEUE_MAX }, (_, i) => item('e' + i))
    const next = append(many, [item('new')])
    expect(next).toHaveLength(QUEUE_MAX)
    expect(next[0]!.e.id).toBe('e1')
    expect(next[next.length - 1]!.e.id).toBe('new')
    expect(ids(append([item('a'), item('b')], [item('c')], 2))).toEqual(['b', 'c'])
  })
})

describe('without / failed', () => {
  it('removes sent events by id and leaves the others, including those another tab added', () => {
    expect(ids(without([item('a'), item('b'), item('c')], ['a', 'c']))).toEqual(['b'])
  })
  it('counts an attempt per failed event and drops events that used up their attempts', () => {
    const next = failed([item('a', 0), item('b', ATTEMPTS_MAX - 1), item('c', 3)], ['a', 'b'])
    expect(next.map((i) => [i.e.id, i.n])).toEqual([
      ['a', 1],
      ['c', 3],
    ])
  })
})

describe('retryable', () => {
  it.each([
    [0, true],
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [202, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
  ])('status %i → %s', (status, expected) => {
    expect(retryable(status)).toBe(expected)
  })
})

describe('backoff', () => {
  it('uses full jitter below min(30 s, 1 s · 2^attempt)', () => {
    expect(backoff(0, () => 0)).toBe(0)
    expect(backoff(0, () => 0.999)).toBeCloseTo(999)
    expect(backoff(3, () => 0.5)).toBe(4000)
    expect(backoff(20, () => 0.999)).toBeCloseTo(29970)
    for (let attempt = 0; attempt < 12; attempt++) {
      const delay = backoff(attempt)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(Math.min(30000, 1000 * 2 ** attempt))
    }
  })
})

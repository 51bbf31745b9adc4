import { afterEach, describe, expect, it, vi } from 'vitest'
import { beacon, BODY_MAX, bytes, encodeBatch, pack, post } from './transport.js'
import type { QueueItem } from './types.js'

const item = (id: string, padding = 0): QueueItem => ({
  e: {
    id,
    type: 'track',
    event: 'Viewed',
    properties: { text: 'é'.repeat(padding) },
    anonymousId: 'a_1',
    timestamp: '2026-01-01T00:00:00.000Z',
    context: { url: 'https://acme.test/' },
  },
  n: 0,
})

afterEach(() => vi.unstubAllGlobals())

describe('encodeBatch', () => {
  it('writes the POST /v1/events body of API.md', () => {
    const body = JSON.parse(encodeBatch('pk_demo', [item('a')]))
    expect(Object.keys(body)).toEqual(['site', 'sentAt', 'batch'])
    expect(body.site).toBe('pk_demo')
    expect(new Date(body.sentAt).toISOString()).toBe(body.sentAt)
    expect(body.batch).toEqual([item('a').e])
  })
})

describe('pack', () => {
  it('splits into batches of at most `max` events, in order', () => {
    const items = Array.from({ length: 45 }, (_, i) => item('e' + i))
    const batches = pack(items, 'pk_demo', 20)
    expect(batches.map((b) => b.length)).toEqual([20, 20, 5])
    expect(batches.flat().map((i) => i.e.id)).toEqual(items.map((i) => i.e.id))
  })
  it('keeps every body and all bodies together under the 64 KiB keepalive budget (multi-byte text counted)', () => {
    // ~10 KiB of two-byte characters per event: 6 fit, the rest waits.
    const items = Array.from({ length: 20 }, (_, i) => item('e' + i, 5000))
    const batches = pack(items, 'pk_demo', 4)
    const sizes = batches.map((b) => bytes(encodeBatch('pk_demo', b)))
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BODY_MAX)
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(BODY_MAX)
    expect(batches.flat()).toHaveLength(6)
    expect(batches.map((b) => b.length)).toEqual([4, 2])
  })
  it('uses the budget fully: one more event would not fit', () => {
    const items = Array.from({ length: 40 }, (_, i) => item('e' + i, 700))
    const batches = pack(items, 'pk_demo', 100, 20000)
    expect(batches).toHaveLength(1)
    const size = bytes(encodeBatch('pk_demo', batches[0]!))
    expect(size).toBeLessThanOrEqual(20000)
    expect(bytes(encodeBatch('pk_demo', items.slice(0, batches[0]!.length + 1)))).toBeGreaterThan(20000)
  })
  it('stops at an event too large for what is left, keeping the order', () => {
    expect(pack([item('big', 40000)], 'pk_demo')).toEqual([])
    expect(pack([item('a'), item('big', 40000), item('b')], 'pk_demo').flat().map((i) => i.e.id)).toEqual(['a'])
  })
})

describe('post', () => {
  it('sends text/plain JSON (no preflight) without credentials, with keepalive under 64 KiB', async () => {
    const fetch = vi.fn(async () => ({ status: 202 }) as Response)
    vi.stubGlobal('fetch', fetch)
    expect(await post('https://edge.test/v1/events', '{"a":1}')).toBe(202)
    expect(fetch).toHaveBeenCalledWith('https://edge.test/v1/events', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'Content-Type': 'text/plain' },
      keepalive: true,
      credentials: 'omit',
    })
    await post('https://edge.test/v1/events', 'x'.repeat(BODY_MAX + 1))
    expect((fetch.mock.calls[1] as unknown[])[1]).toMatchObject({ keepalive: false })
  })
  it('answers 0 for a network error instead of throwing', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    expect(await post('https://edge.test/v1/events', '{}')).toBe(0)
  })
})

describe('beacon', () => {
  it('sends a text/plain Blob and answers what the browser said', async () => {
    const sendBeacon = vi.fn(() => true)
    vi.stubGlobal('navigator', { sendBeacon })
    expect(beacon('https://edge.test/v1/events', '{"a":1}')).toBe(true)
    const blob = (sendBeacon.mock.calls[0] as unknown as [string, Blob])[1]
    expect(blob.type).toBe('text/plain')
    expect(await blob.text()).toBe('{"a":1}')
  })
  it('answers false when sendBeacon is missing, refuses or throws', () => {
    vi.stubGlobal('navigator', {})
    expect(beacon('u', '{}')).toBe(false)
    vi.stubGlobal('navigator', { sendBeacon: () => false })
    expect(beacon('u', '{}')).toBe(false)
    vi.stubGlobal('navigator', {
      sendBeacon: () => {
        throw new TypeError('Illegal invocation')
      },
    })
    expect(beacon('u', '{}')).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { correctTimestamp, dedupeBatch, EventBatch, normalizeEmail, normalizeEvent } from './events'

const received = Date.parse('2026-11-22T10:00:10.000Z')

describe('correctTimestamp', () => {
  it('keeps the delay between event and sentAt, not the client clock', () => {
    // Client clock 1 h fast: event 2 s before sending.
    expect(correctTimestamp('2026-11-22T11:00:08.000Z', '2026-11-22T11:00:10.000Z', received)).toBe(received - 2000)
  })
  it('uses arrival time without a timestamp and clamps the future and the far past', () => {
    expect(correctTimestamp(undefined, undefined, received)).toBe(received)
    expect(correctTimestamp('2030-01-01T00:00:00.000Z', undefined, received)).toBe(received)
    expect(correctTimestamp('2001-01-01T00:00:00.000Z', undefined, received)).toBe(received - 30 * 24 * 3600 * 1000)
  })
})

describe('normalizeEmail', () => {
  it('trims and lower-cases emails and rejects non-emails', () => {
    expect(normalizeEmail(' Ada@Example.COM ')).toBe('ada@example.com')
    expect(normalizeEmail('not-an-email')).toBeNull()
    expect(normalizeEmail(42)).toBeNull()
  })
})

describe('dedupeBatch', () => {
  it('keeps the first occurrence of each id', () => {
    const { unique, repeats } = dedupeBatch([{ id: 'a', n: 1 }, { id: 'b', n: 2 }, { id: 'a', n: 3 }])
    expect(unique).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }])
    expect(repeats).toBe(1)
  })
})

describe('EventBatch and normalizeEvent', () => {
  it('normalizes the API.md example batch', () => {
    const parsed = EventBatch.parse({
      site: 'pk_demo',
      sentAt: '2026-11-22T10:00:01.000Z',
      batch: [
        { id: 'e1', type: 'page', anonymousId: 'a_1', timestamp: '2026-11-22T10:00:00.000Z',
          context: { url: 'https://acme.test/pricing?utm_campaign=bf', referrer: 'https://google.com/', title: 'Pricing' } },
        { id: 'e2', type: 'track', event: 'Signed Up', anonymousId: 'a_1', properties: { plan: 'trial' },
          timestamp: '2026-11-22T10:00:00.500Z', context: { url: 'https://acme.test/signup' } },
        { id: 'e3', type: 'identify', anonymousId: 'a_1', userId: 'u_42',
          traits: { email: 'ada@example.com', budget: 12000 }, timestamp: '2026-11-22T10:00:00.900Z', context: { url: 'https://acme.test/signup' } },
      ],
    })
    const [page, track, identify] = parsed.batch.map((e) => normalizeEvent(e, parsed.sentAt, received))
    expect(page).toMatchObject({ type: 'page', name: '/pricing', ts: received - 1000, touch: { campaign: 'bf', source: 'google.com' } })
    expect(track).toMatchObject({ type: 'track', name: 'Signed Up', data: { plan: 'trial' } })
    expect(identify).toMatchObject({ type: 'identify', userId: 'u_42', email: 'ada@example.com', data: { budget: 12000 } })
  })
})

describe('null properties and traits', () => {
  it("read as none: a site's track('Clicked', null) does not cost its whole batch a 400", () => {
    // Catches: one event with null properties refusing every event queued with it (the SDK drops a refused batch).
    const parsed = EventBatch.safeParse({
      site: 'pk_demo',
      batch: [
        { id: 'e1', type: 'track', event: 'Clicked', anonymousId: 'a_1', properties: null },
        { id: 'e2', type: 'identify', anonymousId: 'a_1', userId: 'u_1', traits: null },
        { id: 'e3', type: 'page', anonymousId: 'a_1', properties: null },
      ],
    })
    expect(parsed.success).toBe(true)
    expect(parsed.data!.batch.map((e) => ('properties' in e ? e.properties : 'traits' in e ? e.traits : 'none'))).toEqual([undefined, undefined, undefined])
    // Anything else that is not an object still is a 400.
    expect(EventBatch.safeParse({ site: 'pk_demo', batch: [{ id: 'e4', type: 'track', event: 'X', anonymousId: 'a_1', properties: 'x' }] }).success).toBe(false)
  })
})

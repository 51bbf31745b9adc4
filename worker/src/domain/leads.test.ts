import { describe, expect, it } from 'vitest'
import type { NormalizedEvent } from './events'
import { applyEvents, SESSION_GAP_MS, type IdMinter } from './leads'

const ids: IdMinter = { forVisitor: (aid) => `ld_${aid}`, fresh: () => 'ld_fresh' }
const T = 1_700_000_000_000
const SCORING = { stage: 'visitor', stageChangedAt: null, stageFloor: null, score: 0, fitScore: 0, engagementScore: 0, rfm: null, timeZone: null, verified: false,
  purchases: 0, revenue: 0, lastPurchaseAt: null, salesEventAt: null, referralEventAt: null }

function event(partial: Partial<NormalizedEvent> & Pick<NormalizedEvent, 'anonymousId' | 'ts'>): NormalizedEvent {
  return {
    eventId: `${partial.anonymousId}-${partial.ts}`,
    type: 'page',
    name: '/',
    userId: null,
    email: null,
    url: 'https://acme.test/',
    data: null,
    context: null,
    touch: null,
    ...partial,
  }
}

describe('applyEvents', () => {
  it('creates one lead per new visitor with a direct first touch and counts sessions by 30-minute gaps', () => {
    const changes = applyEvents({ leads: [], visitors: new Map() }, [
      event({ anonymousId: 'a', ts: T }),
      event({ anonymousId: 'a', ts: T + SESSION_GAP_MS - 1 }),
      event({ anonymousId: 'a', ts: T + 2 * SESSION_GAP_MS + 1 }),
    ], ids)
    expect(changes.write).toHaveLength(1)
    expect(changes.write[0]).toMatchObject({ id: 'ld_a', created: true, sessions: 2, eventCount: 3, firstSeen: T })
    expect(changes.write[0]!.firstTouch).toMatchObject({ source: '(direct)' })
    expect(changes.visitors).toEqual([{ anonymousId: 'a', leadId: 'ld_a', firstSeen: T }])
  })

  it('takes an earlier replayed campaign touch as the first touch', () => {
    const known = {
      leads: [{ id: 'ld_a', userId: null, email: null, traits: {}, firstSeen: T, lastSeen: T, sessions: 1, eventCount: 1,
        firstTouch: { source: '(direct)', medium: '(none)', at: T }, lastTouch: null, ...SCORING }],
      visitors: new Map([['a', 'ld_a']]),
    }
    const offline = event({ anonymousId: 'a', ts: T - 1000, touch: { source: 'google', medium: 'cpc', at: T - 1000 } })
    const [lead] = applyEvents(known, [offline], ids).write
    expect(lead!.firstTouch).toMatchObject({ source: 'google' })
    expect(lead!.firstSeen).toBe(T - 1000)
  })

  it('merges an anonymous visitor into the existing lead with the same email and removes the duplicate', () => {
    const known = {
      leads: [
        { id: 'ld_x', userId: null, email: 'ada@example.com', traits: { plan: 'pro' }, firstSeen: T, lastSeen: T,
          sessions: 1, eventCount: 4, firstTouch: null, lastTouch: null, ...SCORING },
        { id: 'ld_b', userId: null, email: null, traits: {}, firstSeen: T + 10, lastSeen: T + 10,
          sessions: 1, eventCount: 2, firstTouch: null, lastTouch: null, ...SCORING },
      ],
      visitors: new Map([['b', 'ld_b']]),
    }
    const changes = applyEvents(known, [event({ anonymousId: 'b', ts: T + 20, type: 'identify', email: 'ada@example.com', data: { email: 'ada@example.com' } })], ids)
    expect(changes.remove).toEqual(['ld_b'])
    expect(changes.repoint).toEqual([{ from: 'ld_b', into: 'ld_x' }])
    expect(changes.write).toHaveLength(1)
    expect(changes.write[0]).toMatchObject({ id: 'ld_x', eventCount: 7, sessions: 2, traits: { plan: 'pro' } })
  })

  it('starts a new lead when a device known as one user identifies as another unknown user', () => {
    const known = {
      leads: [{ id: 'ld_a', userId: 'alice', email: null, traits: {}, firstSeen: T, lastSeen: T, sessions: 1,
        eventCount: 1, firstTouch: null, lastTouch: null, ...SCORING }],
      visitors: new Map([['a', 'ld_a']]),
    }
    const changes = applyEvents(known, [event({ anonymousId: 'a', ts: T + 5, type: 'identify', userId: 'bob' })], ids)
    expect(changes.write.map((l) => [l.id, l.userId, l.created])).toEqual([['ld_fresh', 'bob', true]])
    expect(changes.visitors).toEqual([{ anonymousId: 'a', leadId: 'ld_fresh', firstSeen: T + 5 }])
    expect(changes.remove).toEqual([])
  })
})

describe('time zone', () => {
  const withZone = (ts: number, timezone: unknown) => event({ anonymousId: 'a', ts, context: { url: 'https://acme.test/', timezone } })

  // Catches: a made-up or non-string zone stored (quiet hours would throw or use it), an older replayed
  // event rolling back the newest zone, the zone lost when two leads merge.
  it('keeps the newest valid IANA name the SDK reported, ignoring invalid ones', () => {
    const changes = applyEvents({ leads: [], visitors: new Map() }, [
      withZone(T, 'Europe/Paris'),
      withZone(T + 1, 'Mars/Olympus'),
      withZone(T + 2, 42),
      withZone(T + 3, 'America/New_York'),
      withZone(T - 1000, 'Asia/Tokyo'),
    ], ids)
    expect(changes.write[0]!.timeZone).toBe('America/New_York')
    const none = applyEvents({ leads: [], visitors: new Map() }, [withZone(T, 'not a zone'), event({ anonymousId: 'b', ts: T })], ids)
    expect(none.write.map((lead) => lead.timeZone)).toEqual([null, null])
  })
})

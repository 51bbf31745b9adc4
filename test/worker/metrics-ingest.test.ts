// Metrics end to end from POST /v1/events: two browsers of one person merge into one lead, batches are
// replayed, and the funnel, channels and trends count her once (and her two browsers as two visitors).
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { admin, createSite, identifyEvent, ORIGIN, pageEvent, sendEvents, uniqueId } from './helpers'

const ago = (ms: number) => new Date(Date.now() - ms).toISOString()

it('counts a merged person once and replayed events never', async () => {
  // Catches: facts of the merged-away lead left behind, replays counted, browsers counted as people.
  const site = await createSite()
  const phone = uniqueId('a_')
  const laptop = uniqueId('a_')
  const visits = [
    pageEvent(phone, `${ORIGIN}/?utm_source=google&utm_medium=cpc&utm_campaign=bf`, { timestamp: ago(120_000) }),
    pageEvent(laptop, `${ORIGIN}/pricing`, { timestamp: ago(60_000) }),
  ]
  const signups = [identifyEvent(laptop, null, { email: 'ana@example.com' }), identifyEvent(phone, null, { email: 'ana@example.com' })]
  const metric = async (path: string) => (await (await admin(`/api/sites/${site.id}/metrics/${path}`)).json()) as Record<string, any>
  const rollUp = () => admin(`/api/sites/${site.id}/metrics/rollup`, { method: 'POST', json: {} })

  expect((await sendEvents(site.key, visits)).status).toBe(202)
  const early = await metric('funnel')
  expect(early.stages[0].entered).toBe(2) // two anonymous people so far (read brought the roll-up up to date)

  expect((await sendEvents(site.key, signups)).status).toBe(202)
  for (const batch of [visits, signups]) expect(await (await sendEvents(site.key, batch)).json()).toMatchObject({ accepted: 0 })
  expect(await (await rollUp()).json()).toMatchObject({ done: true })

  const leads = await env.DB.prepare('select count(*) as n from leads where site_id = ?').bind(site.id).first<{ n: number }>()
  const facts = await env.DB.prepare('select count(*) as n from lead_facts where site_id = ?').bind(site.id).first<{ n: number }>()
  expect(facts?.n).toBe(leads?.n)
  expect(facts?.n).toBe(1)

  const funnel = await metric('funnel')
  expect(funnel.stages.slice(0, 3).map((s: any) => s.entered)).toEqual([1, 1, 1])
  const channels = await metric('channels')
  expect(channels.channels).toEqual([expect.objectContaining({ channel: 'google / cpc', visitors: 1, leads: 1 })])
  const trends = await metric('trends')
  expect(trends.points.at(-1)).toMatchObject({ visitors: 2, newLeads: 1 })
})

import { expect, it } from 'vitest'
import { call, createSite, pageEvent, sendEvents, leadsOf } from './helpers'

it('smoke', async () => {
  const health = await call('/healthz')
  expect(await health.json()).toEqual({ ok: true })
  const site = await createSite()
  const r = await sendEvents(site.key, [pageEvent('a_1', 'https://acme.test/?utm_source=google&utm_campaign=bf')])
  console.log(r.status, await r.text())
  console.log(JSON.stringify(await leadsOf(site.id, 'anonymousId=a_1'), null, 1))
})

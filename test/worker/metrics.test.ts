// Web vitals per page and variant, from the SDK's `Web Vitals` events through ingest to the metrics API.
import { expect, it } from 'vitest'
import { admin, createSite, sendEvents, trackEvent, uniqueId } from './helpers'

it('reports the 75th percentile of LCP, CLS and INP per page and variant', async () => {
  const site = await createSite()
  const vital = (metric: string, value: number, experiences: string) =>
    trackEvent(uniqueId('a_'), 'Web Vitals', { metric, value, rating: 'good', page: '/', experiences })
  await sendEvents(site.key, [
    ...[1000, 1200, 1400, 2600].map((v) => vital('LCP', v, 'exp_1:var_a')),
    vital('CLS', 0, 'exp_1:var_a'),
    vital('INP', 80, 'exp_1:var_a'),
    vital('LCP', 900, 'exp_1:control'),
    vital('LCP', 'not a number' as unknown as number, 'exp_1:control'),
  ])
  const response = await admin(`/api/sites/${site.id}/metrics/vitals`)
  expect(response.status).toBe(200)
  const body = (await response.json()) as { samples: number; pages: Array<Record<string, any>> }
  expect(body.samples).toBe(7)
  const byVariant = Object.fromEntries(body.pages.map((p) => [p.experiences, p]))
  expect(byVariant['exp_1:var_a']).toMatchObject({ page: '/', LCP: { p75: 1400, count: 4 }, CLS: { p75: 0, count: 1 }, INP: { p75: 80, count: 1 } })
  expect(byVariant['exp_1:control']).toMatchObject({ LCP: { p75: 900, count: 1 } })
  expect((await admin(`/api/sites/${site.id}/metrics/vitals?from=yesterday`)).status).toBe(400)
})

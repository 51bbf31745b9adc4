// Traffic rules against the real Worker and D1: crawlers and automated browsers are answered 202, not
// stored, and counted per site; a site can accept automated traffic (staging, end-to-end tests).
import { describe, expect, it } from 'vitest'
import { admin, countRows, createSite, ORIGIN, pageEvent, sendEvents, sendRaw, uniqueId } from './helpers'

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36'
const CUBOT = 'Mozilla/5.0 (Linux; Android 7.0; Cubot Rainbow 2 Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.100 Mobile Safari/537.36'

type SiteView = { ignored: { bots: number; automated: number }; settings: Record<string, unknown> }

async function siteView(id: string): Promise<SiteView> {
  const response = await admin(`/api/sites/${id}`)
  expect(response.status).toBe(200)
  return (await response.json()) as SiteView
}

const twoPages = () => [pageEvent(uniqueId('a_'), `${ORIGIN}/`), pageEvent(uniqueId('a_'), `${ORIGIN}/pricing`)]

describe('ignored traffic', () => {
  // Catches: ignored events stored, or not counted (or counted under the wrong kind) on the site.
  it('counts crawler and headless events per site and stores none', async () => {
    const site = await createSite()
    expect((await siteView(site.id)).ignored).toEqual({ bots: 0, automated: 0 })
    const bot = await sendEvents(site.key, twoPages(), { userAgent: GOOGLEBOT })
    expect(await bot.json()).toEqual({ accepted: 0, duplicates: 0, ignored: 2 })
    const headless = await sendEvents(site.key, twoPages().slice(0, 1), { userAgent: HEADLESS })
    expect(await headless.json()).toEqual({ accepted: 0, duplicates: 0, ignored: 1 })
    expect(await countRows('events', site.id)).toBe(0)
    expect((await siteView(site.id)).ignored).toEqual({ bots: 2, automated: 1 })
  })

  // Catches: a real Android phone ("Cubot Rainbow") taken for a bot by a `bot\b` pattern.
  it('stores events from a Cubot phone', async () => {
    const site = await createSite()
    const response = await sendEvents(site.key, twoPages(), { userAgent: CUBOT })
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 0 })
    expect(await countRows('events', site.id)).toBe(2)
  })

  // Catches: the SDK's `automated: true` (navigator.webdriver) ignored, and the site setting not honoured.
  it('drops SDK-reported automated browsers unless the site accepts automated traffic', async () => {
    const site = await createSite()
    const body = () => JSON.stringify({ site: site.key, automated: true, batch: twoPages() })
    expect(await (await sendRaw(body())).json()).toEqual({ accepted: 0, duplicates: 0, ignored: 2 })
    expect(await countRows('events', site.id)).toBe(0)

    const patched = await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { settings: { acceptAutomated: true } } })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as SiteView).settings).toEqual({ acceptAutomated: true })
    expect(await (await sendRaw(body())).json()).toEqual({ accepted: 2, duplicates: 0 })
    expect(await (await sendEvents(site.key, twoPages(), { userAgent: HEADLESS })).json()).toEqual({ accepted: 2, duplicates: 0 })
    // Accepting automated browsers does not let crawlers in.
    expect(await (await sendEvents(site.key, twoPages(), { userAgent: GOOGLEBOT })).json()).toMatchObject({ accepted: 0, ignored: 2 })
    expect(await countRows('events', site.id)).toBe(4)
    expect((await siteView(site.id)).ignored).toEqual({ bots: 2, automated: 2 })
  })

  // Catches: a non-boolean setting stored (bad input must change nothing).
  it('refuses a non-boolean acceptAutomated with a 400', async () => {
    const site = await createSite()
    const response = await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { settings: { acceptAutomated: 'yes' } } })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBeTruthy()
    expect((await siteView(site.id)).settings).toEqual({})
  })
})

// The script tag in Chromium against the real Worker and D1: identify(null), reset, hash-routed apps,
// tracking-parameter clean-ups and routers that set the title after the navigation.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminGet, anonymousIdOf, baseUrl, DEMO_SITE_ID, eventually, launch, leadByVisitor, newVisitor, type Watched } from './browser'

type StoredEvent = { id: string; type: string; name: string | null; url: string | null; context?: { title?: string } | null }

let browser: Browser
const visitors: Watched[] = []

async function landed(path: string): Promise<{ page: Page; aid: string }> {
  const watched = await newVisitor(browser)
  visitors.push(watched)
  await watched.page.goto(`${baseUrl()}${path}`)
  await watched.page.waitForFunction(() => document.cookie.includes('cairn_aid='))
  return { page: watched.page, aid: await anonymousIdOf(watched.page) }
}

/** The visitor's stored events, once `predicate` holds for them. */
async function eventsOf(aid: string, predicate: (events: StoredEvent[]) => boolean): Promise<StoredEvent[]> {
  return eventually(async () => {
    const lead = await leadByVisitor(aid)
    if (!lead) throw new Error(`no lead yet for ${aid}`)
    const { events } = await adminGet<{ events: StoredEvent[] }>(`/api/sites/${DEMO_SITE_ID}/leads/${lead.id}`)
    if (!predicate(events)) throw new Error(`events so far: ${JSON.stringify(events.map((e) => [e.type, e.url]))}`)
    return events
  })
}

const pages = (events: StoredEvent[]) => events.filter((e) => e.type == 'page')
const cairn = (page: Page, ...args: unknown[]) => page.evaluate((a) => (window as any).cairn(...a), args)

beforeAll(async () => {
  browser = await launch()
})

afterAll(async () => {
  await browser?.close()
})

describe('identity', () => {
  // Catches: identify(null, traits) treated as a logout (traits dropped, no lead, a new anonymous visitor).
  it('identify(null, traits) sends the traits and keeps the anonymous id', async () => {
    const { page, aid } = await landed('/pricing')
    const email = `ada.null.${Date.now()}@example.com`
    await cairn(page, 'identify', null, { email, plan: 'growth' })
    await eventsOf(aid, (events) => events.some((e) => e.type == 'identify'))
    const lead = await leadByVisitor(aid)
    expect(lead!.email).toBe(email)
    expect(await anonymousIdOf(page)).toBe(aid)
  })

  // Catches: a logout that keeps the user id (the next person's events land on the previous lead).
  it('reset starts a new anonymous visitor without the user id', async () => {
    const { page, aid } = await landed('/pricing')
    const email = `ada.reset.${Date.now()}@example.com`
    await cairn(page, 'identify', `u_${Date.now()}`, { email })
    await eventsOf(aid, (events) => events.some((e) => e.type == 'identify'))
    await cairn(page, 'reset')
    const next = await anonymousIdOf(page)
    expect(next).not.toBe(aid)
    expect(await page.evaluate(() => localStorage.getItem('cairn_uid'))).toBeNull()
    await cairn(page, 'track', 'After Reset')
    await eventsOf(next, (events) => events.some((e) => e.name == 'After Reset'))
    const lead = await leadByVisitor(next)
    expect(lead!.email).toBeNull()
    expect(lead!.id).not.toBe((await leadByVisitor(aid))!.id)
  })
})

describe('SPA page views', () => {
  // Catches: hash routes recording only the landing page, #section anchors counted, Back not counted.
  it('counts hash routes (links and Back) as pages, not #section anchors', async () => {
    const { page, aid } = await landed('/spa')
    await page.evaluate(() => (location.hash = '#features'))
    await page.evaluate(() => (location.hash = '#/pricing'))
    await page.waitForFunction(() => location.hash == '#/pricing')
    await page.evaluate(() => (location.hash = '#!/signup'))
    await page.waitForFunction(() => location.hash == '#!/signup')
    await page.goBack()
    await page.waitForFunction(() => location.hash == '#/pricing')
    const events = await eventsOf(aid, (e) => pages(e).length >= 4)
    expect(pages(events).map((e) => new URL(e.url!).hash).sort()).toEqual(['', '#!/signup', '#/pricing', '#/pricing'])
  })

  // Catches: a router stripping tracking parameters with replaceState recorded as a second page view.
  it('a replaceState that removes tracking parameters is the same page', async () => {
    const { page, aid } = await landed('/spa?utm_source=newsletter&utm_campaign=spring&plan=a')
    await page.evaluate(() => history.replaceState(null, '', location.pathname + '?plan=a'))
    await page.evaluate(() => history.pushState(null, '', '/spa/next'))
    const events = await eventsOf(aid, (e) => pages(e).some((p) => p.url!.endsWith('/spa/next')))
    expect(pages(events).map((e) => new URL(e.url!).pathname + new URL(e.url!).search)).toEqual(
      expect.arrayContaining(['/spa?utm_source=newsletter&utm_campaign=spring&plan=a', '/spa/next']),
    )
    expect(pages(events)).toHaveLength(2)
  })

  // Catches: the page view of a route reporting the previous page's title (the router sets it 50 ms later).
  it("reports the route's own title when the router sets it after pushState", async () => {
    const { page, aid } = await landed('/spa')
    await page.evaluate(() => {
      history.pushState(null, '', '/spa/late-title')
      setTimeout(() => (document.title = 'Late title view'), 50)
    })
    const events = await eventsOf(aid, (e) => pages(e).some((p) => p.url!.endsWith('/spa/late-title')))
    const view = pages(events).find((p) => p.url!.endsWith('/spa/late-title'))!
    expect(view.context?.title).toBe('Late title view')
  })

  it('no error reached any page console', () => {
    expect(visitors.flatMap((v) => v.errors)).toEqual([])
  })
})

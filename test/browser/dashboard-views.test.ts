// One smoke test per dashboard view in Chromium against the real Worker and the seeded demo site: the view
// loads, shows the demo's data, and one interaction works end to end. No screenshots: assertions only.
import type { Browser, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminGet, baseUrl, createSite, DEMO_SITE_ID, launch, sendEvents, signedInDashboard, visitorEvents, type Watched } from './browser'

let browser: Browser
const watched: Watched[] = []

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** A signed-in dashboard page (the token is kept in sessionStorage, so later `goto`s stay signed in). */
async function signedIn(path: string): Promise<Page> {
  const visitor = await signedInDashboard(browser, path)
  watched.push(visitor)
  return visitor.page
}

const site = (tab: string) => `#/sites/${DEMO_SITE_ID}/${tab}`

/** A site of its own (created through the admin API), so a test's numbers are exact whatever others send to the demo. */
const ownSite = (name: string) => createSite(name)
const text = (page: Page, selector: string) => page.locator(selector).innerText()

/** A lead with an email, two pricing views and one identify, sent through the public events API. */
async function seedLead(email: string) {
  const aid = `a_views_${Date.now()}`
  await sendEvents(
    visitorEvents(aid, [
      { type: 'page', context: { url: `${baseUrl()}/pricing?utm_source=newsletter&utm_medium=email` } },
      { type: 'page', context: { url: `${baseUrl()}/pricing` } },
      {
        type: 'identify',
        // Traits are any JSON a visitor sends: one shaped like a JSX node must still render as text.
        traits: { email, company: '<b>Acme</b>', widget: { tag: 'img', props: { src: 'x', onerror: 'window.__pwned=1' }, children: [] } },
        context: { url: `${baseUrl()}/signup` },
      },
    ]),
  )
}

describe('dashboard views', () => {
  afterAll(() => {
    // Catches runtime errors in any view (a 400/401 the test provoked is logged by the browser itself).
    expect(watched.flatMap((w) => w.errors).filter((e) => !/status of 40\d/.test(e))).toEqual([])
  })

  it('sites: lists the demo site with its script tag; a bad origin is reported, a good site is added', async () => {
    const page = await signedIn('#/sites')
    // Catches a sites list that does not render the API's sites or their install snippet.
    await expect.poll(() => text(page, '#sites-body')).toContain('Acme CRM (demo)')
    expect(await text(page, 'tr.install[data-site-id="site_demo"] .snippet-code')).toContain('data-site="pk_demo"')
    const name = `Views site ${Date.now()}`
    await page.fill('#site-name', name)
    await page.fill('#site-origins', 'ftp://nope.test')
    await page.click('#site-create')
    // Catches API issues not shown with their label and the offending entry.
    await expect.poll(() => text(page, '#site-error')).toContain('Allowed origins “ftp://nope.test”')
    await page.fill('#site-origins', 'https://views.test')
    await page.click('#site-create')
    await expect.poll(() => text(page, '#sites-body'), { timeout: 10_000 }).toContain(name)
    expect(await page.locator('#site-error').isHidden()).toBe(true)
  })

  it('leads: shows a seeded lead, filters by email and opens its score breakdown', async () => {
    const email = `views.${Date.now()}@example.com`
    await seedLead(email)
    const page = await signedIn(site('leads'))
    await expect.poll(() => text(page, '#leads-body'), { timeout: 10_000 }).toContain(email)
    await page.fill('#leads-email', email)
    await page.click('#leads-apply')
    // Catches a filter that is not sent, or a stale unfiltered answer winning over the filtered one.
    await expect.poll(() => page.locator('#leads-body tr').count()).toBe(1)
    await page.click(`#leads-body a:text("${email}")`)
    await expect.poll(() => text(page, '#lead-breakdown'), { timeout: 10_000 }).toContain('Viewed pricing')
    expect(await text(page, '#lead-title')).toBe(email)
    // Visitor-controlled traits are text, never markup.
    expect(await text(page, '#lead-traits')).toContain('<b>Acme</b>')
    expect(await page.locator('#lead-traits b, #lead-traits img').count()).toBe(0)
    expect(await text(page, '#lead-traits')).toContain('"tag":"img"')
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await text(page, '#lead-first-touch')).toContain('newsletter')
    await page.click('#lead-close')
    await expect.poll(() => page.locator('#lead-detail').count()).toBe(0)
  })

  it('scoring: shows the demo rules; disabling one previews its impact, discarding restores the draft', async () => {
    const page = await signedIn(site('scoring'))
    await expect.poll(() => text(page, '#rules-body'), { timeout: 10_000 }).toContain('Viewed pricing')
    await expect.poll(() => page.inputValue('#threshold-mql')).toMatch(/^\d+$/)
    expect(await text(page, '#rules-dirty')).toBe('All rules saved.')
    await page.uncheck('[aria-label="Enabled: Viewed pricing"]')
    // Catches a draft change that does not reach the preview API or the unsaved-changes summary.
    await expect.poll(() => text(page, '#rules-dirty')).toBe('Unsaved: 1 edited')
    await expect.poll(() => text(page, '#preview-changed'), { timeout: 10_000 }).toMatch(/\d+ leads? of \d+ would change/)
    await page.click('#rules-discard')
    await expect.poll(() => text(page, '#rules-dirty')).toBe('All rules saved.')
    expect(await page.isChecked('[aria-label="Enabled: Viewed pricing"]')).toBe(true)
    const { rules } = await adminGet<{ rules: Array<{ name: string; enabled: boolean }> }>(`/api/sites/${DEMO_SITE_ID}/rules`)
    expect(rules.find((r) => r.name === 'Viewed pricing')?.enabled).toBe(true) // nothing was saved
  })

  it('scoring: a newer draft cancels the impact preview still in flight', async () => {
    const page = await signedIn(site('scoring'))
    await expect.poll(() => text(page, '#rules-body'), { timeout: 10_000 }).toContain('Signed up')
    const aborted: string[] = []
    page.on('requestfailed', (request) => {
      if (request.url().includes('/rules/preview')) aborted.push(request.failure()?.errorText ?? '')
    })
    let held: Route | undefined
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    // The first preview is held back, as a slow answer would be; later ones go through.
    await page.route('**/rules/preview', async (route) => {
      if (held) return route.continue()
      held = route
      await gate
      await route.continue().catch(() => {})
    })
    await page.uncheck('[aria-label="Enabled: Viewed pricing"]')
    await expect.poll(() => held !== undefined, { timeout: 10_000 }).toBe(true)
    await page.uncheck('[aria-label="Enabled: Signed up"]')
    await expect.poll(() => text(page, '#preview-changed'), { timeout: 10_000 }).toMatch(/would change/)
    release()
    // Catches stale requests left running (the old sequence-counter approach): the page itself aborts the first.
    await expect.poll(() => aborted.length, { timeout: 10_000 }).toBe(1)
    expect(await text(page, '#rules-dirty')).toBe('Unsaved: 2 edited')
    await page.click('#rules-discard')
  })

  it('experiences: lists the demo experience; pause and resume save the whole experience', async () => {
    const page = await signedIn(site('experiences'))
    const row = page.locator('tr[data-experience-id="exp_demo_blackfriday"]')
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('utm_campaign = black-friday')
    const status = async () => (await adminGet<{ status: string; variants: Array<{ id: string }> }>(`/api/sites/${DEMO_SITE_ID}/experiences/exp_demo_blackfriday`))
    await row.locator('.exp-toggle').click()
    // Catches a toggle that does not persist, or one that drops the variant ids (assignments would reshuffle).
    await expect.poll(async () => (await status()).status, { timeout: 10_000 }).toBe('paused')
    expect((await status()).variants.map((v) => v.id)).toEqual(['var_demo_deal'])
    await expect.poll(() => row.locator('.exp-toggle').innerText()).toBe('Resume')
    await row.locator('.exp-toggle').click()
    await expect.poll(async () => (await status()).status, { timeout: 10_000 }).toBe('active')
  })

  it('experience editor: loads the saved experience and its server-side preview', async () => {
    const page = await signedIn(`${site('experiences')}/exp_demo_blackfriday`)
    await expect.poll(() => page.inputValue('#exp-name'), { timeout: 10_000 }).toBe('Black Friday ads')
    expect(await page.inputValue('#exp-utm-campaign')).toBe('black-friday')
    // Catches a preview URL that does not follow the audience, or a decision preview that is not asked for.
    await expect.poll(() => page.inputValue('#exp-preview-url')).toContain('utm_campaign=black-friday')
    await expect.poll(() => text(page, '#exp-preview-decision'), { timeout: 10_000 }).toContain('Black Friday ads (saved version)')
    await page.fill('#exp-preview-url', `${baseUrl()}/?utm_campaign=other`)
    await expect.poll(() => text(page, '#exp-preview-match')).toContain('does not match')
    await expect.poll(() => text(page, '#exp-preview-decision'), { timeout: 10_000 }).toContain('No saved experience matches')
  })

  it('experience editor: markup outside the allowlist is previewed as text and the API issue lands on its slot', async () => {
    const page = await signedIn(`${site('experiences')}/new`)
    await page.waitForSelector('#exp-variant-0-slot-0')
    await page.fill('#exp-name', `Views draft ${Date.now()}`)
    await page.fill('#exp-variant-0-slot-0', 'Hi <img src=x onerror="window.__pwned=1">')
    // Catches draft markup rendered as HTML in the dashboard's own origin.
    await expect.poll(() => text(page, '#exp-preview-match')).toContain('only the inline tags')
    expect(await page.locator('#exp-preview img').count()).toBe(0)
    expect(await text(page, '#exp-preview .hero-headline')).toContain('<img src=x')
    await page.click('#exp-save')
    // Catches an API issue path (variants.0.slots.headline) not mapped to the slot's own field.
    await expect.poll(() => page.getAttribute('#exp-variant-0-slot-0', 'aria-invalid'), { timeout: 10_000 }).toBe('true')
    expect(await text(page, '#exp-variant-0-slot-0-error')).toContain('inline tags')
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  })

  it('results: shows the arms of the demo experience; an inverted date range is refused', async () => {
    const page = await signedIn(`${site('experiences')}/exp_demo_blackfriday/results`)
    await expect.poll(() => text(page, '#exp-results-table'), { timeout: 10_000 }).toContain('Deal')
    expect(await text(page, '#exp-results')).toContain('Goal: Signed Up')
    await expect.poll(() => page.locator('#exp-vitals-table, #exp-vitals-empty').count(), { timeout: 10_000 }).toBe(1)
    await page.fill('#exp-results-from', '2026-03-10')
    await page.fill('#exp-results-to', '2026-03-01')
    await page.click('#exp-results-apply')
    // Catches a range check that is skipped (the API would answer an empty, misleading table).
    await expect.poll(() => text(page, '#exp-results-error')).toBe('The start date is after the end date.')
  })

  it('ads: shows the coverage of the demo ads; a bad CSV line is reported, a good one imported', async () => {
    const page = await signedIn(site('ads'))
    await expect.poll(() => text(page, '#ads-body'), { timeout: 10_000 }).toContain('BF CRM 40%')
    expect(await text(page, '#ads-coverage-ads')).toMatch(/\d+ of \d+ land on a dedicated experience/)
    await page.fill('#ads-csv', 'Campaign,Ad group,Ad,Headline,Keywords,Final URL\nViews,Group,Ad X,Headline,kw,not-a-url')
    await page.click('#ads-import')
    // Catches per-line CSV errors not shown with their line.
    await expect.poll(() => page.locator('#ads-error li[data-line="2"]').count(), { timeout: 10_000 }).toBe(1)
    const ad = `Views ad ${Date.now()}`
    await page.fill('#ads-csv', `Campaign,Ad group,Ad,Headline,Keywords,Final URL\nViews,Group,${ad},Views headline,views,${baseUrl()}/?utm_campaign=views`)
    await page.click('#ads-import')
    await expect.poll(() => text(page, '#ads-body'), { timeout: 10_000 }).toContain(ad)
    expect(await text(page, '#ads-status')).toBe('Imported 1 ad.')
  })

  it('leads: pages with "Load more", sorts and filters known vs anonymous; settings: ignored counts and the automated toggle', async () => {
    // A site of its own, so the counts are exact whatever other tests send to the demo site.
    const own = await ownSite('Paging')
    const email = `oldest.${Date.now()}@example.com`
    const at = (s: number) => new Date(Date.now() - s * 1000).toISOString()
    const batch = Array.from({ length: 60 }, (_, i) => ({
      id: `e_${own.key}_${i}`,
      type: 'page',
      anonymousId: `a_${own.key}_${i}`,
      timestamp: at(100 - i),
      context: { url: `${baseUrl()}/` },
    }))
    batch.push(
      { id: `e_${own.key}_k1`, type: 'page', anonymousId: `a_${own.key}_k`, timestamp: at(500), context: { url: `${baseUrl()}/` } },
      { id: `e_${own.key}_k2`, type: 'identify', anonymousId: `a_${own.key}_k`, timestamp: at(499), traits: { email }, context: { url: `${baseUrl()}/` } } as never,
    )
    await sendEvents(batch, own.key)
    const page = await signedIn(`#/sites/${own.id}/leads`)
    const rows = () => page.locator('#leads-body tr').count()
    // Catches a list that stops at its first page, or a "Load more" that repeats or skips leads.
    await expect.poll(rows, { timeout: 15_000 }).toBe(50)
    expect(await text(page, '#leads-count')).toBe('Showing 50 of 61 leads')
    await page.click('#leads-more')
    await expect.poll(rows, { timeout: 15_000 }).toBe(61)
    expect(await page.locator('#leads-more').isHidden()).toBe(true)
    // Catches a sort that is not sent: the oldest-seen lead (the known one) comes first in ascending order.
    await page.selectOption('#leads-sort', 'lastSeen:asc')
    await expect.poll(() => text(page, '#leads-body tr:first-child'), { timeout: 15_000 }).toContain(email)
    // Catches a known filter that is not sent or reversed.
    await page.selectOption('#leads-known', 'true')
    await page.click('#leads-apply')
    await expect.poll(rows, { timeout: 15_000 }).toBe(1)
    await page.selectOption('#leads-known', 'false')
    await page.click('#leads-apply')
    await expect.poll(() => text(page, '#leads-count'), { timeout: 15_000 }).toBe('Showing 50 of 60 leads')

    await page.goto(`${baseUrl()}/dashboard/#/sites/${own.id}/settings`)
    await expect.poll(() => text(page, '#settings-ignored'), { timeout: 15_000 }).toContain('0 events from bots, 0 from automated browsers')
    expect(await page.locator('#settings-accept-automated').isChecked()).toBe(false)
    expect(await page.locator('#settings-consent-required').isChecked()).toBe(false)
    await page.check('#settings-accept-automated')
    await page.check('#settings-consent-required')
    await page.click('#settings-save')
    // Catches a toggle that is not saved into the site's settings.
    await expect.poll(() => text(page, '#settings-status'), { timeout: 15_000 }).toBe('Saved.')
    const saved = (await adminGet<{ settings: { acceptAutomated?: boolean; consentRequired?: boolean } }>(`/api/sites/${own.id}`)).settings
    expect(saved).toMatchObject({ acceptAutomated: true, consentRequired: true })
  })

  it('settings: email tracking toggles are saved, the scanner filter only applies with click tracking, the machine-open filter with open tracking', async () => {
    const own = await ownSite('Tracking')
    const page = await signedIn(`#/sites/${own.id}/settings`)
    await page.waitForSelector('#settings-email-tracking')
    // Catches tracking on for a site that never asked, or a scanner switch offered without click tracking.
    expect(await page.locator('#settings-track-opens').isChecked()).toBe(false)
    expect(await page.locator('#settings-track-clicks').isChecked()).toBe(false)
    expect(await page.locator('#settings-filter-scanners').isChecked()).toBe(true)
    expect(await page.locator('#settings-filter-scanners').isDisabled()).toBe(true)
    expect(await page.locator('#settings-filter-machine-opens').isChecked()).toBe(true)
    expect(await page.locator('#settings-filter-machine-opens').isDisabled()).toBe(true)
    await page.check('#settings-track-opens')
    expect(await page.locator('#settings-filter-machine-opens').isEnabled()).toBe(true)
    await page.uncheck('#settings-filter-machine-opens')
    await page.check('#settings-track-clicks')
    expect(await page.locator('#settings-filter-scanners').isEnabled()).toBe(true)
    await page.uncheck('#settings-filter-scanners')
    await page.click('#settings-save')
    // Catches toggles that are not sent, or not read back after a reload.
    await expect.poll(() => text(page, '#settings-status'), { timeout: 15_000 }).toBe('Saved.')
    type Settings = { settings: { emailTracking?: Record<string, boolean> } }
    expect((await adminGet<Settings>(`/api/sites/${own.id}`)).settings.emailTracking).toEqual({ opens: true, clicks: true, filterScanners: false, filterMachineOpens: false })
    await page.reload()
    await page.waitForSelector('#settings-email-tracking')
    await expect.poll(() => page.locator('#settings-track-clicks').isChecked(), { timeout: 15_000 }).toBe(true)
    expect(await page.locator('#settings-filter-scanners').isChecked()).toBe(false)
    expect(await page.locator('#settings-filter-machine-opens').isChecked()).toBe(false)
  })

  it('settings: shows the demo key; a new name is saved through PATCH and shown in the title', async () => {
    const page = await signedIn(site('settings'))
    await expect.poll(() => page.inputValue('#settings-key')).toBe('pk_demo')
    const original = await page.inputValue('#settings-name')
    await page.fill('#settings-name', 'Acme renamed')
    await page.click('#settings-save')
    // Catches a save that is not sent or not reflected in the site's title (shared site store).
    await expect.poll(() => text(page, '#settings-status'), { timeout: 10_000 }).toBe('Saved.')
    expect(await text(page, '#settings-title')).toBe('Settings · Acme renamed')
    expect((await adminGet<{ name: string }>(`/api/sites/${DEMO_SITE_ID}`)).name).toBe('Acme renamed')
    await page.fill('#settings-name', original)
    await page.click('#settings-save')
    await expect.poll(async () => (await adminGet<{ name: string }>(`/api/sites/${DEMO_SITE_ID}`)).name, { timeout: 10_000 }).toBe(original)
  })
})

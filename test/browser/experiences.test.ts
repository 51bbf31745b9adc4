// The marketer's side of personalization in Chromium: create an experience in the dashboard editor, see
// the draft in the live preview before saving, save it, and a visitor from the ad then sees it.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminGet, baseUrl, DEMO_SITE_ID, launch, newVisitor, visitUntilPersonalized } from './browser'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

describe('dashboard experiences', () => {
  it('creates an experience with a live preview, and visitors from the ad see it', async () => {
    const { page, errors } = await newVisitor(browser, { viewport: { width: 1280, height: 1000 } })
    await page.goto(`${baseUrl()}/dashboard/`)
    await page.fill('#token', ADMIN_TOKEN)
    await page.click('#sign-in')
    await page.waitForSelector('#sites-view:not([hidden])')
    await page.goto(`${baseUrl()}/dashboard/#/sites/${DEMO_SITE_ID}/experiences/new`)
    await page.waitForSelector('#exp-name')

    await page.fill('#exp-name', 'Cyber Monday ads')
    await page.fill('#exp-priority', '30')
    await page.fill('#exp-path', '/')
    await page.fill('#exp-utm-campaign', 'cyber-monday')
    await page.fill('#exp-variant-0-name', 'Offer')
    await page.fill('#exp-variant-0-slot-0', 'Cyber Monday: <strong>{{utm_term|CRM}}</strong> at half price')
    await page.fill('#exp-preview-url', `${baseUrl()}/?utm_campaign=cyber-monday&utm_term=${encodeURIComponent('<i>pipelines</i>')}`)

    // The draft renders before anything is saved; the visitor's term is text, the marketer's tag is markup.
    await expect.poll(() => page.textContent('#exp-preview'), { timeout: 60_000 }).toContain('Cyber Monday: <i>pipelines</i> at half price')
    expect(await page.locator('#exp-preview strong').count()).toBe(1)
    expect(await page.locator('#exp-preview i').count()).toBe(0)
    await page.screenshot({ path: 'test-results/dashboard-experience-editor.png', fullPage: true })

    await page.click('#exp-save')
    await expect
      .poll(async () => {
        const { experiences } = await adminGet<{ experiences: Array<{ name: string; priority: number }> }>(`/api/sites/${DEMO_SITE_ID}/experiences`)
        return experiences.find((e) => e.name === 'Cyber Monday ads')?.priority ?? null
      }, { timeout: 60_000 })
      .toBe(30)

    const visitor = await newVisitor(browser)
    // Retried until applied: the Worker's configuration cache and the SDK's 300 ms hold are waited out.
    await visitUntilPersonalized(visitor.page, `${baseUrl()}/?utm_campaign=cyber-monday&utm_term=deals`)
    expect(await visitor.page.textContent('h1[data-cairn-slot="headline"]')).toBe('Cyber Monday: deals at half price')
    expect(await visitor.page.locator('h1[data-cairn-slot="headline"] strong').textContent()).toBe('deals')
    expect([...errors, ...visitor.errors].filter((e) => !/status of 40\d/.test(e))).toEqual([])
  })
})

// The dashboard in Chromium against the real Worker: a marketer adds a score rule, sees its impact on
// existing leads before saving, saves, and the lead's score changes.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminGet, baseUrl, DEMO_SITE_ID, eventually, launch, type LeadSummary, newVisitor, sendEvents, visitorEvents } from './browser'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

async function seedLead(email: string): Promise<LeadSummary> {
  const aid = `a_dash_${Date.now()}`
  await sendEvents(
    visitorEvents(aid, [
      { type: 'page', context: { url: `${baseUrl()}/pricing` } },
      { type: 'page', context: { url: `${baseUrl()}/pricing` } },
      { type: 'track', event: 'Webinar Attended', properties: { topic: 'pipeline' }, context: { url: `${baseUrl()}/` } },
      { type: 'identify', traits: { email }, context: { url: `${baseUrl()}/signup` } },
    ]),
  )
  const { leads } = await adminGet<{ leads: LeadSummary[] }>(`/api/sites/${DEMO_SITE_ID}/leads?email=${encodeURIComponent(email)}`)
  return leads[0]!
}

describe('dashboard scoring', () => {
  it('adds a rule, previews its impact, saves, and the lead is re-scored', async () => {
    const email = `webinar.${Date.now()}@example.com`
    const lead = await seedLead(email)
    expect(lead).toMatchObject({ score: 20, stage: 'lead' }) // demo rule: pricing 10 × 2

    const { page, errors } = await newVisitor(browser, { viewport: { width: 1280, height: 1000 } })
    await page.goto(`${baseUrl()}/dashboard/`)
    await page.fill('#token', 'wrong-token')
    await page.click('#sign-in')
    await expect.poll(() => page.textContent('#sign-in-error')).toMatch(/token/i)
    await page.fill('#token', ADMIN_TOKEN)
    await page.click('#sign-in')
    await page.waitForSelector('#sites-view:not([hidden])')

    await page.goto(`${baseUrl()}/dashboard/#/sites/${DEMO_SITE_ID}/scoring`)
    await page.waitForSelector('#rule-add')
    await page.click('#rule-add')
    await page.fill('#rule-name', 'Attended a webinar')
    await page.selectOption('#rule-type', 'track')
    await page.fill('#rule-event', 'Webinar Attended')
    await page.fill('#rule-points', '40')
    await page.click('#rule-apply')

    // The preview shows the impact before anything is saved.
    await expect.poll(() => page.textContent('#preview-leads'), { timeout: 10_000 }).toContain(email)
    await expect.poll(() => page.textContent('#preview-changed')).toMatch(/\d+ leads?/)
    const unsaved = await adminGet<{ leads: LeadSummary[] }>(`/api/sites/${DEMO_SITE_ID}/leads?email=${encodeURIComponent(email)}`)
    expect(unsaved.leads[0]).toMatchObject({ score: 20, stage: 'lead' })
    await page.screenshot({ path: 'test-results/dashboard-scoring-preview.png', fullPage: true })

    await page.click('#rules-save')
    await expect.poll(() => page.textContent('#rules-status'), { timeout: 10_000 }).toMatch(/saved|re-scor/i)
    const saved = await eventually(async () => {
      const { leads } = await adminGet<{ leads: LeadSummary[] }>(`/api/sites/${DEMO_SITE_ID}/leads?email=${encodeURIComponent(email)}`)
      if (leads[0]?.score !== 60) throw new Error(`score ${leads[0]?.score}`)
      return leads[0]
    })
    expect(saved).toMatchObject({ score: 60, stage: 'mql' })

    await page.goto(`${baseUrl()}/dashboard/#/sites/${DEMO_SITE_ID}/leads/${lead.id}`)
    await expect.poll(() => page.textContent('#lead-breakdown'), { timeout: 10_000 }).toContain('Attended a webinar')
    await page.screenshot({ path: 'test-results/dashboard-lead.png', fullPage: true })
    expect(errors.filter((e) => !/status of 40[01]/.test(e))).toEqual([])
  })
})

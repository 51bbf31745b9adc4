// The demo's pricing follow-up in Chromium against the real Worker (wrangler dev, local D1 + Queues, the
// simulated send_email binding): a known lead views pricing twice → exactly one email in the outbox with
// RFC 8058 headers and a banner on her next page; the one-click unsubscribe stops the next email.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { adminGet, anonymousIdOf, baseUrl, DEMO_SITE_ID, eventsOf, eventually, launch, leadByVisitor, newVisitor } from './browser'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

type Summary = { id: string; channel: string; status: string; subject: string | null; flowId: string }
const messagesOf = async (leadId: string) =>
  (await adminGet<{ messages: Summary[] }>(`/api/sites/${DEMO_SITE_ID}/messages?leadId=${leadId}`)).messages

it('pricing twice → one email with one-click unsubscribe and a banner next page; unsubscribing stops the next email', async () => {
  // Catches a second email on a third view, a banner that never reaches the page, an unsubscribe that
  // needs a cookie or redirects, and an email sent to an unsubscribed address.
  const { page, errors } = await newVisitor(browser)
  await page.goto(`${baseUrl()}/`)
  // The script loads async: wait until it has applied personalization (and set the visitor id).
  await page.evaluate(() => new Promise<boolean>((resolve) => (window as any).cairn('ready', () => resolve(true))))
  const email = `ada.${Date.now()}@example.com`
  await page.evaluate((address) => (window as any).cairn('identify', null, { email: address, firstName: 'Ada' }), email)
  const aid = await anonymousIdOf(page)
  const lead = await eventually(async () => {
    const found = await leadByVisitor(aid)
    expect(found?.email).toBe(email)
    return found!
  })

  // Each view is stored before the next navigation (a busy machine may not have sent it yet otherwise).
  const pricingViews = async () => (await eventsOf(lead.id)).filter((e) => e.type === 'page' && (e.url ?? '').includes('/pricing')).length
  const viewPricing = async (views: number) => {
    await page.goto(`${baseUrl()}/pricing`)
    await page.evaluate(() => new Promise<boolean>((resolve) => (window as any).cairn('ready', () => resolve(true))))
    await eventually(async () => expect(await pricingViews()).toBe(views), { timeout: 90_000 })
  }
  await viewPricing(1)
  await viewPricing(2)
  const sent = await eventually(
    async () => {
      const list = await messagesOf(lead.id)
      expect(list.filter((m) => m.channel === 'email' && m.status === 'sent')).toHaveLength(1)
      expect(list.filter((m) => m.channel === 'in_app' && m.status === 'sent')).toHaveLength(1)
      return list.find((m) => m.channel === 'email')!
    },
    { timeout: 90_000 },
  )
  expect(sent.subject).toBe('Your pricing questions')

  // Her next page shows the banner (text only, from /v1/personalize).
  await page.goto(`${baseUrl()}/`)
  const banner = page.locator('[role="status"]', { hasText: 'Questions about pricing?' })
  await banner.waitFor({ state: 'visible', timeout: 60_000 })
  await viewPricing(3) // a third view: still one email (checked at the end, after later jobs ran)
  const detail = await adminGet<{ headers: Record<string, string>; html: string }>(`/api/sites/${DEMO_SITE_ID}/messages/${sent.id}`)
  expect(detail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
  expect(detail.html).toContain('Hi Ada,')
  const path = new URL(/^<(.+)>$/.exec(detail.headers['List-Unsubscribe']!)![1]!).pathname

  // One-click unsubscribe, as a mail client sends it: no cookie, no redirect.
  const unsubscribe = await fetch(`${baseUrl()}${path}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' })
  expect(unsubscribe.status).toBe(200)
  expect(unsubscribe.headers.get('location')).toBeNull()

  // Her signup starts the mini course: its email is suppressed, not sent.
  await page.evaluate(() => (window as any).cairn('track', 'Signed Up', { plan: 'trial' }))
  await eventually(
    async () => {
      const list = await messagesOf(lead.id)
      expect(list.filter((m) => m.channel === 'email' && m.status === 'suppressed')).toHaveLength(1)
    },
    { timeout: 90_000 },
  )
  const emails = (await messagesOf(lead.id)).filter((m) => m.channel === 'email')
  expect(emails.filter((m) => m.status === 'sent')).toHaveLength(1)
  expect(errors).toEqual([])
}, 300_000) // conditions only; on a busy 2-core machine the queue may take a while

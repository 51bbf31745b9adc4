// In-app messages on an edge-mode page in Chromium against the real Worker: the message comes in the
// streamed HTML (no /v1/personalize request), the lazy renderer shows it as a modal dialog that is
// keyboard-usable (focus moves in, Escape closes, focus returns), and Message Shown / Dismissed land as events.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminGet, anonymousIdOf, baseUrl, DEMO_SITE_ID, edgeUrl, eventsOf, eventually, launch, leadByVisitor, newVisitor } from './browser'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

type Summary = { id: string; channel: string; status: string }

it('an edge page shows her due modal without asking /v1/personalize; Escape closes it, focus returns, events tracked', async () => {
  // Catches: messages fetched again on an edge page, a modal that keeps focus outside (or never gives it
  // back), Escape not closing it, Shown/Dismissed not reaching the Worker, a dismissed message shown again.
  const trigger = `In-app test ${Date.now()}`
  const title = `A word before you go ${Date.now()}`
  const created = await fetch(`${baseUrl()}/api/sites/${DEMO_SITE_ID}/flows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: trigger,
      enabled: true,
      trigger: { type: 'event', match: { type: 'track', event: trigger } },
      steps: [{ type: 'in_app', kind: 'modal', title, body: 'We answer in minutes.', cta: { label: 'Chat with us', url: '/help/' } }],
    }),
  })
  expect(created.status).toBe(201)

  const { page, errors } = await newVisitor(browser)
  const personalizeCalls: string[] = []
  page.on('request', (request) => {
    if (request.url().includes('/v1/personalize')) personalizeCalls.push(request.url())
  })
  await page.goto(`${edgeUrl()}/edge/pk_demo/`)
  await page.evaluate(() => new Promise<boolean>((resolve) => (window as any).cairn('ready', () => resolve(true))))
  await page.evaluate((name) => (window as any).cairn('track', name), trigger)
  const aid = await anonymousIdOf(page)
  const lead = await eventually(async () => {
    const found = await leadByVisitor(aid)
    expect(found).toBeDefined()
    return found!
  })
  const message = await eventually(
    async () => {
      const { messages } = await adminGet<{ messages: Summary[] }>(`/api/sites/${DEMO_SITE_ID}/messages?leadId=${lead.id}&channel=in_app`)
      expect(messages.map((m) => m.status)).toEqual(['sent'])
      return messages[0]!
    },
    { timeout: 30_000 },
  )

  // The renderer chunk waits until a link on the page has focus: that is where focus must come back.
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  await page.route('**/sdk-messages.js', async (route) => {
    await gate
    await route.continue()
  })
  // The held chunk delays the load event: DOMContentLoaded is enough.
  const response = await page.goto(`${edgeUrl()}/edge/pk_demo/`, { waitUntil: 'domcontentloaded' })
  expect(await response!.text()).toContain(title) // in the streamed HTML
  await page.waitForSelector('script[src$="/sdk-messages.js"]', { state: 'attached' })
  await page.evaluate(() => {
    const link = document.querySelector<HTMLAnchorElement>('a[href="/pricing"]')!
    link.id = 'opener'
    link.focus()
  })
  release()
  const dialog = page.getByRole('dialog', { name: title })
  await dialog.waitFor({ state: 'visible', timeout: 15_000 })
  expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true)
  expect(await dialog.getByText('We answer in minutes.').isVisible()).toBe(true)
  await page.screenshot({ path: 'test-results/inapp-modal.png' })
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached', timeout: 10_000 })
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('opener')
  expect(personalizeCalls).toEqual([])

  // The tracked events reach the Worker (batched within a second) and mark the message dismissed.
  await eventually(
    async () => {
      const names = (await eventsOf(lead.id)).map((event) => event.name)
      expect(names).toEqual(expect.arrayContaining(['Message Shown', 'Message Dismissed']))
    },
    { timeout: 30_000 },
  )
  const again = await page.goto(`${edgeUrl()}/edge/pk_demo/`)
  expect(await again!.text()).not.toContain('cairn-messages')
  expect(message.id).toMatch(/^msg_/)
  expect(errors).toEqual([])
})

// The postal address every marketing email must carry: while a site has none, the dashboard warns in
// Settings and the Outbox; saving one in Settings stores it in the site's settings and the warning goes.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminGet, baseUrl, launch, signedInDashboard } from './browser'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

it('a site without a postal address is warned about in Settings and the Outbox; saving one clears it', async () => {
  // Catches a missing warning (emails would fail in production unnoticed) or an address that is not saved.
  const created = await fetch(`${baseUrl()}/api/sites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Postal ${Date.now()}`, origins: [baseUrl()] }),
  })
  expect(created.status).toBe(201)
  const site = (await created.json()) as { id: string }
  const { page, context } = await signedInDashboard(browser, `#/sites/${site.id}/outbox`)
  const warning = page.locator('#postal-warning')
  await warning.waitFor({ state: 'visible', timeout: 60_000 })
  expect(await warning.innerText()).toContain('postal_address_missing')

  await page.goto(`${baseUrl()}/dashboard/#/sites/${site.id}/settings`)
  await warning.waitFor({ state: 'visible', timeout: 60_000 })
  await page.fill('#settings-postalAddress', 'Acme Inc., 1 Main Street, Springfield')
  await page.click('#settings-save')
  await expect.poll(() => page.locator('#settings-status').innerText(), { timeout: 60_000 }).toBe('Saved.')
  await warning.waitFor({ state: 'detached', timeout: 60_000 })
  const saved = await adminGet<{ settings: { postalAddress?: string } }>(`/api/sites/${site.id}`)
  expect(saved.settings.postalAddress).toBe('Acme Inc., 1 Main Street, Springfield')

  await page.goto(`${baseUrl()}/dashboard/#/sites/${site.id}/outbox`)
  await page.locator('#outbox-empty').waitFor({ state: 'visible', timeout: 60_000 })
  expect(await warning.count()).toBe(0)
  await context.close()
}, 300_000)

// Smoke tests of the flows and outbox views in Chromium against the real Worker (fresh demo state): a flow is
// created from a template and enabled from the list; an email a flow sends opens rendered in a sandboxed iframe;
// suppressions and dead letters are listed.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, adminGet, baseUrl, DEMO_SITE_ID, launch, sendEvents, signedInDashboard, visitorEvents, type Watched } from './browser'

let browser: Browser
const watched: Watched[] = []
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

async function signedIn(path: string): Promise<Page> {
  const visitor = await signedInDashboard(browser, path)
  watched.push(visitor)
  return visitor.page
}

const admin = (path: string, method: string, body: unknown) =>
  fetch(`${baseUrl()}/api/sites/${DEMO_SITE_ID}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

type Flow = { id: string; name: string; enabled: boolean; templateId: string | null }

describe('flows and outbox views', () => {
  afterAll(() => {
    expect(watched.flatMap((w) => w.errors).filter((e) => !/status of 40\d/.test(e))).toEqual([])
  })

  it('flows: create from a template, then enable it from the list', async () => {
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/flows`)
    await expect.poll(() => page.locator('#flow-template option').count(), { timeout: 15_000 }).toBeGreaterThan(1)
    const known = new Set((await adminGet<{ flows: Flow[] }>(`/api/sites/${DEMO_SITE_ID}/flows`)).flows.map((f) => f.id))
    const before = known.size
    await page.selectOption('#flow-template', 'pricing-follow-up')
    await page.click('#flow-create')
    // Catches a create that is not sent, or a list that is not reloaded after it.
    await expect.poll(async () => (await adminGet<{ flows: Flow[] }>(`/api/sites/${DEMO_SITE_ID}/flows`)).flows.length, { timeout: 10_000 }).toBe(before + 1)
    const created = (await adminGet<{ flows: Flow[] }>(`/api/sites/${DEMO_SITE_ID}/flows`)).flows.find((f) => !known.has(f.id))!
    expect(created.templateId).toBe('pricing-follow-up')
    expect(created.enabled).toBe(false)
    try {
      const row = page.locator(`#flows-body tr[data-flow-id="${created.id}"]`)
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1)
      await row.locator('.flow-enabled').check()
      // Catches a toggle whose PUT body the API rejects (the whole flow must round-trip) or that is not sent.
      await expect.poll(async () => (await adminGet<Flow>(`/api/sites/${DEMO_SITE_ID}/flows/${created.id}`)).enabled, { timeout: 10_000 }).toBe(true)
      expect(await page.locator('#flows-error').isHidden()).toBe(true)
      // Catches a second click sending the stale list's state while the first save reloads the list.
      await row.locator('.flow-enabled').uncheck()
      await expect.poll(async () => (await adminGet<Flow>(`/api/sites/${DEMO_SITE_ID}/flows/${created.id}`)).enabled, { timeout: 10_000 }).toBe(false)
    } finally {
      // A copy of the demo's pricing follow-up left enabled would send the other tests' leads a second email.
      await admin(`/flows/${created.id}`, 'DELETE', undefined)
    }
  })

  it('outbox: a sent email opens in a sandboxed iframe; suppressions and dead letters are listed', async () => {
    const run = Date.now()
    const flow = await admin('/flows', 'POST', {
      name: `Outbox smoke ${run}`,
      enabled: true,
      trigger: { type: 'event', match: { type: 'page', path: '/outbox-smoke*' } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      steps: [{ type: 'email', subject: `Smoke ${run}`, body: 'Hello <script>window.__pwned=1</script> there' }],
    })
    expect(flow.status).toBe(201)
    const aid = `a_outbox_${run}`
    await sendEvents(
      visitorEvents(aid, [
        { type: 'identify', traits: { email: `outbox.${run}@example.com` }, context: { url: `${baseUrl()}/signup` } },
        { type: 'page', context: { url: `${baseUrl()}/outbox-smoke` } },
      ]),
    )
    expect((await admin('/suppressions', 'POST', { email: `blocked.${run}@example.com` })).status).toBe(201)
    const messages = () => adminGet<{ messages: Array<{ id: string; subject: string | null }> }>(`/api/sites/${DEMO_SITE_ID}/messages`)
    await expect.poll(async () => (await messages()).messages.some((m) => m.subject === `Smoke ${run}`), { timeout: 30_000 }).toBe(true)
    const message = (await messages()).messages.find((m) => m.subject === `Smoke ${run}`)!

    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/outbox`)
    const row = page.locator(`#outbox-body tr[data-message-id="${message.id}"]`)
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1)
    await row.locator('.open-message').click()
    const frame = page.locator('#message-html')
    await frame.waitFor({ timeout: 10_000 })
    // Catches an email rendered into the dashboard itself, or an iframe that may run scripts.
    expect(await frame.getAttribute('sandbox')).toBe('')
    expect(await frame.getAttribute('srcdoc')).toContain('Hello')
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    // Catches a suppression list or dead-letter list that does not render the API's answer.
    await expect.poll(() => page.locator('#suppressions-table').innerText(), { timeout: 10_000 }).toContain(`blocked.${run}@example.com`)
    await expect.poll(() => page.locator('#dead-letters-table, #dead-letters-empty').count()).toBe(1)
  })
})

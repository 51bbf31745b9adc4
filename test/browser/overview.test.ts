// The overview in Chromium against the real Worker: on the seeded demo site the numbers shown are the API's
// answer for the same range, tables sort and export CSV; on a fresh site every card shows its empty state.
// CAIRN_SCREENSHOTS=1 also saves 1280 px and 390 px screenshots to /tmp for a human look.
import { readFileSync } from 'node:fs'
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

async function signedIn(path: string, width = 1280): Promise<Page> {
  const visitor = await signedInDashboard(browser, path, { viewport: { width, height: 900 }, acceptDownloads: true })
  watched.push(visitor)
  return visitor.page
}

const shoot = async (page: Page, name: string) => {
  if (process.env.CAIRN_SCREENSHOTS) await page.screenshot({ path: `/tmp/${name}.png`, fullPage: true })
}

type Funnel = { stages: Array<{ stage: string; entered: number; current: number }> }
type Channels = { channels: Array<{ channel: string; visitors: number; leads: number | null; customers: number | null }> }
type Trends = { points: Array<{ newLeads: number | null }> }

const cells = (page: Page, table: string, col: string) => page.locator(`#${table} td[data-col="${col}"]`).evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')))

/** Two people from different channels, one of whom signs up, sent through the public events API and rolled up. */
async function seedDemo() {
  const run = Date.now()
  for (const [n, source, signup] of [[1, 'newsletter', true], [2, 'google', false]] as const) {
    const aid = `a_overview_${run}_${n}`
    const bodies: Record<string, unknown>[] = [{ type: 'page', context: { url: `${baseUrl()}/pricing?utm_source=${source}&utm_medium=email` } }]
    if (signup) bodies.push({ type: 'identify', traits: { email: `overview.${run}@example.com` }, context: { url: `${baseUrl()}/signup` } })
    await sendEvents(visitorEvents(aid, bodies))
  }
  const rollup = await fetch(`${baseUrl()}/api/sites/${DEMO_SITE_ID}/metrics/rollup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ everyLead: true }),
  })
  expect(rollup.status).toBe(200)
}

describe('overview', () => {
  afterAll(() => {
    // Catches runtime errors in the overview (console errors, uncaught exceptions).
    expect(watched.flatMap((w) => w.errors)).toEqual([])
  })

  it('demo site: the landing view shows the API numbers for its range; tables sort and export CSV', async () => {
    await seedDemo()
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}`)
    await page.waitForSelector('#ov-funnel-table', { timeout: 20_000 })
    await page.waitForSelector('#ov-channels-table', { timeout: 20_000 })
    const range = `from=${await page.inputValue('#ov-from')}&to=${await page.inputValue('#ov-to')}`
    const base = `/api/sites/${DEMO_SITE_ID}/metrics`
    const funnel = await adminGet<Funnel>(`${base}/funnel?${range}`)
    const channels = await adminGet<Channels>(`${base}/channels?${range}`)
    const trends = await adminGet<Trends>(`${base}/trends?${range}`)
    // Catches a demo without data (the comparison below would be vacuous).
    expect(funnel.stages.some((s) => s.entered > 0)).toBe(true)
    // Catches a view that asks for another range or mislabels stages: every funnel number is the API's.
    expect(await cells(page, 'ov-funnel-table', 'stage')).toEqual(funnel.stages.map((s) => s.stage))
    expect(await cells(page, 'ov-funnel-table', 'entered')).toEqual(funnel.stages.map((s) => String(s.entered)))
    expect(await cells(page, 'ov-funnel-table', 'current')).toEqual(funnel.stages.map((s) => String(s.current)))
    expect(await cells(page, 'ov-channels-table', 'channel')).toEqual(channels.channels.map((c) => c.channel))
    const visitors = channels.channels.reduce((a, c) => a + c.visitors, 0)
    expect(await page.getAttribute('[data-kpi="visitors"] .metric', 'data-value')).toBe(String(visitors))
    const newLeads = trends.points.reduce((a, p) => a + (p.newLeads ?? 0), 0)
    expect(await page.getAttribute('[data-kpi="newLeads"] .metric', 'data-value')).toBe(String(newLeads))
    // Every number has its one-line definition as a tooltip.
    expect(await page.getAttribute('#ov-funnel-table td[data-col="entered"]', 'title')).toBe('People who reached the step in the range.')
    expect(await page.locator('#overview-view .metric:not([title])').count()).toBe(0)
    await shoot(page, 'overview-1280')

    // Catches a header click that does not sort (descending first for numbers, then ascending).
    await page.click('#ov-channels-table button[data-sort="visitors"]')
    const down = (await cells(page, 'ov-channels-table', 'visitors')).map(Number)
    expect(down).toEqual([...down].sort((a, b) => b - a))
    await page.click('#ov-channels-table button[data-sort="visitors"]')
    const up = (await cells(page, 'ov-channels-table', 'visitors')).map(Number)
    expect(up).toEqual([...up].sort((a, b) => a - b))

    // Catches an export that does not match the table: header, one line per channel, the API's counts.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ov-channels-table-csv')])
    expect(download.suggestedFilename()).toBe('channels-first-source_medium.csv')
    const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n')
    expect(lines[0]).toContain('"Channel","Visitors","Leads"')
    expect(lines.length).toBe(channels.channels.length + 1)
    const top = channels.channels[0]!
    expect(lines.some((l) => l.startsWith(`"${top.channel}","${top.visitors}"`))).toBe(true)

    // Catches a touch switch that is not sent to the API.
    const last = await adminGet<Channels>(`${base}/channels?${range}&touch=last`)
    await page.selectOption('#ov-touch', 'last')
    // The table keeps the sort chosen above, so rows are compared as a set of (channel, visitors).
    const shown = async () => {
      const [names, visitors] = [await cells(page, 'ov-channels-table', 'channel'), await cells(page, 'ov-channels-table', 'visitors')]
      return names.map((name, i) => `${name}=${Number(visitors[i])}`).sort()
    }
    await expect.poll(shown, { timeout: 10_000 }).toEqual(last.channels.map((c) => `${c.channel}=${c.visitors}`).sort())
  })

  it('messages per flow: the API\'s rows with definitions as tooltips and a CSV export', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
    const created = await fetch(`${baseUrl()}/api/sites`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `Mail ${Date.now()}`, origins: [baseUrl()] }) })
    expect(created.status).toBe(201)
    const site = (await created.json()) as { id: string; key: string }
    const flow = await fetch(`${baseUrl()}/api/sites/${site.id}/flows`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'Pricing follow-up (test)', enabled: true, trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'email', subjects: ['A', 'B'], body: 'Hello' }] }),
    })
    expect(flow.status).toBe(201)
    const aid = `a_mail_${Date.now()}`
    await sendEvents(
      visitorEvents(aid, [
        { type: 'identify', traits: { email: `${aid}@example.com` }, context: { url: `${baseUrl()}/signup` } },
        { type: 'page', context: { url: `${baseUrl()}/pricing` } },
      ]),
      site.key,
    )
    type Stats = { flows: Array<{ name: string; sent: number; steps: Array<{ variants: unknown[] }> }> }
    // Catches a flow send that never reaches the message metrics (the comparison below would be vacuous).
    await expect.poll(async () => (await adminGet<Stats>(`/api/sites/${site.id}/metrics/messages`)).flows[0]?.sent ?? 0, { timeout: 30_000 }).toBe(1)
    const api = await adminGet<Stats>(`/api/sites/${site.id}/metrics/messages`)
    const page = await signedIn(`#/sites/${site.id}/overview`)
    await page.waitForSelector('#ov-messages-flows td[data-col="sent"]', { timeout: 20_000 })
    // Catches a table that is not the API's answer, or a column without its definition.
    expect(await cells(page, 'ov-messages-flows', 'flow')).toEqual(api.flows.map((f) => f.name))
    expect(await cells(page, 'ov-messages-flows', 'sent')).toEqual(api.flows.map((f) => String(f.sent)))
    expect(await page.getAttribute('#ov-messages-flows td[data-col="opened"]', 'title')).toContain('open pixel')
    expect(await cells(page, 'ov-messages-steps', 'sent')).toEqual(['1']) // one row: the variant the lead got
    expect(await page.locator('#ov-messages .empty').count()).toBe(0)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ov-messages-flows-csv')])
    expect(download.suggestedFilename()).toBe('messages-per-flow.csv')
    const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n')
    expect(lines[0]).toContain('"Flow","Sent","Delivered","Opened","Clicked"')
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^"Pricing follow-up \(test\)","1","1","0","0"/)])
    await shoot(page, 'overview-messages')
  })

  it('a site with no data: clear empty states, zeros, nothing broken', async () => {
    const response = await fetch(`${baseUrl()}/api/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Empty ${Date.now()}`, origins: ['https://empty.test'] }),
    })
    expect(response.status).toBe(201)
    const { id } = (await response.json()) as { id: string }
    const page = await signedIn(`#/sites/${id}/overview`)
    // Catches a view that shows blank charts (or nothing) instead of saying there is no data.
    await expect.poll(() => page.locator('#ov-empty').innerText(), { timeout: 20_000 }).toContain('No data for this site in this range yet')
    expect(await page.locator('#ov-funnel .empty').first().innerText()).toContain('No one reached a funnel step')
    expect(await page.locator('#ov-channels .empty').innerText()).toContain('No visitors from any channel')
    expect(await page.locator('#ov-ttc .empty').first().innerText()).toContain('No one reached this step')
    expect(await page.locator('#ov-messages .empty').innerText()).toContain('No flow has sent email yet')
    expect(await page.getAttribute('[data-kpi="visitors"] .metric', 'data-value')).toBe('0')
    expect(await page.locator('#ov-channels-table-csv').isDisabled()).toBe(true)
    await shoot(page, 'overview-empty')
  })

  it('390 px: the overview fits a phone (no page-wide horizontal scroll)', async () => {
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/overview`, 390)
    await page.waitForSelector('#ov-funnel-table', { timeout: 20_000 })
    await shoot(page, 'overview-390')
    // Catches charts or cards that force the whole page wider than the screen (tables scroll inside their wrap).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400)
  })
})

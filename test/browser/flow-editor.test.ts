// The flow editor, its preview and runs, and a lead's message history, in Chromium against the real Worker:
// a flow built in the form (trigger + email + branch) gets a field-level 400, previews with the API's own
// numbers for the same draft, saves and is listed; a lead's page lists the messages the API has for her.
// CAIRN_SCREENSHOTS=1 also saves 1280 px and 390 px screenshots to /tmp for a human look.
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
  const visitor = await signedInDashboard(browser, path, { viewport: { width, height: 900 } })
  watched.push(visitor)
  return visitor.page
}

const shoot = async (page: Page, name: string) => {
  if (process.env.CAIRN_SCREENSHOTS) await page.screenshot({ path: `/tmp/flowsui-${name}.png`, fullPage: true })
}

const api = (path: string, method: string, body: unknown) =>
  fetch(`${baseUrl()}/api/sites/${DEMO_SITE_ID}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** A known lead (identify with an email) who then views `path` `views` times, through the public events API. */
async function visit(aid: string, email: string, path: string, views: number) {
  await sendEvents(
    visitorEvents(aid, [
      { type: 'identify', traits: { email, firstName: 'Ada' }, context: { url: `${baseUrl()}/signup` } },
      ...Array.from({ length: views }, () => ({ type: 'page', context: { url: `${baseUrl()}${path}` } })),
    ]),
  )
}

type Preview = { leadsConsidered: number; enrollNow: { count: number }; replay: { enrollments: number; exitedByGoal: number; messagesPerStep: Record<string, { channel: string; count: number }> } }
type Flow = { id: string; name: string; enabled: boolean; steps: Array<Record<string, unknown>>; trigger: Record<string, unknown> }
/** A lead with messages (set by the lead history test), for the phone-width look. */
let leadWithMessages: string | undefined

type Message = { id: string; channel: string; subject: string | null; title?: string | null; status: string; leadId: string | null }

describe('flow editor', () => {
  afterAll(() => {
    // Catches runtime errors in the views (the 400 the test provokes is logged by the browser itself).
    expect(watched.flatMap((w) => w.errors).filter((e) => !/status of 40\d/.test(e))).toEqual([])
  })

  it('builds a flow in the form: a field-level 400, a preview equal to the API answer, saved and listed', async () => {
    const run = Date.now()
    const path = `/fe-${run}`
    await visit(`a_fe_${run}`, `fe.${run}@example.com`, path, 2)
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/flows`)
    await page.click('#flow-new')
    await page.waitForSelector('#flow-form:not([aria-busy])', { timeout: 15_000 })
    await page.fill('#flow-name', `Editor flow ${run}`)
    await page.fill('#flow-trigger-match-path', `${path}*`)
    // Step 1 (a new flow's first step) is an email: the body is filled, the subject left empty on purpose.
    await page.fill('#flow-steps-0-body', 'Hi {{lead.traits.firstName|there}}, thanks for looking.')
    await page.selectOption('#flow-steps-type', 'branch')
    await page.click('#flow-steps-add')
    await page.fill('#flow-steps-1-then-0-subject', `Branch mail ${run}`)
    await page.fill('#flow-steps-1-then-0-body', 'You have an email address.')
    await page.click('#flow-save')
    // Catches a 400 shown only as a banner: the API's issue (steps.0.subject) must sit under that field.
    const subjectField = page.locator('[data-field="steps.0.subject"]')
    await expect.poll(() => subjectField.locator('.field-error').textContent(), { timeout: 10_000 }).toContain('an email needs a subject')
    expect(await page.getAttribute('#flow-steps-0-subject', 'aria-invalid')).toBe('true')
    expect(await page.locator('#flow-error').innerText()).toContain('highlighted')
    expect((await adminGet<{ flows: Flow[] }>(`/api/sites/${DEMO_SITE_ID}/flows`)).flows.some((f) => f.name === `Editor flow ${run}`)).toBe(false)
    await page.fill('#flow-steps-0-subject', `First mail ${run}`)
    // Catches a fixed field that stays marked invalid.
    await expect.poll(() => subjectField.locator('.field-error').count()).toBe(0)

    const sent = page.waitForRequest((r) => r.url().endsWith('/flows/preview') && r.method() === 'POST')
    await page.click('#flow-preview-run')
    const draft = (await sent).postDataJSON() as Flow
    // Catches a form that does not build the flow JSON it shows (trigger, email, branch with its then arm).
    expect(draft.trigger).toEqual({ type: 'event', match: { type: 'page', path: `${path}*` } })
    expect(draft.steps.map((s) => s.type)).toEqual(['email', 'branch'])
    expect((draft.steps[1]!.then as Array<Record<string, unknown>>)[0]).toMatchObject({ type: 'email', subject: `Branch mail ${run}` })
    await page.waitForSelector('#preview-enroll-now', { timeout: 20_000 })
    const answer = (await (await api('/flows/preview', 'POST', draft)).json()) as Preview
    // Catches numbers the panel invents or mislabels: they must be the API's answer for the same draft.
    expect(answer.enrollNow.count).toBeGreaterThanOrEqual(1)
    expect(await page.locator('#preview-enroll-now').innerText()).toBe(String(answer.enrollNow.count))
    expect(await page.locator('#preview-enrollments').innerText()).toBe(String(answer.replay.enrollments))
    expect(answer.replay.messagesPerStep).toMatchObject({ '0': { channel: 'email', count: 1 }, '1.then.0': { channel: 'email', count: 1 } })
    const rows = await page.locator('#preview-steps tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-step'), tr.querySelector('td.num')?.textContent]))
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(answer.replay.messagesPerStep).map(([k, v]) => [k, String(v.count)])))
    expect(await page.locator('#flow-preview-stale').count()).toBe(0)
    // Nothing is saved by a preview.
    expect((await adminGet<{ flows: Flow[] }>(`/api/sites/${DEMO_SITE_ID}/flows`)).flows.some((f) => f.name === `Editor flow ${run}`)).toBe(false)
    await page.fill('#flow-name', `Editor flow ${run} `)
    // Catches a preview that keeps looking current after the draft changed.
    await page.waitForSelector('#flow-preview-stale')
    await page.fill('#flow-name', `Editor flow ${run}`)
    await shoot(page, 'flow-editor-1280')

    await page.click('#flow-save')
    await page.waitForSelector('#flows-view', { timeout: 15_000 })
    const saved = () => adminGet<{ flows: Flow[] }>(`/api/sites/${DEMO_SITE_ID}/flows`).then((r) => r.flows.find((f) => f.name === `Editor flow ${run}`))
    await expect.poll(saved, { timeout: 10_000 }).toBeTruthy()
    const flow = (await saved())!
    expect(flow.enabled).toBe(false)
    expect(flow.steps[1]!.type).toBe('branch')
    // Catches a list that is not refreshed after the save, or a row that does not open the editor.
    const row = page.locator(`#flows-body tr[data-flow-id="${flow.id}"]`)
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1)
    await row.locator('.flow-name a').click()
    await expect.poll(() => page.inputValue('#flow-steps-1-then-0-subject'), { timeout: 10_000 }).toBe(`Branch mail ${run}`)
    // Catches a raw JSON view that is not the flow as saved (the same steps, trigger and name).
    await page.click('#flow-raw-toggle')
    const raw = JSON.parse(await page.inputValue('#flow-raw')) as Flow
    expect(raw).toMatchObject({ name: flow.name, trigger: flow.trigger, steps: flow.steps })
  })

  it("a lead's page lists her messages and runs as the API does; the flow lists her run", async () => {
    const run = Date.now()
    const path = `/fe-msg-${run}`
    const created = await api('/flows', 'POST', {
      name: `Lead history ${run}`,
      enabled: true,
      trigger: { type: 'event', match: { type: 'page', path } },
      steps: [
        { type: 'in_app', kind: 'banner', title: `Banner ${run}`, body: 'Hello' },
        { type: 'email', subject: `History mail ${run}`, body: 'Hi {{lead.traits.firstName|there}}' },
      ],
    })
    expect(created.status).toBe(201)
    const flow = (await created.json()) as Flow
    const email = `history.${run}@example.com`
    await visit(`a_hist_${run}`, email, path, 1)
    const leadOf = async () => (await adminGet<{ leads: Array<{ id: string }> }>(`/api/sites/${DEMO_SITE_ID}/leads?email=${encodeURIComponent(email)}`)).leads[0]?.id
    await expect.poll(leadOf, { timeout: 15_000 }).toBeTruthy()
    const leadId = (await leadOf())!
    const listed = () => adminGet<{ messages: Message[] }>(`/api/sites/${DEMO_SITE_ID}/messages?leadId=${leadId}`).then((r) => r.messages)
    // Settled first (the email sent, nothing mid-send), so the page and this list see the same statuses.
    await expect.poll(async () => (await listed()).map((m) => `${m.channel}:${m.status}`).sort().join(' '), { timeout: 30_000 }).toMatch(/^email:sent in_app:(?!sending)[a-z]+$/)
    const messages = await listed()
    leadWithMessages = leadId

    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/leads/${leadId}`)
    // Catches a lead page that does not show the API's messages for her (in-app by title, email by subject).
    for (const m of messages) {
      const row = page.locator(`#lead-messages tr[data-message-id="${m.id}"]`)
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1)
      expect(await row.innerText()).toContain(m.channel === 'email' ? `History mail ${run}` : `Banner ${run}`)
      expect(await row.locator('.badge[class*="status-"]').innerText()).toBe(m.status)
    }
    expect(await page.locator('#lead-messages tbody tr').count()).toBe(messages.length)
    const runRow = page.locator(`#lead-runs tr[data-flow-id="${flow.id}"]`)
    await expect.poll(() => runRow.innerText(), { timeout: 10_000 }).toContain(`Lead history ${run}`)
    await shoot(page, 'lead-history-1280')

    // The flow's recent runs name the lead and link to her page.
    await page.goto(`${baseUrl()}/dashboard/#/sites/${DEMO_SITE_ID}/flows/${flow.id}`)
    const link = page.locator(`#flow-runs tr[data-lead-id="${leadId}"] a.lead-link`)
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1)
    expect(await link.innerText()).toBe(email)
    await link.click()
    await expect.poll(() => page.locator('#lead-title').innerText(), { timeout: 10_000 }).toBe(email)
  })

  // Catches a delete that asks nothing, one whose cancel still deletes, and a deleted flow left listed or served.
  it('deletes a flow only once confirmed: then gone from the list and from the API', async () => {
    const run = Date.now()
    const name = `Delete me ${run}`
    const created = await api('/flows', 'POST', { name, enabled: true, trigger: { type: 'event', match: { type: 'track', event: `Delete Test ${run}` } }, steps: [{ type: 'wait', seconds: 3600 }] })
    expect(created.status, await created.clone().text()).toBe(201)
    const flow = (await created.json()) as Flow
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/flows/${flow.id}`)
    await page.waitForSelector('#flow-form:not([aria-busy])', { timeout: 15_000 })
    const asked: string[] = []
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.dismiss()))
    await page.click('#flow-delete')
    expect(asked).toEqual([expect.stringContaining(name)])
    // Cancelled: the editor stays, and the confirmed delete below finds the flow still there (204, not 404).
    expect(await page.locator('#flow-delete').count()).toBe(1)
    page.once('dialog', (dialog) => void dialog.accept())
    const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(`/flows/${flow.id}`))
    await page.click('#flow-delete')
    expect((await deleted).status()).toBe(204)
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/#\/sites\/[^/]+\/flows$/)
    await expect.poll(() => page.locator(`tr[data-flow-id="${flow.id}"]`).count(), { timeout: 10_000 }).toBe(0)
    const gone = await fetch(`${baseUrl()}/api/sites/${DEMO_SITE_ID}/flows/${flow.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(gone.status).toBe(404)
  })

  it('a webhook body that is only a message is edited as text, any other as JSON; both save as the API has them', async () => {
    const run = Date.now()
    const created = await api('/flows', 'POST', {
      name: `Webhooks ${run}`,
      enabled: false,
      trigger: { type: 'event', match: { type: 'track', event: `Webhook Test ${run}` } },
      steps: [
        { type: 'webhook', url: 'https://hooks.acme.test/a', body: { text: '{{lead.email}} is hot' } },
        { type: 'webhook', url: 'https://hooks.acme.test/b', format: 'signed', body: { event: 'hot', email: '{{lead.email}}' } },
      ],
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const flow = (await created.json()) as Flow
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/flows/${flow.id}`)
    await page.waitForSelector('#flow-form:not([aria-busy])', { timeout: 15_000 })
    // Catches a marketer made to write JSON for a chat message, or a custom body squeezed into one text field.
    await expect.poll(() => page.inputValue('#flow-steps-0-body-text'), { timeout: 10_000 }).toBe('{{lead.email}} is hot')
    expect(await page.locator('#flow-steps-0-body').count()).toBe(0)
    expect(JSON.parse(await page.inputValue('#flow-steps-1-body'))).toEqual({ event: 'hot', email: '{{lead.email}}' })
    expect(await page.locator('#flow-steps-1-body-text').count()).toBe(0)
    await page.fill('#flow-steps-0-body-text', `New lead {{lead.email}} ${run}`)
    // The message can be looked at as JSON, and edited as text again.
    await page.click('#flow-steps-0 .webhook-as-json')
    expect(JSON.parse(await page.inputValue('#flow-steps-0-body'))).toEqual({ text: `New lead {{lead.email}} ${run}` })
    await page.click('#flow-steps-0 .webhook-as-text')
    expect(await page.inputValue('#flow-steps-0-body-text')).toBe(`New lead {{lead.email}} ${run}`)
    await page.click('#flow-save')
    await page.waitForSelector('#flows-view', { timeout: 15_000 })
    const saved = await adminGet<Flow>(`/api/sites/${DEMO_SITE_ID}/flows/${flow.id}`)
    expect(saved.steps).toEqual([
      { type: 'webhook', url: 'https://hooks.acme.test/a', format: 'slack', body: { text: `New lead {{lead.email}} ${run}` } },
      { type: 'webhook', url: 'https://hooks.acme.test/b', format: 'signed', body: { event: 'hot', email: '{{lead.email}}' } },
    ])
  })

  it('a newer preview aborts the one still in flight, whose answer is never shown', async () => {
    const run = Date.now()
    await visit(`a_race_${run}`, `race.${run}@example.com`, `/fe-race-${run}`, 1)
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/flows/new`)
    await page.waitForSelector('#flow-form:not([aria-busy])', { timeout: 15_000 })
    await page.fill('#flow-steps-0-subject', 'Race')
    await page.fill('#flow-trigger-match-path', `/fe-race-${run}*`)
    let held: (() => void) | undefined
    const release = new Promise<void>((resolve) => (held = resolve))
    let calls = 0
    await page.route('**/flows/preview', async (route) => {
      // The first preview (which would enroll our lead) is held until a newer one has answered.
      if (calls++ === 0) await release
      await route.continue().catch(() => {})
    })
    const aborted = page.waitForEvent('requestfailed', (r) => r.url().endsWith('/flows/preview'))
    await page.click('#flow-preview-run')
    await expect.poll(() => calls).toBe(1)
    await page.fill('#flow-trigger-match-path', `/fe-nobody-${run}*`)
    await page.click('#flow-preview-run')
    await expect.poll(() => page.locator('#preview-enroll-now').textContent(), { timeout: 20_000 }).toBe('0')
    // Catches a preview that is not aborted by a newer one (its late answer, 1 lead, could win).
    await aborted
    held!()
    expect(await page.locator('#preview-enroll-now').textContent()).toBe('0')
    expect(await page.locator('#flow-preview-stale').count()).toBe(0)
  })

  it('390 px: the editor with a branch and the lead page with messages fit a phone', async () => {
    const page = await signedIn(`#/sites/${DEMO_SITE_ID}/flows/new`, 390)
    await page.waitForSelector('#flow-form:not([aria-busy])', { timeout: 15_000 })
    await page.selectOption('#flow-steps-type', 'branch')
    await page.click('#flow-steps-add')
    await page.waitForSelector('#flow-steps-1-then-0-subject')
    await page.click('#flow-preview-run')
    await page.waitForSelector('#flow-preview-result, #flow-preview-error:not([hidden])', { timeout: 20_000 })
    await shoot(page, 'flow-editor-390')
    // Catches steps, conditions or the preview forcing the page wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400)
    if (!leadWithMessages) return
    await page.goto(`${baseUrl()}/dashboard/#/sites/${DEMO_SITE_ID}/leads/${leadWithMessages}`)
    await page.waitForSelector('#lead-messages tbody tr', { timeout: 15_000 })
    await page.locator('#lead-messages').scrollIntoViewIfNeeded()
    await shoot(page, 'lead-history-390')
    // Catches the message table forcing the lead page wider than a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400)
  })
})

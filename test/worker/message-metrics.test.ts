// Message metrics against a hand-computed outbox (New York days), with every outcome recorded through its
// real endpoint: the signed provider webhook (bounce by provider id, complaint by tag), one-click
// unsubscribe, the open pixel and the click redirect. Plus the tracking links themselves.
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { messageToken, unsubscribeToken } from '../../worker/src/domain/email/signing'
import { admin, call, callAdminHost, createSite, uniqueId, type TestSite } from './helpers'
import { createFlow, knownLead, postProviderEvent, viewPricing, waitForOutbox } from './flow-helpers'

const SECRET = 'test-unsubscribe-secret'
const GUIDE = 'https://acme.test/guide?a=1&b=2'
let site: TestSite
let flowA: string
let flowB: string
const ids: Record<string, string> = {}

async function get<T = Record<string, any>>(siteId: string, path: string): Promise<T> {
  const response = await admin(`/api/sites/${siteId}/metrics/${path}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as T
}

type Row = { key: string; flow: string; step: string; channel: 'email' | 'in_app' | 'webhook'; variant?: string; status?: string; sentAt?: string; createdAt?: string; providerId?: string; shown?: boolean; clicked?: boolean; dismissed?: boolean }

async function insert(row: Row) {
  const id = `msg_${uniqueId('f').replace(/[^A-Za-z0-9]/g, '')}`
  ids[row.key] = id
  const sentAt = row.sentAt ? Date.parse(row.sentAt) : null
  const createdAt = Date.parse(row.createdAt ?? row.sentAt!)
  const content = row.channel === 'email' ? { channel: 'email', from: 'a@acme.test', headers: {}, html: '', text: '', links: [GUIDE] } : { channel: row.channel }
  await env.DB.prepare(
    `insert into messages (id, site_id, lead_id, flow_id, enrollment, step, channel, status, "to", subject, content, variant, provider_id, due_at, expires_at,
       sent_at, shown_at, clicked_at, dismissed_at, created_at) values (?, ?, ?, ?, 1, ?, ?, ?, ?, 's', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, site.id, `ld_${row.key}`, row.flow, row.step, row.channel, row.status ?? 'sent', row.channel === 'email' ? `${row.key}@example.com` : null,
      JSON.stringify(content), row.variant ?? null, row.providerId ?? null, createdAt, createdAt + 86_400_000,
      sentAt, row.shown ? sentAt : null, row.clicked ? sentAt : null, row.dismissed ? sentAt : null, createdAt)
    .run()
}

async function providerEvent(event: Record<string, unknown>) {
  const response = await postProviderEvent(event)
  expect(response.status).toBe(200)
}

beforeAll(async () => {
  site = await createSite({ settings: { timeZone: 'America/New_York', emailTracking: { opens: true, clicks: true } } })
  flowA = (await createFlow(site.id, { name: 'Subject test', enabled: false, trigger: { type: 'stage', stage: 'lead' }, steps: [
    { type: 'email', subjects: ['Subject zero', 'Subject one'], body: 'Read ' + GUIDE },
    { type: 'in_app', title: 'Hello there' },
  ] })).id
  flowB = (await createFlow(site.id, { name: 'Plain', enabled: false, trigger: { type: 'stage', stage: 'lead' }, steps: [
    { type: 'email', subject: 'Hello', body: 'Hi' },
    { type: 'webhook', url: 'https://hooks.acme.test/x' },
  ] })).id
  // New York is UTC−5 in early March 2026 (DST starts March 8): local midnight of March 5 is 05:00Z.
  const rows: Row[] = [
    { key: 'a1', flow: flowA, step: '0', channel: 'email', variant: '0', sentAt: '2026-03-04T20:00:00Z' },
    { key: 'a2', flow: flowA, step: '0', channel: 'email', variant: '0', sentAt: '2026-03-05T04:30:00Z', providerId: `prov_${uniqueId('')}` }, // 23:30 on March 4 in New York
    { key: 'a3', flow: flowA, step: '0', channel: 'email', variant: '1', sentAt: '2026-03-05T05:30:00Z' }, // 00:30 on March 5
    { key: 'a4', flow: flowA, step: '0', channel: 'email', variant: '1', sentAt: '2026-03-05T15:00:00Z' },
    { key: 'a5', flow: flowA, step: '1', channel: 'in_app', sentAt: '2026-03-05T16:00:00Z', shown: true, clicked: true },
    { key: 'a6', flow: flowA, step: '1', channel: 'in_app', sentAt: '2026-03-04T16:00:00Z', shown: true, dismissed: true },
    { key: 'a7', flow: flowA, step: '0', channel: 'email', variant: '1', status: 'failed', createdAt: '2026-03-05T12:00:00Z' },
    { key: 'b1', flow: flowB, step: '0', channel: 'email', sentAt: '2026-03-04T04:59:00Z' }, // 23:59 on March 3: outside the range
    { key: 'b2', flow: flowB, step: '0', channel: 'email', sentAt: '2026-03-04T17:00:00Z' },
    { key: 'b3', flow: flowB, step: '1', channel: 'webhook', sentAt: '2026-03-04T17:00:00Z' },
    { key: 'b4', flow: flowB, step: '0', channel: 'email', status: 'suppressed', createdAt: '2026-03-04T17:00:00Z' },
  ]
  for (const row of rows) await insert(row)
  // Each outcome through its real endpoint, twice where a repeat must not count twice.
  for (let i = 0; i < 2; i++) expect((await call(`/o/${await messageToken('open', ids.a1!, SECRET)}`)).status).toBe(200)
  const click = await call(`/c/${await messageToken('click', ids.a1!, SECRET)}/0`, { redirect: 'manual' })
  expect(click.status).toBe(302)
  expect(click.headers.get('location')).toBe(GUIDE)
  const a2 = await env.DB.prepare('select provider_id from messages where id = ?').bind(ids.a2).first<string>('provider_id')
  await providerEvent({ type: 'email.bounced', data: { email_id: a2, to: ['a2@example.com'], bounce: { type: 'Permanent' } } })
  await providerEvent({ type: 'email.complained', data: { to: ['a4@example.com'], tags: { cairn_message: ids.a4 } } })
  expect((await call(`/u/${await unsubscribeToken(ids.a3!, SECRET)}`, { method: 'POST' })).status).toBe(200)
})

describe('message metrics', () => {
  it('counts sends and outcomes per flow, step and subject variant, on New York days', async () => {
    // Catches: outcomes not recorded on their message, a UTC day cut, failed/suppressed counted as sent,
    // a repeated open counted twice, rates over the wrong base, variants mixed up.
    const body = await get(site.id, 'messages?from=2026-03-04&to=2026-03-05')
    expect(body.available).toBe(true)
    expect(body.totals).toEqual({ sent: 5, delivered: 4, opened: 1, clicked: 1, unsubscribed: 1, bounced: 1, complained: 1, scanned: 0, machineOpened: 0, failed: 1, suppressed: 1 })
    expect(body.rates).toEqual({ delivery: 0.8, open: 0.25, click: 0.25, clickToOpen: 1, unsubscribe: 0.25, bounce: 0.2, complaint: 0.25 })
    expect(body.inApp).toEqual({ sent: 2, shown: 2, clicked: 1, dismissed: 1, rates: { show: 1, click: 0.5, dismiss: 0.5 } })
    expect(body.webhooks).toEqual({ sent: 1, failed: 0 })
    expect(body.flows.map((f: any) => [f.name, f.sent, f.inApp.sent, f.webhooks.sent])).toEqual([['Subject test', 4, 2, 0], ['Plain', 1, 0, 1]])
    const a = body.flows[0]
    expect(a).toMatchObject({ flowId: flowA, delivered: 3, opened: 1, clicked: 1, unsubscribed: 1, bounced: 1, complained: 1, failed: 1 })
    expect(a.steps.map((s: any) => [s.step, s.channel, s.label, s.sent])).toEqual([['0', 'email', 'Subject zero / Subject one', 4], ['1', 'in_app', 'Hello there', 2]])
    const [v0, v1] = a.steps[0].variants
    expect(v0).toMatchObject({ variant: '0', subject: 'Subject zero', sent: 2, delivered: 1, opened: 1, clicked: 1, bounced: 1, unsubscribed: 0, rates: { open: 1, bounce: 0.5 } })
    expect(v1).toMatchObject({ variant: '1', subject: 'Subject one', sent: 2, delivered: 2, opened: 0, unsubscribed: 1, complained: 1, failed: 1, rates: { unsubscribe: 0.5 } })
    expect(a.steps[1]).toMatchObject({ shown: 2, clicked: 1, dismissed: 1, variants: [] })
    expect(body.flows[1]).toMatchObject({ flowId: flowB, sent: 1, delivered: 1, suppressed: 1, steps: [{ step: '0', sent: 1 }, { step: '1', channel: 'webhook', sent: 1 }] })
    expect(body.days.map((d: any) => [d.day, d.sent, d.bounced, d.opened, d.unsubscribed, d.complained, d.inApp.sent])).toEqual([
      ['2026-03-04', 3, 1, 1, 0, 0, 1],
      ['2026-03-05', 2, 0, 0, 1, 1, 1],
    ])
  })

  it('cuts at local midnight: 23:30 belongs to the day before, 00:30 to the day after', async () => {
    // Catches: UTC days (a2 at 04:30Z would count on March 5) or an exclusive `to`.
    const march5 = await get(site.id, 'messages?from=2026-03-05&to=2026-03-05')
    expect(march5.totals).toMatchObject({ sent: 2, unsubscribed: 1, complained: 1, bounced: 0 })
    const march3 = await get(site.id, 'messages?from=2026-03-03&to=2026-03-03')
    expect(march3.totals.sent).toBe(1) // b1 only
  })

  it('is unavailable with no flows, and refuses a bad range', async () => {
    // Catches: `available` true on an empty site, or a reversed range answering numbers.
    const empty = await createSite()
    expect(await get(empty.id, 'messages')).toMatchObject({ available: false, flows: [], totals: { sent: 0 } })
    const bad = await admin(`/api/sites/${site.id}/metrics/messages?from=2026-03-05&to=2026-03-01`)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.code).toBe('invalid_range')
  })
})

describe('open pixel and click redirect', { timeout: 30_000 }, () => {
  it('are off by default: the email links straight to the URL and carries no pixel', async () => {
    // Catches: tracking on for a site that never asked for it.
    const { site: plain, aid, leadId } = await knownLead()
    await createFlow(plain.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'email', subject: 'Hi', body: `See ${GUIDE}.` }] })
    await viewPricing(plain, aid)
    const [sent] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const { html } = (await (await admin(`/api/sites/${plain.id}/messages/${sent!.id}`)).json()) as { html: string }
    expect(html).toContain(`<a href="https://acme.test/guide?a=1&amp;b=2">`)
    expect(html).not.toContain('/o/')
    expect(html).not.toContain('/c/')
    // A valid open token on a site that does not track records nothing (the image is still served).
    const open = await call(`/o/${await messageToken('open', sent!.id, SECRET)}`)
    expect(open.headers.get('content-type')).toBe('image/gif')
    expect(await env.DB.prepare('select opened_at from messages where id = ?').bind(sent!.id).first('opened_at')).toBeNull()
  })

  it('when on, the rendered email has the pixel and redirect links that record once and go only to the email\'s URL', async () => {
    // Catches: links not rewritten, an open redirect, a forged or other-purpose token recording, the admin host answering.
    const { site: tracked, aid, leadId } = await knownLead({ settings: { emailTracking: { opens: true, clicks: true } } })
    await createFlow(tracked.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'email', subject: 'Hi', body: `See ${GUIDE}.` }] })
    await viewPricing(tracked, aid)
    const [sent] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const { html, text } = (await (await admin(`/api/sites/${tracked.id}/messages/${sent!.id}`)).json()) as { html: string; text: string }
    const pixel = /<img src="https:\/\/cairn\.test(\/o\/[^"]+)" width="1" height="1"/.exec(html)?.[1]
    const link = /<a href="https:\/\/cairn\.test(\/c\/[^"]+)">https:\/\/acme\.test\/guide\?a=1&amp;b=2<\/a>/.exec(html)?.[1]
    expect(pixel, html).toBeTruthy()
    expect(link, html).toBeTruthy()
    expect(text).toContain(GUIDE) // the text part keeps the plain URL
    const row = () => env.DB.prepare('select opened_at, clicked_at from messages where id = ?').bind(sent!.id).first<{ opened_at: number | null; clicked_at: number | null }>()

    expect((await callAdminHost(pixel!)).status).toBe(404)
    expect((await callAdminHost(link!, { redirect: 'manual' })).status).toBe(404)
    const [token] = link!.slice(3).split('/')
    expect((await call(`/c/${token}/1`, { redirect: 'manual' })).status).toBe(404) // no second link in this email
    expect((await call(`/c/${token!.slice(0, -2)}xx/0`, { redirect: 'manual' })).status).toBe(404) // forged
    expect((await call(`/c/${pixel!.slice(3)}/0`, { redirect: 'manual' })).status).toBe(404) // an open token is not a click token
    expect(await row()).toEqual({ opened_at: null, clicked_at: null })

    const image = await call(pixel!)
    expect(image.status).toBe(200)
    expect(image.headers.get('content-type')).toBe('image/gif')
    expect(image.headers.get('cache-control')).toContain('no-store')
    expect(new TextDecoder().decode((await image.arrayBuffer()).slice(0, 6))).toBe('GIF89a')
    const redirect = await call(link!, { redirect: 'manual' })
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe(GUIDE)
    const first = await row()
    expect(first!.opened_at).toBeGreaterThan(0)
    expect(first!.clicked_at).toBeGreaterThan(0)
    await call(link!, { redirect: 'manual' })
    expect(await row()).toEqual(first) // the first click's time stays
    const body = await get(tracked.id, 'messages')
    expect(body.totals).toMatchObject({ sent: 1, opened: 1, clicked: 1 })
  })

  it("a link scanner's clicks do not count: its visit to the hidden link takes the clicks around it, and is counted", async () => {
    // Catches: mail-security scanners (which follow every link at delivery) counted as clicks, in either order,
    // through the redirect or the provider's webhook; a person's later click lost; the filter without an off switch.
    const { site: filtered, aid, leadId } = await knownLead({ settings: { emailTracking: { opens: true, clicks: true } } })
    await createFlow(filtered.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'email', subject: 'Hi', body: `See ${GUIDE}.` }] })
    await viewPricing(filtered, aid)
    const [sent] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const { html } = (await (await admin(`/api/sites/${filtered.id}/messages/${sent!.id}`)).json()) as { html: string }
    const hidden = /<a href="https:\/\/cairn\.test(\/c\/[^"]+\/999)" style="display:none;mso-hide:all" aria-hidden="true" tabindex="-1"><\/a>/.exec(html)?.[1]
    const link = /<a href="https:\/\/cairn\.test(\/c\/[^"]+\/0)">/.exec(html)?.[1]
    expect(hidden, html).toBeTruthy()
    expect(link, html).toBeTruthy()
    const row = () => env.DB.prepare('select clicked_at, scanned_at from messages where id = ?').bind(sent!.id).first<{ clicked_at: number | null; scanned_at: number | null }>()

    // The scanner's burst: the real link first (recorded), then the hidden one takes it back.
    expect((await call(link!, { redirect: 'manual' })).status).toBe(302)
    expect((await row())!.clicked_at).toBeGreaterThan(0)
    expect((await call(hidden!, { method: 'HEAD' })).status).toBe(204) // a HEAD records nothing
    expect((await row())!.scanned_at).toBeNull()
    const trap = await call(hidden!)
    expect(trap.status).toBe(204)
    expect(await trap.text()).toBe('')
    expect(await row()).toMatchObject({ clicked_at: null, scanned_at: expect.any(Number) })
    // Its clicks right after, through the redirect or the provider, do not count either.
    expect((await call(link!, { redirect: 'manual' })).headers.get('location')).toBe(GUIDE)
    const provider = await postProviderEvent({ type: 'email.clicked', data: { tags: { cairn_message: sent!.id } } })
    expect(await provider.json()).toEqual({ ignored: true })
    expect((await row())!.clicked_at).toBeNull()
    expect((await get(filtered.id, 'messages')).totals).toMatchObject({ sent: 1, clicked: 0, scanned: 1 })

    // A person clicking after the minute is counted: the scan is moved two minutes back instead of waiting.
    await env.DB.prepare('update messages set scanned_at = scanned_at - 120000 where id = ?').bind(sent!.id).run()
    await call(link!, { redirect: 'manual' })
    expect((await row())!.clicked_at).toBeGreaterThan(0)
    expect((await get(filtered.id, 'messages')).totals).toMatchObject({ clicked: 1, scanned: 1 })
    // A second scanner five minutes on (a forwarded copy): its visit is the one kept, the person's click stays.
    await env.DB.prepare('update messages set scanned_at = scanned_at - 300000, clicked_at = clicked_at - 300000 where id = ?').bind(sent!.id).run()
    const earlier = (await row())!
    expect((await call(hidden!)).status).toBe(204)
    const later = (await row())!
    expect(later.scanned_at).toBeGreaterThan(earlier.scanned_at! + 240_000)
    expect(later.clicked_at).toBe(earlier.clicked_at)

    // The escape hatch: with filterScanners off the hidden link is gone, and an old one records nothing.
    const { site: unfiltered, aid: aid2, leadId: lead2 } = await knownLead({ settings: { emailTracking: { clicks: true, filterScanners: false } } })
    await createFlow(unfiltered.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'email', subject: 'Hi', body: `See ${GUIDE}.` }] })
    await viewPricing(unfiltered, aid2)
    const [plain] = await waitForOutbox(lead2, (r) => r[0]?.status === 'sent')
    const plainHtml = ((await (await admin(`/api/sites/${unfiltered.id}/messages/${plain!.id}`)).json()) as { html: string }).html
    expect(plainHtml).toContain('/c/')
    expect(plainHtml).not.toContain('/999')
    const token = /\/c\/([^/"]+)\/0/.exec(plainHtml)![1]
    expect((await call(`/c/${token}/999`)).status).toBe(204)
    expect(await env.DB.prepare('select scanned_at from messages where id = ?').bind(plain!.id).first('scanned_at')).toBeNull()
    // A scan recorded while the filter was on no longer sets clicks aside once it is off (redirect or provider).
    await env.DB.prepare('update messages set scanned_at = ? where id = ?').bind(Date.now(), plain!.id).run()
    expect(await (await postProviderEvent({ type: 'email.clicked', data: { tags: { cairn_message: plain!.id } } })).json()).toEqual({ recorded: 'clicked' })
    expect(await env.DB.prepare('select clicked_at from messages where id = ?').bind(plain!.id).first('clicked_at')).toBeGreaterThan(0)
    await env.DB.prepare('update messages set clicked_at = null where id = ?').bind(plain!.id).run()
    expect((await call(`/c/${token}/0`, { redirect: 'manual' })).status).toBe(302)
    expect(await env.DB.prepare('select clicked_at from messages where id = ?').bind(plain!.id).first('clicked_at')).toBeGreaterThan(0)
  })

  it("a privacy proxy's pixel load at delivery is a machine open, counted apart from opens unless the site counts it", async () => {
    // Catches: Apple Mail Privacy Protection inflating opens (and the open rate), a person's later open lost,
    // a repeat moving the first time, the filter without an off switch or a visible count.
    const APPLE_PROXY = { 'user-agent': 'Mozilla/5.0' }
    const PERSON = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)', 'cf-connecting-ip': '203.0.113.9' }
    const sentEmail = async (siteId: string) => {
      const id = `msg_${uniqueId('m').replace(/[^A-Za-z0-9]/g, '')}`
      const at = Date.now() - 60_000
      await env.DB.prepare(
        `insert into messages (id, site_id, lead_id, flow_id, enrollment, step, channel, status, "to", subject, content, due_at, expires_at, sent_at, created_at)
           values (?, ?, ?, 'fl_x', 1, '0', 'email', 'sent', 'm@example.com', 's', ?, ?, ?, ?, ?)`,
      )
        .bind(id, siteId, `ld_${id}`, JSON.stringify({ channel: 'email', from: 'a@acme.test', headers: {}, html: '', text: '', links: [] }), at, at + 86_400_000, at, at)
        .run()
      return { id, pixel: `/o/${await messageToken('open', id, SECRET)}` }
    }
    type Opens = { opened_at: number | null; machine_opened_at: number | null }
    const row = (id: string) => env.DB.prepare('select opened_at, machine_opened_at from messages where id = ?').bind(id).first<Opens>()

    const filtered = await createSite({ settings: { emailTracking: { opens: true } } })
    const email = await sentEmail(filtered.id)
    const load = await call(email.pixel, { headers: APPLE_PROXY })
    expect(load.headers.get('content-type')).toBe('image/gif')
    const first = (await row(email.id))!
    expect(first).toEqual({ opened_at: null, machine_opened_at: expect.any(Number) })
    await call(email.pixel, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone)', 'cf-connecting-ip': '17.58.1.2' } }) // Apple's network
    expect(await row(email.id)).toEqual(first) // still no open, and the first machine load's time stays
    expect((await get(filtered.id, 'messages')).totals).toMatchObject({ sent: 1, delivered: 1, opened: 0, machineOpened: 1 })
    // The reader's own mail client loading the pixel later is an open.
    await call(email.pixel, { headers: PERSON })
    expect((await row(email.id))!.opened_at).toBeGreaterThan(0)
    const body = await get(filtered.id, 'messages')
    expect(body.totals).toMatchObject({ opened: 1, machineOpened: 1 })
    expect(body.rates.open).toBe(1)
    const listed = (await (await admin(`/api/sites/${filtered.id}/messages`)).json()) as { messages: Array<{ id: string; machineOpenedAt: string | null }> }
    expect(listed.messages.find((m) => m.id === email.id)?.machineOpenedAt).toBe(new Date(first.machine_opened_at!).toISOString())

    // The escape hatch: a site that counts machine opens gets them as opens too, still counted apart.
    const counting = await createSite({ settings: { emailTracking: { opens: true, filterMachineOpens: false } } })
    const counted = await sentEmail(counting.id)
    await call(counted.pixel, { headers: APPLE_PROXY })
    expect(await row(counted.id)).toEqual({ opened_at: expect.any(Number), machine_opened_at: expect.any(Number) })
    expect((await get(counting.id, 'messages')).totals).toMatchObject({ opened: 1, machineOpened: 1 })
    const refused = await admin(`/api/sites/${counting.id}`, { method: 'PATCH', json: { settings: { emailTracking: { opens: true, filterMachineOpens: 'no' } } } })
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as any).error.issues).toEqual([expect.objectContaining({ path: 'settings.emailTracking.filterMachineOpens' })])
  })

  it('redirects to a link with non-ASCII characters, percent-encoded (an international host in punycode)', async () => {
    // Catches: a 500 for the click (a header value must be bytes) when the email's link has an accent or a dash.
    const own = await createSite({ settings: { emailTracking: { clicks: true } } })
    const id = `msg_${uniqueId('u').replace(/[^A-Za-z0-9]/g, '')}`
    const links = ['https://acme.test/café?q=ü—x', 'https://bücher.example/']
    const at = Date.now()
    await env.DB.prepare(
      `insert into messages (id, site_id, lead_id, flow_id, enrollment, step, channel, status, "to", subject, content, due_at, expires_at, sent_at, created_at)
         values (?, ?, 'ld_u', 'fl_x', 1, '0', 'email', 'sent', 'u@example.com', 's', ?, ?, ?, ?, ?)`,
    )
      .bind(id, own.id, JSON.stringify({ channel: 'email', from: 'a@acme.test', headers: {}, html: '', text: '', links }), at, at + 86_400_000, at, at)
      .run()
    const token = await messageToken('click', id, SECRET)
    const first = await call(`/c/${token}/0`, { redirect: 'manual' })
    expect(first.status).toBe(302)
    expect(first.headers.get('location')).toBe('https://acme.test/caf%C3%A9?q=%C3%BC%E2%80%94x')
    expect((await call(`/c/${token}/1`, { redirect: 'manual' })).headers.get('location')).toBe('https://xn--bcher-kva.example/')
  })

  it('refuses a filterScanners that is not a boolean', async () => {
    // Catches: the switch stored as any value (a string "false" would leave the filter on).
    const response = await admin(`/api/sites/${site.id}`, { method: 'PATCH', json: { settings: { emailTracking: { clicks: true, filterScanners: 'false' } } } })
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).error.issues).toEqual([expect.objectContaining({ path: 'settings.emailTracking.filterScanners' })])
  })
})

describe('experience results by local dates', () => {
  it('accepts YYYY-MM-DD in the site time zone beside ISO instants', async () => {
    // Catches: dates refused (400) or read as UTC; instants no longer accepted; a reversed range answering.
    for (const query of ['from=2026-03-01&to=2026-03-31', 'from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z', 'from=2026-03-01']) {
      const response = await admin(`/api/sites/${site.id}/metrics/experiences?${query}`)
      expect(response.status, query).toBe(200)
    }
    expect((await admin(`/api/sites/${site.id}/metrics/experiences?from=2026-03-05&to=2026-03-01`)).status).toBe(400)
    // Catches: dates cut at UTC midnight — 04:30Z is still March 4 in New York, 05:30Z is March 5.
    const created = await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: { name: 'E', match: {}, variants: [{ id: 'var_tz', name: 'V', weight: 1, slots: { headline: 'H' } }] } })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    for (const [aid, at] of [['a_tz1', '2026-03-05T04:30:00Z'], ['a_tz2', '2026-03-05T05:30:00Z']] as const) {
      await env.DB.prepare("insert into exposures (site_id, experience_id, anonymous_id, variant_id, mode, first_at) values (?, ?, ?, 'var_tz', 'client', ?)").bind(site.id, id, aid, Date.parse(at)).run()
    }
    const exposed = async (query: string) => {
      const { experiences } = (await (await admin(`/api/sites/${site.id}/metrics/experiences?${query}`)).json()) as { experiences: Array<{ variants: Array<{ exposures: number }> }> }
      return experiences[0]!.variants[0]!.exposures
    }
    expect(await exposed('from=2026-03-05&to=2026-03-05')).toBe(1)
    expect(await exposed('from=2026-03-04&to=2026-03-04')).toBe(1)
    expect(await exposed('from=2026-03-05T04:00:00Z&to=2026-03-05T06:00:00Z')).toBe(2)
    expect((await admin(`/api/sites/${site.id}/metrics/experiences?from=March`)).status).toBe(400)
  })
})

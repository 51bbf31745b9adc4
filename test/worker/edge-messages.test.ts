// Edge mode carries the visitor's in-app messages in the streamed HTML (a JSON <script> at the end of
// <body>), escaped, once, and only when she has some; the real Worker, D1, queue and origin stand-in.
import { describe, expect, it } from 'vitest'
import { call, ORIGIN, uniqueId } from './helpers'
import { createFlow, knownLead, track, viewPricing, waitForOutbox } from './flow-helpers'

const PRICING = { type: 'event', match: { type: 'page', path: '/pricing*' } }
const BLOB = '<script type="application/json" id="cairn-messages">'
const HOSTILE_TITLE = '</script><script>alert(1)</script> & <!-- café \u2028 end'

/** The edge page of the origin stand-in's `/` as the visitor with this cookie gets it. */
const edgePage = async (key: string, aid?: string) => {
  const response = await call(`/edge/${key}/`, aid ? { headers: { cookie: `cairn_aid=${aid}` } } : {})
  expect(response.status).toBe(200)
  return response.text()
}
const blobOf = (html: string) => {
  const start = html.indexOf(BLOB) + BLOB.length
  return html.slice(start, html.indexOf('</script>', start))
}

describe('in-app messages in edge-mode HTML', { timeout: 60_000 }, () => {
  // Catches: messages missing from the page (the SDK would have to ask again), a title that breaks out of
  // the <script> element, the blob added twice or outside <body>, another visitor's message in her page,
  // a dismissed message coming back.
  it('appends her due messages once, escaped, before </body>; nothing for others or once dismissed', async () => {
    const { site, aid, leadId, email } = await knownLead({ origin: 'https://origin.test' })
    await createFlow(site.id, { trigger: PRICING, steps: [{ type: 'in_app', kind: 'modal', title: HOSTILE_TITLE, body: 'Talk to us.', cta: { label: 'Book', url: '/demo' } }] })
    await viewPricing(site, aid)
    const [message] = await waitForOutbox(leadId, (rows) => rows[0]?.status === 'sent')

    const html = await edgePage(site.key, aid)
    expect(html.split(BLOB)).toHaveLength(2)
    expect(html.indexOf(BLOB)).toBeGreaterThan(html.indexOf('filler'))
    expect(html.indexOf(BLOB)).toBeLessThan(html.indexOf('</body>'))
    expect(html.split('</script>')).toHaveLength(2) // only the blob's own end tag: the title cannot end it
    expect(html).not.toContain('<script>alert')
    const blob = blobOf(html)
    expect(blob).toMatch(/^[\x20-\x7e]*$/)
    expect(blob).not.toMatch(/[<>&]/)
    const messages = JSON.parse(blob)
    expect(messages).toEqual([{ id: message!.id, kind: 'modal', title: HOSTILE_TITLE, body: 'Talk to us.', cta: { label: 'Book', url: '/demo' } }])
    // The same as /v1/personalize answers her: one source of truth for due messages.
    const personalized = await call(`/v1/personalize?site=${site.key}&url=${encodeURIComponent(`${ORIGIN}/`)}&aid=${aid}`, { headers: { origin: ORIGIN } })
    expect(((await personalized.json()) as { messages: unknown }).messages).toEqual(messages)
    expect(html).not.toContain(email)

    expect(await edgePage(site.key, uniqueId('a_'))).not.toContain('cairn-messages')
    expect(await edgePage(site.key)).not.toContain('cairn-messages')
    await track(site, aid, 'Message Dismissed', { messageId: message!.id })
    expect(await edgePage(site.key, aid)).not.toContain('cairn-messages')
  })

  // Catches: the no-message path rewritten or changed (it must stay the fast, untouched path).
  it('a visitor without messages gets the origin page byte for byte', async () => {
    const { site, aid } = await knownLead({ origin: 'https://origin.test' })
    await createFlow(site.id, { trigger: PRICING, steps: [{ type: 'in_app', kind: 'banner', title: 'Hi' }] })
    const html = await edgePage(site.key, aid)
    const origin = await (await fetch('https://origin.test/')).text()
    expect(html).toBe(origin)
  })
})

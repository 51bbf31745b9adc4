// The visitor's time zone: the SDK's context.timezone is stored on her lead (valid IANA names only) and
// quiet hours are applied in it, with the site's default zone as the fallback; real Worker, D1 and queue.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ORIGIN, pageEvent, sendEvents } from './helpers'
import { createFlow, knownLead, viewPricing, waitForOutbox } from './flow-helpers'

/** UTC+14: quiet hours around its local "now" are far from UTC's "now". */
const ZONE = 'Pacific/Kiritimati'
const PRICING = { type: 'event', match: { type: 'page', path: '/pricing*' } }
const IN_APP = { type: 'in_app', kind: 'banner', title: 'Hi' }

const hhmm = (at: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)
/** Quiet hours from 30 minutes before to 90 minutes after the current time in ZONE (not now in UTC). */
const quietNowInZone = () => ({ quietHours: { start: hhmm(Date.now() - 30 * 60_000, ZONE), end: hhmm(Date.now() + 90 * 60_000, ZONE) } })

const storedZone = async (leadId: string) =>
  (await env.DB.prepare('select time_zone from leads where id = ?').bind(leadId).first<{ time_zone: string | null }>())!.time_zone
const reportZone = (siteKey: string, aid: string, timezone: unknown) =>
  sendEvents(siteKey, [pageEvent(aid, `${ORIGIN}/`, { context: { url: `${ORIGIN}/`, timezone } })])

describe('lead time zone', { timeout: 60_000 }, () => {
  // Catches: the zone not stored, an invalid name stored (or refusing the batch), a later event without one wiping it.
  it('stores the SDK’s valid IANA zone on the lead and ignores invalid ones', async () => {
    const { site, aid, leadId } = await knownLead()
    expect(await storedZone(leadId)).toBeNull()
    expect((await reportZone(site.key, aid, ZONE)).status).toBe(202)
    expect(await storedZone(leadId)).toBe(ZONE)
    for (const bad of ['Mars/Olympus', 42, '../../etc', 'x'.repeat(200)]) {
      expect((await reportZone(site.key, aid, bad)).status).toBe(202)
      expect(await storedZone(leadId)).toBe(ZONE)
    }
    expect((await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/`)])).status).toBe(202)
    expect(await storedZone(leadId)).toBe(ZONE)
  })

  // Catches: quiet hours applied in UTC instead of the zone stored on her lead (the triggering event
  // carries none): her message would go out in her night. The control lead without a zone is sent at once (the hours are not quiet in UTC).
  it('quiet hours hold a message in her zone, not in UTC', async () => {
    const { site, aid, leadId } = await knownLead()
    await createFlow(site.id, { trigger: PRICING, policy: quietNowInZone(), steps: [IN_APP] })
    // Her zone reaches the lead first; the pricing view (which enrolls her) carries none.
    expect((await reportZone(site.key, aid, ZONE)).status).toBe(202)
    await viewPricing(site, aid)
    await waitForOutbox(leadId, (rows) => rows[0]?.reason === 'held: quiet_hours')

    const control = await knownLead()
    await createFlow(control.site.id, { trigger: PRICING, policy: quietNowInZone(), steps: [IN_APP] })
    await viewPricing(control.site, control.aid)
    await waitForOutbox(control.leadId, (rows) => rows[0]?.status === 'sent')
  })

  // Catches: the site's default zone ignored for leads whose browser never reported one.
  it('falls back to the site’s default zone', async () => {
    const { site, aid, leadId } = await knownLead({ settings: { timeZone: ZONE } })
    await createFlow(site.id, { trigger: PRICING, policy: quietNowInZone(), steps: [IN_APP] })
    await viewPricing(site, aid)
    await waitForOutbox(leadId, (rows) => rows[0]?.reason === 'held: quiet_hours')
    expect(await storedZone(leadId)).toBeNull()
  })
})

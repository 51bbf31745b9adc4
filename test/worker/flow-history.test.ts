// The admin reads behind a lead's message history and a flow's runs, in workerd with real D1 and Queues.
import { describe, expect, it, vi } from 'vitest'
import { admin } from './helpers'
import { createFlow, knownLead, track, viewPricing, waitForOutbox } from './flow-helpers'

type Summary = { id: string; channel: string; title: string | null; subject: string | null; sentAt: string | null; shownAt: string | null; dismissedAt: string | null; clickedAt: string | null; openedAt: string | null }

describe("a lead's message history", { timeout: 30_000 }, () => {
  it('lists an in-app title and the times the SDK reported; the flow detail names each run by its lead', async () => {
    // Catches a list without in-app titles or interaction times (the lead page shows them), or runs without the lead's email.
    const { site, aid, leadId, email } = await knownLead()
    const flow = await createFlow(site.id, {
      trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } },
      steps: [{ type: 'in_app', kind: 'banner', title: 'Questions, {{lead.traits.firstName|there}}?' }],
    })
    await viewPricing(site, aid)
    const [row] = await waitForOutbox(leadId, (r) => r[0]?.status === 'sent')
    const list = async () => ((await (await admin(`/api/sites/${site.id}/messages?leadId=${leadId}`)).json()) as { messages: Summary[] }).messages
    const [before] = await list()
    expect(before).toMatchObject({ id: row!.id, channel: 'in_app', title: 'Questions, Ada?', subject: null, shownAt: null, dismissedAt: null })
    await track(site, aid, 'Message Shown', { messageId: row!.id })
    await track(site, aid, 'Message Dismissed', { messageId: row!.id })
    await vi.waitFor(async () => {
      const [after] = await list()
      expect(after!.shownAt).toMatch(/^\d{4}-/)
      expect(after!.dismissedAt).toMatch(/^\d{4}-/)
    })
    const detail = (await (await admin(`/api/sites/${site.id}/flows/${flow.id}`)).json()) as { runs: Array<{ leadId: string; leadEmail: string | null }> }
    expect(detail.runs).toEqual([expect.objectContaining({ leadId, leadEmail: email })])
  })
})

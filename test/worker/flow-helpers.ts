// Helpers for flow tests: create flows, send a known lead's events, read the outbox and runs from D1.
import { env } from 'cloudflare:workers'
import { expect, vi } from 'vitest'
import { admin, call, createSite, identifyEvent, leadsOf, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId, type TestSite } from './helpers'

export async function createFlow(siteId: string, flow: Record<string, unknown>): Promise<{ id: string }> {
  const response = await admin(`/api/sites/${siteId}/flows`, { method: 'POST', json: { name: 'Test flow', enabled: true, ...flow } })
  if (response.status !== 201) throw new Error(`createFlow: ${response.status} ${await response.text()}`)
  return (await response.json()) as { id: string }
}

/** A site and a known lead (identified with an email) on it. */
export async function knownLead(overrides: Record<string, unknown> = {}) {
  const site = await createSite(overrides)
  const aid = uniqueId('a_')
  const email = `${uniqueId('ada')}@example.com`
  expect((await sendEvents(site.key, [identifyEvent(aid, null, { email, firstName: 'Ada' })])).status).toBe(202)
  const [lead] = await leadsOf(site.id, `anonymousId=${aid}`)
  return { site, aid, email, leadId: lead!.id as string }
}

export const viewPricing = (site: TestSite, aid: string) => sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/pricing`)])
export const track = (site: TestSite, aid: string, name: string, props: Record<string, unknown> = {}) =>
  sendEvents(site.key, [trackEvent(aid, name, props)])

export type OutboxRow = { id: string; channel: string; status: string; reason: string | null; attempts: number; step: string; provider_id: string | null; to: string | null }

export async function outbox(leadId: string): Promise<OutboxRow[]> {
  const { results } = await env.DB.prepare('select * from messages where lead_id = ? order by step, created_at').bind(leadId).all<OutboxRow>()
  return results
}

export async function runs(flowId: string, leadId: string) {
  const { results } = await env.DB.prepare('select * from flow_enrollments where flow_id = ? and lead_id = ? order by number')
    .bind(flowId, leadId)
    .all<{ number: number; status: string; cursor: string | null; next_at: number | null; exit_reason: string | null }>()
  return results
}

/** Waits (polling D1) until the outbox of the lead satisfies the check; the real queue runs the jobs. */
export async function waitForOutbox(leadId: string, check: (rows: OutboxRow[]) => boolean, timeout = 15_000): Promise<OutboxRow[]> {
  let rows: OutboxRow[] = []
  await vi.waitFor(
    async () => {
      rows = await outbox(leadId)
      if (!check(rows)) throw new Error(`outbox not there yet: ${JSON.stringify(rows.map((r) => [r.step, r.channel, r.status, r.reason]))}`)
    },
    { timeout, interval: 100 },
  )
  return rows
}

export const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve))

/** The provider webhook secret the worker tests run with (vitest.config.ts). */
const PROVIDER_SECRET = 'test-provider-secret'

/** POSTs a provider event to /email/events with a Svix-style signature (`signature` overrides it: a forgery). */
export async function postProviderEvent(event: Record<string, unknown>, { id = `evt_${uniqueId('')}`, signature }: { id?: string; signature?: string } = {}): Promise<Response> {
  const body = JSON.stringify(event)
  const ts = Math.floor(Date.now() / 1000)
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(PROVIDER_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${ts}.${body}`)))))
  return call('/email/events', { method: 'POST', body, headers: { 'svix-id': id, 'svix-timestamp': String(ts), 'svix-signature': signature ?? `v1,${mac}` } })
}

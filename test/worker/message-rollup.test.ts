// The message roll-up: closed days come from message_days, today from the outbox; a roll-up recomputes
// the last 30 days (late opens count) and leaves older days as they were.
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { admin, createSite, uniqueId } from './helpers'

const DAY = 86_400_000
const utcDay = (ms: number) => Math.floor(ms / DAY)
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)

async function sent(siteId: string, sentAt: number): Promise<string> {
  const id = uniqueId('msg_')
  await env.DB.prepare(
    `insert into messages (id, site_id, lead_id, flow_id, enrollment, step, channel, status, "to", subject, content, due_at, expires_at, sent_at, created_at)
     values (?, ?, ?, 'flow_x', 1, '0', 'email', 'sent', 'a@example.com', 's', '{"channel":"email"}', ?, ?, ?, ?)`,
  )
    .bind(id, siteId, uniqueId('ld_'), sentAt, sentAt + DAY, sentAt, sentAt)
    .run()
  return id
}

it('reads closed days from the roll-up and today from the outbox; a roll-up counts opens of the last 30 days', { timeout: 60_000 }, async () => {
  // Catches a report that scans the whole outbox for every range (the roll-up unused), today's sends
  // missing until the next roll-up, and late opens never counted (or counted past the 30-day window).
  const site = await createSite({})
  const now = Date.now()
  const recent = await sent(site.id, now - 3 * DAY)
  await sent(site.id, now - 3 * DAY)
  const old = await sent(site.id, now - 40 * DAY)
  await sent(site.id, now - 1000) // today
  const report = async () => {
    const response = await admin(`/api/sites/${site.id}/metrics/messages?from=${iso(now - 50 * DAY)}&to=${iso(now)}`)
    expect(response.status, await response.clone().text()).toBe(200)
    return ((await response.json()) as { totals: { sent: number; opened: number; scanned: number; machineOpened: number } }).totals
  }
  expect(await report()).toMatchObject({ sent: 4, opened: 0 })
  // The first read rolled every closed day up: three sends through yesterday, today's stays in the outbox.
  const through = await env.DB.prepare('select messages_through as t from rollup_state where site_id = ?').bind(site.id).first<number>('t')
  expect(through).toBe(utcDay(now) - 1)
  expect(await env.DB.prepare('select sum(sent) as n from message_days where site_id = ?').bind(site.id).first<number>('n')).toBe(3)
  await sent(site.id, now - 500) // a second send today: read from the outbox at once
  expect(await report()).toMatchObject({ sent: 5 })

  // Opens and a link scanner's visit arrive late; the rolled-up days show them after the next roll-up,
  // within 30 days of the send.
  await env.DB.prepare('update messages set opened_at = ?, scanned_at = ?, machine_opened_at = ? where id in (?, ?)').bind(now, now, now, recent, old).run()
  const rollup = await admin(`/api/sites/${site.id}/metrics/rollup`, { method: 'POST', json: {} })
  expect(rollup.status, await rollup.clone().text()).toBe(200)
  expect(await report()).toMatchObject({ sent: 5, opened: 1, scanned: 1, machineOpened: 1 })
  const days = await env.DB.prepare('select sum(scanned) as scanned, sum(machine_opened) as machine from message_days where site_id = ?').bind(site.id).first()
  expect(days).toEqual({ scanned: 1, machine: 1 })
})

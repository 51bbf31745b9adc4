// Message metric reads: closed days from the daily roll-up (message_days), the days after it from the
// outbox grouped in SQL — sends from one covering index (messages_metrics), never the rows with their
// rendered content; never-sent messages from a partial index (messages_unsent).
import { sql, type SQL } from 'drizzle-orm'
import type { MessageCountRow, MessageDayRow } from '../domain/metrics/messages'
import type { Db } from './client'

const SENT_COLUMNS = sql`count(*) as sent, sum(m.opened_at is not null) as opened, sum(m.clicked_at is not null) as clicked,
      sum(m.unsubscribed_at is not null) as unsubscribed, sum(m.bounced_at is not null) as bounced, sum(m.complained_at is not null) as complained,
      sum(m.shown_at is not null) as shown, sum(m.dismissed_at is not null) as dismissed, sum(m.scanned_at is not null) as scanned,
      sum(m.machine_opened_at is not null) as machineOpened`

/** Messages sent on each local day ([day, start, end) triples), per flow, step, variant and channel, with their outcomes. */
export function sentPerDay(db: Db, siteId: string, days: ReadonlyArray<readonly [number, number, number]>) {
  return db.all<MessageDayRow & MessageCountRow>(sql`
    with d(day, s, e) as (select json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') from json_each(${JSON.stringify(days)}))
    select d.day as day, m.flow_id as flowId, m.step as step, m.variant as variant, m.channel as channel,
      ${SENT_COLUMNS}, 0 as failed, 0 as suppressed
    from d join messages m on m.site_id = ${siteId} and m.sent_at >= d.s and m.sent_at < d.e and m.status = 'sent'
    group by d.day, m.flow_id, m.step, m.variant, m.channel`)
}

/** Messages created in [start, end) that ended failed or suppressed (never sent), per flow, step, variant and channel. */
export function unsentCounts(db: Db, siteId: string, start: number, end: number) {
  return db.all<MessageCountRow>(sql`
    select flow_id as flowId, step, variant, channel, 0 as sent, 0 as opened, 0 as clicked, 0 as unsubscribed, 0 as bounced,
      0 as complained, 0 as shown, 0 as dismissed, 0 as scanned, 0 as machineOpened, sum(status = 'failed') as failed, sum(status = 'suppressed') as suppressed
    from messages where site_id = ${siteId} and status in ('failed', 'suppressed') and created_at >= ${start} and created_at < ${end}
    group by flow_id, step, variant, channel`)
}

/** Statements replacing the roll-up of these local days ([day, start, end) triples) with the outbox's current numbers. */
export function messageDayStatements(siteId: string, days: ReadonlyArray<readonly [number, number, number]>): SQL[] {
  const first = days[0]![0]
  const last = days[days.length - 1]![0]
  return [
    sql`delete from message_days where site_id = ${siteId} and day between ${first} and ${last}`,
    sql`
      insert into message_days (site_id, day, flow_id, step, variant, channel, sent, opened, clicked, unsubscribed, bounced, complained, shown, dismissed, scanned, machine_opened)
      with d(day, s, e) as (select json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') from json_each(${JSON.stringify(days)}))
      select ${siteId}, d.day, coalesce(m.flow_id, ''), coalesce(m.step, ''), coalesce(m.variant, ''), m.channel, ${SENT_COLUMNS}
      from d join messages m on m.site_id = ${siteId} and m.sent_at >= d.s and m.sent_at < d.e and m.status = 'sent'
      group by d.day, m.flow_id, m.step, m.variant, m.channel`,
  ]
}

/** Rolled-up sends of the local days first..last, in the shape of sentPerDay. */
export function rolledSentPerDay(db: Db, siteId: string, first: number, last: number) {
  return db.all<MessageDayRow & MessageCountRow>(sql`
    select day, nullif(flow_id, '') as flowId, nullif(step, '') as step, nullif(variant, '') as variant, channel,
      sent, opened, clicked, unsubscribed, bounced, complained, shown, dismissed, scanned, machine_opened as machineOpened, 0 as failed, 0 as suppressed
    from message_days where site_id = ${siteId} and day between ${first} and ${last}`)
}

/** The send time of the site's first sent message, if any. */
export async function firstSentAt(db: Db, siteId: string): Promise<number | null> {
  const rows = await db.all<{ at: number | null }>(sql`select min(sent_at) as at from messages where site_id = ${siteId} and sent_at is not null`)
  return rows[0]?.at ?? null
}

// Message metric reads: indexed range reads of the outbox, grouped in SQL. Sends are read from one
// covering index (messages_metrics), never the rows with their rendered content; never-sent messages
// from a partial index (messages_unsent). No roll-up: a site's messages are few next to its events.
import { sql } from 'drizzle-orm'
import type { MessageCountRow, MessageDayRow } from '../domain/metrics/messages'
import type { Db } from './client'

/** Messages sent on each local day ([day, start, end) triples), per flow, step, variant and channel, with their outcomes. */
export function sentPerDay(db: Db, siteId: string, days: ReadonlyArray<readonly [number, number, number]>) {
  return db.all<MessageDayRow & MessageCountRow>(sql`
    with d(day, s, e) as (select json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') from json_each(${JSON.stringify(days)}))
    select d.day as day, m.flow_id as flowId, m.step as step, m.variant as variant, m.channel as channel,
      count(*) as sent, sum(m.opened_at is not null) as opened, sum(m.clicked_at is not null) as clicked,
      sum(m.unsubscribed_at is not null) as unsubscribed, sum(m.bounced_at is not null) as bounced, sum(m.complained_at is not null) as complained,
      sum(m.shown_at is not null) as shown, sum(m.dismissed_at is not null) as dismissed, 0 as failed, 0 as suppressed
    from d join messages m on m.site_id = ${siteId} and m.sent_at >= d.s and m.sent_at < d.e and m.status = 'sent'
    group by d.day, m.flow_id, m.step, m.variant, m.channel`)
}

/** Messages created in [start, end) that ended failed or suppressed (never sent), per flow, step, variant and channel. */
export function unsentCounts(db: Db, siteId: string, start: number, end: number) {
  return db.all<MessageCountRow>(sql`
    select flow_id as flowId, step, variant, channel, 0 as sent, 0 as opened, 0 as clicked, 0 as unsubscribed, 0 as bounced,
      0 as complained, 0 as shown, 0 as dismissed, sum(status = 'failed') as failed, sum(status = 'suppressed') as suppressed
    from messages where site_id = ${siteId} and status in ('failed', 'suppressed') and created_at >= ${start} and created_at < ${end}
    group by flow_id, step, variant, channel`)
}

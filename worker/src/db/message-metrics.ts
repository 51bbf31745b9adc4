// Message metric reads: indexed range reads of the outbox (messages_site_sent, messages_site_created),
// grouped in SQL. No roll-up: a site's messages are few next to its events (measured in the bench).
import { sql } from 'drizzle-orm'
import type { MessageCountRow, MessageDayRow } from '../domain/metrics/messages'
import type { Db } from './client'

/** Outcome counts of sent messages: each message once per outcome (the first report). */
const OUTCOME_SUMS = sql.raw(`count(*) as sent, sum(opened_at is not null) as opened, sum(clicked_at is not null) as clicked,
  sum(unsubscribed_at is not null) as unsubscribed, sum(bounced_at is not null) as bounced, sum(complained_at is not null) as complained,
  sum(shown_at is not null) as shown, sum(dismissed_at is not null) as dismissed, 0 as failed, 0 as suppressed`)

/** Per flow, step, variant and channel: messages sent in [start, end) and, created in it, failed or suppressed. */
export async function messageCounts(db: Db, siteId: string, start: number, end: number): Promise<MessageCountRow[]> {
  const [sent, unsent] = await Promise.all([
    db.all<MessageCountRow>(sql`select flow_id as flowId, step, variant, channel, ${OUTCOME_SUMS} from messages
      where site_id = ${siteId} and sent_at >= ${start} and sent_at < ${end} and status = 'sent'
      group by flow_id, step, variant, channel`),
    db.all<MessageCountRow>(sql`select flow_id as flowId, step, variant, channel, 0 as sent, 0 as opened, 0 as clicked, 0 as unsubscribed,
        0 as bounced, 0 as complained, 0 as shown, 0 as dismissed, sum(status = 'failed') as failed, sum(status = 'suppressed') as suppressed
      from messages where site_id = ${siteId} and created_at >= ${start} and created_at < ${end} and status in ('failed', 'suppressed')
      group by flow_id, step, variant, channel`),
  ])
  return [...sent, ...unsent]
}

/** Per local day (given as [day, start, end) triples) and channel: messages sent that day and their outcomes. */
export function messageCountsPerDay(db: Db, siteId: string, days: ReadonlyArray<readonly [number, number, number]>) {
  return db.all<MessageDayRow>(sql`
    with d(day, s, e) as (select json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') from json_each(${JSON.stringify(days)}))
    select d.day as day, m.channel as channel, ${OUTCOME_SUMS} from d
      join messages m on m.site_id = ${siteId} and m.sent_at >= d.s and m.sent_at < d.e and m.status = 'sent'
    group by d.day, m.channel`)
}

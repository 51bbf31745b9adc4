// Outbox queries: claim a message for delivery under the frequency cap (one atomic statement), record its
// fate, list it, suppressions, in-app messages for a visitor, dead letters.
import { and, desc, eq, gt, inArray, lte, or, sql } from 'drizzle-orm'
import { DAY_MS, WEEK_MS, type EffectivePolicy } from '../domain/flows/policy'
import { SCANNER_WINDOW_MS } from '../limits'
import type { Db } from './client'
import { deadLetters, messages, suppressions, visitors, type MessageRow } from './schema'

export const CAPPED_CHANNELS = ['email', 'in_app'] as const

export function findMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  return db.select().from(messages).where(eq(messages.id, id)).get()
}

/** Outcomes recorded on a message after its send; the earliest report's time is kept (a repeat changes nothing). */
export const OUTCOMES = { opened: 'opened_at', clicked: 'clicked_at', unsubscribed: 'unsubscribed_at', bounced: 'bounced_at', complained: 'complained_at' } as const
export type Outcome = keyof typeof OUTCOMES

/**
 * Keeps the earliest time of the outcome, whatever order its reports arrive in (a retried webhook, the pixel
 * after the provider). With `filterScanners` (the site's setting), a click within SCANNER_WINDOW_MS of a link
 * scanner's visit is the scanner's: not recorded.
 */
export function recordOutcome(db: Db, id: string, outcome: Outcome, at: number, filterScanners = false) {
  const column = sql.raw(OUTCOMES[outcome])
  const human = outcome === 'clicked' && filterScanners ? sql` and (scanned_at is null or abs(${at} - scanned_at) > ${SCANNER_WINDOW_MS})` : sql``
  return db.run(sql`update messages set ${column} = coalesce(min(${column}, ${at}), ${at}) where id = ${id}${human}`)
}

/**
 * A privacy proxy loaded the email's open pixel at `at` (see domain/email/machine-opens.ts): its first time is
 * kept apart from opens; `asOpen` (the site counts them) records it as an open too.
 */
export function recordMachineOpen(db: Db, id: string, at: number, asOpen: boolean) {
  const open = asOpen ? sql`, opened_at = coalesce(min(opened_at, ${at}), ${at})` : sql``
  return db.run(sql`update messages set machine_opened_at = coalesce(min(machine_opened_at, ${at}), ${at})${open} where id = ${id}`)
}

/**
 * A link scanner followed the email's hidden link at `at`: its visit is kept (the latest, so a second gateway
 * that scans a forwarded copy later has its own clicks set aside too), and a click recorded within
 * SCANNER_WINDOW_MS before it was the scanner's (it follows every link at once, in any order), so it goes.
 */
export function recordScan(db: Db, id: string, at: number) {
  return db.run(sql`update messages set scanned_at = coalesce(max(scanned_at, ${at}), ${at}),
    clicked_at = case when clicked_at >= ${at - SCANNER_WINDOW_MS} then null else clicked_at end where id = ${id}`)
}

/** Send times of the lead's capped messages (email + in-app) in the last week. */
export async function recentCappedSends(db: Db, leadId: string, now: number): Promise<number[]> {
  const rows = await db
    .select({ sentAt: messages.sentAt })
    .from(messages)
    .where(
      and(
        eq(messages.leadId, leadId),
        gt(messages.sentAt, now - WEEK_MS),
        inArray(messages.channel, [...CAPPED_CHANNELS]),
        inArray(messages.status, ['sent', 'sending']),
      ),
    )
    .all()
  return rows.map((r) => r.sentAt!)
}

/**
 * Claims a queued message: `sending` (or `sent` for in-app, whose delivery is being listed) in one
 * statement that re-counts the lead's capped sends, so two deliveries racing for the last slot of a cap
 * cannot both win (D1 runs one write statement at a time). Returns whether this call claimed it.
 */
export async function claimMessage(
  db: Db,
  message: Pick<MessageRow, 'id' | 'leadId' | 'channel'>,
  policy: EffectivePolicy | null,
  token: string,
  now: number,
): Promise<boolean> {
  const capped = policy !== null
  const under = capped
    ? sql`and (select count(*) from messages m where m.lead_id = ${message.leadId} and m.sent_at > ${now - DAY_MS}
          and m.channel in ('email', 'in_app') and m.status in ('sent', 'sending')) < ${policy.maxPerDay}
          and (select count(*) from messages m where m.lead_id = ${message.leadId} and m.sent_at > ${now - WEEK_MS}
          and m.channel in ('email', 'in_app') and m.status in ('sent', 'sending')) < ${policy.maxPerWeek}`
    : sql``
  const next = message.channel === 'in_app' ? 'sent' : 'sending'
  const result = await db.run(sql`update messages set status = ${next}, claimed_at = ${now}, claim_token = ${token},
      sent_at = ${now}, attempts = attempts + 1, reason = null
    where id = ${message.id} and status = 'queued' ${under}`)
  return (result.meta.changes ?? 0) > 0
}

/** Re-claims a message left `sending` by a consumer that stopped mid-send (idempotent providers only). */
export async function reclaimMessage(db: Db, id: string, staleBefore: number, token: string, now: number): Promise<boolean> {
  const result = await db.run(sql`update messages set claimed_at = ${now}, claim_token = ${token}, attempts = attempts + 1
    where id = ${id} and status = 'sending' and claimed_at < ${staleBefore}`)
  return (result.meta.changes ?? 0) > 0
}

export function failStaleSend(db: Db, id: string, reason: string) {
  return db.update(messages).set({ status: 'failed', reason }).where(and(eq(messages.id, id), eq(messages.status, 'sending'))).run()
}

export function finishMessage(db: Db, id: string, token: string, patch: Partial<Pick<MessageRow, 'status' | 'reason' | 'provider' | 'providerId' | 'dueAt' | 'sentAt' | 'claimedAt'>>) {
  return db
    .update(messages)
    .set(patch)
    .where(and(eq(messages.id, id), eq(messages.claimToken, token)))
    .run()
}

/** Moves a queued message: held (later due time) or given up (status with a reason). */
export function updateQueuedMessage(db: Db, id: string, patch: Partial<Pick<MessageRow, 'status' | 'reason' | 'dueAt'>>) {
  return db
    .update(messages)
    .set(patch)
    .where(and(eq(messages.id, id), eq(messages.status, 'queued')))
    .run()
}

export async function isSuppressed(db: Db, siteId: string, email: string): Promise<boolean> {
  const row = await db.select({ email: suppressions.email }).from(suppressions).where(and(eq(suppressions.siteId, siteId), eq(suppressions.email, email))).get()
  return !!row
}

export function suppress(db: Db, row: typeof suppressions.$inferInsert) {
  return db.insert(suppressions).values(row).onConflictDoNothing().run()
}

export function listSuppressions(db: Db, siteId: string) {
  return db.select().from(suppressions).where(eq(suppressions.siteId, siteId)).orderBy(desc(suppressions.at)).limit(1000).all()
}

export function removeSuppression(db: Db, siteId: string, email: string) {
  return db.delete(suppressions).where(and(eq(suppressions.siteId, siteId), eq(suppressions.email, email))).returning().all()
}

export type MessageFilter = { leadId?: string; channel?: MessageRow['channel']; status?: MessageRow['status']; flowId?: string }

export function listMessages(db: Db, siteId: string, filter: MessageFilter, limit: number) {
  return db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.siteId, siteId),
        filter.leadId ? eq(messages.leadId, filter.leadId) : undefined,
        filter.channel ? eq(messages.channel, filter.channel) : undefined,
        filter.status ? eq(messages.status, filter.status) : undefined,
        filter.flowId ? eq(messages.flowId, filter.flowId) : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt))
    .limit(limit)
    .all()
}

/** The visitor's in-app messages ready to show: delivered, not dismissed, not expired. Her own only. */
export function inAppMessagesForVisitor(db: Db, siteId: string, anonymousId: string, now: number) {
  return db
    .select({ id: messages.id, content: messages.content })
    .from(messages)
    .where(
      and(
        sql`${messages.leadId} = (select ${visitors.leadId} from ${visitors} where ${visitors.siteId} = ${siteId} and ${visitors.anonymousId} = ${anonymousId})`,
        eq(messages.siteId, siteId),
        eq(messages.channel, 'in_app'),
        eq(messages.status, 'sent'),
        sql`${messages.dismissedAt} is null and ${messages.clickedAt} is null`,
        gt(messages.expiresAt, now),
      ),
    )
    .orderBy(desc(messages.sentAt))
    .limit(3)
    .all()
}

/**
 * The visitor ids of a site that have an in-app message ready to show (at most `limit + 1`, so a caller can
 * tell "these and no others" from "too many to list"). Reads the partial index of live in-app messages.
 */
export async function visitorsWithInApp(db: Db, siteId: string, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ anonymousId: visitors.anonymousId })
    .from(messages)
    .innerJoin(visitors, and(eq(visitors.siteId, messages.siteId), eq(visitors.leadId, messages.leadId)))
    .where(
      and(
        eq(messages.siteId, siteId),
        // Literals, not bound parameters: SQLite uses the partial index only when it can see its condition.
        sql`${messages.channel} = 'in_app' and ${messages.status} = 'sent' and ${messages.dismissedAt} is null and ${messages.clickedAt} is null`,
        gt(messages.expiresAt, now),
      ),
    )
    .limit(limit + 1)
    .all()
  return rows.map((r) => r.anonymousId)
}

/** Messages that should be moving but are not: a lost delivery job, or a long hold now in range. */
export function stuckMessages(db: Db, overdueBefore: number, horizonFrom: number, horizonTo: number, limit: number) {
  return db
    .select({ id: messages.id, siteId: messages.siteId, dueAt: messages.dueAt, status: messages.status })
    .from(messages)
    .where(
      and(
        sql`${messages.status} in ('queued', 'sending')`,
        or(lte(messages.dueAt, overdueBefore), and(gt(messages.dueAt, horizonFrom), lte(messages.dueAt, horizonTo))),
      ),
    )
    .limit(limit)
    .all()
}

export function insertDeadLetters(db: Db, rows: Array<typeof deadLetters.$inferInsert>) {
  return db.batch(rows.map((row) => db.insert(deadLetters).values(row).onConflictDoNothing()) as never)
}

export function listDeadLetters(db: Db, siteId: string, limit: number) {
  return db
    .select()
    .from(deadLetters)
    .where(or(eq(deadLetters.siteId, siteId), sql`${deadLetters.siteId} is null`))
    .orderBy(desc(deadLetters.at))
    .limit(limit)
    .all()
}

// The metrics roll-up: folds leads that changed since the last run into lead facts, their events into
// visitor days and vitals samples, recounts the days it touched, and prunes raw events past retention.
// Runs take a per-site lease; the statements that add deltas to metric cells commit only while their run
// still holds it (a fencing check), so a run that outlived its lease can never add the same delta twice.
import { and, eq, sql, type SQL } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import { scoringConfigOf, type ScoringConfig } from '../domain/lifecycle'
import { coverageCounts } from '../domain/metrics/coverage'
import { dayClock, weekOf, DAY_MS, type DayClock } from '../domain/metrics/days'
import { cellDeltas, cellsOf, type Cell } from '../domain/metrics/cells'
import { factsFromRow, factsRow, leadFactsOf, MAX_STEPS, type StageChange } from '../domain/metrics/facts'
import { toSample, VITALS_EVENT } from '../domain/vitals'
import { jsonList } from '../db/binding'
import type { Db } from '../db/client'
import { failsUnless } from '../db/guards'
import { firstSentAt, messageDayStatements } from '../db/message-metrics'
import { listAds } from '../db/ads'
import { findSite } from '../db/sites'
import { listExperiences, toExperience } from '../db/experiences'
import { dailyCounts, leadChanges, leadFacts, messageDays, metricCells, leads, rollupState, visitorDays, vitalSamples, type RollupStateRow, type SiteRow } from '../db/schema'

/** Sent messages' days recomputed by each roll-up: an open, click or bounce later than this after the send is not counted. */
export const MESSAGE_OUTCOME_DAYS = 30
/** Leads seen this long before the last complete run are re-checked: events replayed late still count. */
export const LATE_MS = 7 * DAY_MS
/** Rows per bulk statement (one JSON parameter each, well under D1's 2 MB value limit). */
const BULK_ROWS = 500
const PRUNE_BATCH = 5_000
const PRUNE_ROUNDS = 200

export const siteTimeZone = (site: SiteRow) => site.settings.timeZone ?? 'UTC'

/** The site's roll-up state; roll-ups made in another time zone or preset are dropped and rebuilt. */
export async function loadRollupState(db: Db, site: SiteRow): Promise<RollupStateRow> {
  const timeZone = siteTimeZone(site)
  const preset = scoringConfigOf(site.scoring).preset
  const state = await db.select().from(rollupState).where(eq(rollupState.siteId, site.id)).get()
  if (state && state.timeZone === timeZone && state.preset === preset) return state
  const fresh = { siteId: site.id, timeZone, preset, changesSeq: 0, completeAt: 0, checkedAt: 0, prunedBefore: state?.prunedBefore ?? 0, leaseUntil: state?.leaseUntil ?? 0, messagesThrough: null }
  await db.batch([
    db.delete(leadFacts).where(eq(leadFacts.siteId, site.id)),
    db.delete(visitorDays).where(eq(visitorDays.siteId, site.id)),
    db.delete(dailyCounts).where(eq(dailyCounts.siteId, site.id)),
    db.delete(vitalSamples).where(eq(vitalSamples.siteId, site.id)),
    db.delete(metricCells).where(eq(metricCells.siteId, site.id)),
    db.delete(messageDays).where(eq(messageDays.siteId, site.id)),
    db.insert(rollupState).values(fresh).onConflictDoUpdate({ target: rollupState.siteId, set: fresh }),
  ])
  return fresh
}

export type RollupResult = { done: boolean; busy?: boolean; leads: number; visitorDays: number; vitals: number; days: number }

/** A crashed run's lease lapses after this long. */
const LEASE_MS = 30_000

/**
 * A run's hold on a site's roll-up: `until` is both its expiry and its token (a claim succeeds only on a
 * lapsed lease, so no two claims write the same value). Renewed before each write of deltas.
 */
export type Lease = { siteId: string; until: number }

const LEASE_LOST = 'roll-up lease lost'

/** Takes the site's roll-up lease, or null when another run holds it. */
async function claimLease(db: Db, siteId: string, now: number): Promise<Lease | null> {
  const until = now + LEASE_MS
  const result = await db.run(sql`update rollup_state set lease_until = ${until} where site_id = ${siteId} and lease_until < ${now}`)
  return (result.meta.changes ?? 0) === 1 ? { siteId, until } : null
}

/** Extends the lease (a long pass keeps it), or throws when another run took it meanwhile. */
async function renewLease(db: Db, lease: Lease): Promise<void> {
  const until = Math.max(Date.now() + LEASE_MS, lease.until + 1)
  const result = await db.run(sql`update rollup_state set lease_until = ${until} where site_id = ${lease.siteId} and lease_until = ${lease.until}`)
  if ((result.meta.changes ?? 0) !== 1) throw new Error(LEASE_LOST)
  lease.until = until
}

/** First statement of a batch that adds deltas: fails it (json() of invalid text) unless the lease is still this run's. */
const leaseHeld = (lease: Lease) => sql`select ${failsUnless(sql`(select lease_until from rollup_state where site_id = ${lease.siteId}) = ${lease.until}`, LEASE_LOST)}`

/** The lease was taken: its renewal was refused, or the guard above failed its batch ("malformed JSON"). */
const isLeaseLost = (error: unknown) => /roll-up lease lost|malformed JSON/i.test(String((error as Error)?.message ?? error))

const releaseLease = (db: Db, lease: Lease) => db.run(sql`update rollup_state set lease_until = 0 where site_id = ${lease.siteId} and lease_until = ${lease.until}`)

/**
 * One roll-up pass over at most `budget` changed leads. `done` once nothing is left: then the orphaned
 * facts of merged-away leads are dropped, coverage is recorded for today and the run's start becomes the
 * new mark. `everyLead` re-checks all leads (the daily run), not only those seen since the last mark.
 */
export async function rollUpSite(db: Db, site: SiteRow, now: number, options: RollupOptions): Promise<RollupResult> {
  await db
    .insert(rollupState)
    .values({ siteId: site.id, timeZone: siteTimeZone(site), preset: scoringConfigOf(site.scoring).preset })
    .onConflictDoNothing()
  // The lease comes first: a rebuild after a time-zone or preset change happens inside it too.
  const busy = { done: false, busy: true, leads: 0, visitorDays: 0, vitals: 0, days: 0 }
  const lease = await claimLease(db, site.id, Date.now())
  if (!lease) return busy
  try {
    return await rollUpLeased(db, site, now, options, lease)
  } catch (error) {
    // Another run took over after this one's lease lapsed: nothing this run added was committed; it goes on.
    if (isLeaseLost(error)) return busy
    throw error
  } finally {
    await releaseLease(db, lease)
  }
}

type RollupOptions = { budget: number; everyLead?: boolean; since?: number }

async function rollUpLeased(db: Db, site: SiteRow, now: number, options: RollupOptions, lease: Lease): Promise<RollupResult> {
  const state = await loadRollupState(db, site)
  const clock = dayClock(state.timeZone)
  const preset = state.preset as ScoringConfig['preset']
  const since = options.everyLead ? Number.MIN_SAFE_INTEGER : (options.since ?? state.completeAt - LATE_MS)

  const changed = await db
    .select({ seq: leadChanges.seq, leadId: leadChanges.leadId })
    .from(leadChanges)
    .where(and(sql`${leadChanges.seq} > ${state.changesSeq}`, eq(leadChanges.siteId, site.id)))
    .orderBy(leadChanges.seq)
    .limit(options.budget)
  const differing = await db.all<{ id: string }>(sql`
    select l.id from leads l left join lead_facts f on f.site_id = l.site_id and f.lead_id = l.id
    where l.site_id = ${site.id} and l.last_seen >= ${since}
      and (f.lead_id is null or f.event_count != l.event_count or f.stage != l.stage or f.revenue != l.revenue
           or f.segment is not json_extract(l.rfm, '$.segment'))
    limit ${options.budget}`)
  const leadIds = [...new Set([...changed.map((c) => c.leadId), ...differing.map((d) => d.id)])]
  const changesSeq = changed.length > 0 ? changed[changed.length - 1]!.seq : state.changesSeq

  const written = leadIds.length > 0 ? await rollUpLeads(db, site.id, leadIds, preset, clock, lease) : { visitorDays: 0, vitals: 0, days: [] as number[] }
  const days = await recountDays(db, site.id, written.days)
  const done = changed.length < options.budget && differing.length < options.budget
  // A read's quick check skips the scan for merged-away leads; the next cron or explicit run drops them.
  if (done && options.since === undefined) {
    await dropMergedAway(db, site.id, preset, clock, lease)
    await recordCoverage(db, site.id, clock.dayOf(now))
  }
  if (done && options.since === undefined) await rollUpMessages(db, site.id, state.messagesThrough, clock, now)
  await db
    .update(rollupState)
    // Only a run over every lead seen since the last mark moves the mark (a read's quick check does not).
    .set({ changesSeq, checkedAt: now, ...(done && options.since === undefined ? { completeAt: now } : {}) })
    .where(eq(rollupState.siteId, site.id))
  return { done, leads: leadIds.length, visitorDays: written.visitorDays, vitals: written.vitals, days }
}

/**
 * Rolls the sent messages of closed days (up to yesterday) into message_days. The first run takes every
 * day since the site's first send; later runs recompute the last MESSAGE_OUTCOME_DAYS days, where opens,
 * clicks, bounces and dismissals still arrive. Reads take days after `messagesThrough` from the outbox.
 */
export async function rollUpMessages(db: Db, siteId: string, through: number | null, clock: DayClock, now: number): Promise<void> {
  const yesterday = clock.dayOf(now) - 1
  let first = yesterday - MESSAGE_OUTCOME_DAYS + 1
  if (through === null) {
    const firstSend = await firstSentAt(db, siteId)
    first = firstSend === null ? yesterday + 1 : Math.min(first, clock.dayOf(firstSend))
  }
  const days = Array.from({ length: Math.max(0, yesterday - first + 1) }, (_, i) => first + i).map((day) => [day, clock.startOf(day), clock.startOf(day + 1)] as const)
  const statements = days.length > 0 ? messageDayStatements(siteId, days) : []
  await runAll(db, [...statements, sql`update rollup_state set messages_through = ${yesterday} where site_id = ${siteId}`])
}

/** Rolls up until done or out of passes (a cron run continues where the last one stopped). */
export async function rollUpSiteFully(db: Db, site: SiteRow, now: number, options: { budget: number; everyLead?: boolean; maxPasses: number }) {
  let passes = 0
  for (;;) {
    const result = await rollUpSite(db, site, now, options)
    passes += 1
    if (result.done || passes >= options.maxPasses) return { ...result, passes }
  }
}

async function rollUpLeads(db: Db, siteId: string, leadIds: string[], preset: ScoringConfig['preset'], clock: DayClock, lease: Lease) {
  await renewLease(db, lease)
  const ids = jsonList(leadIds)
  const visitorsOf = sql`(select anonymous_id from visitors where site_id = ${siteId} and lead_id in ${ids})`
  const leadRows = await db.select().from(leads).where(and(eq(leads.siteId, siteId), sql`${leads.id} in ${ids}`))
  const oldRows = await db.select().from(leadFacts).where(and(eq(leadFacts.siteId, siteId), sql`${leadFacts.leadId} in ${ids}`))
  const [changeRows, quarterRows, vitalRows] = (await rawBatch(db, [
    sql`select lead_id as leadId, "to", at from lead_changes where lead_id in ${ids} order by seq`,
    // Distinct quarter hours per browser: every time zone's midnight falls on a quarter hour.
    sql`select anonymous_id, ts / 900000 as quarter from events where site_id = ${siteId} and anonymous_id in ${visitorsOf} group by anonymous_id, quarter`,
    sql`select event_id, ts, data from events where site_id = ${siteId} and anonymous_id in ${visitorsOf} and type = 'track' and name = ${VITALS_EVENT}`,
  ])) as [
    Array<{ leadId: string; to: string; at: number }>,
    Array<{ anonymous_id: string; quarter: number }>,
    Array<{ event_id: string; ts: number; data: string | null }>,
  ]
  const changesOf = new Map<string, StageChange[]>()
  for (const row of changeRows) changesOf.set(row.leadId, [...(changesOf.get(row.leadId) ?? []), { to: row.to, at: row.at }])
  const before = new Map(oldRows.map((row) => [row.leadId, cellsOf(factsFromRow(row), preset, clock)]))
  const changes: Array<{ before: Cell[]; after: Cell[] }> = []
  const facts = leadRows.map((lead): Record<string, unknown> => {
    const leadFacts = leadFactsOf(lead, changesOf.get(lead.id) ?? [], preset)
    const cells = cellsOf(leadFacts, preset, clock)
    changes.push({ before: before.get(lead.id) ?? [], after: cells })
    return factsRow(siteId, leadFacts, clock)
  })

  const dayOfQuarter = new Map<number, number>()
  const visitorDayKeys = new Set<string>()
  const presence: Array<[number, string]> = []
  for (const row of quarterRows) {
    let day = dayOfQuarter.get(row.quarter)
    if (day === undefined) dayOfQuarter.set(row.quarter, (day = clock.dayOf(row.quarter * 900_000)))
    const key = `${day}\u0000${row.anonymous_id}`
    if (!visitorDayKeys.has(key)) visitorDayKeys.add(key), presence.push([day, row.anonymous_id])
  }
  const samples = vitalRows.flatMap((row) => {
    const sample = toSample(row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null)
    return sample ? [[clock.dayOf(row.ts), row.event_id, sample.page, sample.experiences, sample.metric, sample.value] as const] : []
  })

  const statements = [
    leaseHeld(lease),
    ...addCells(siteId, cellDeltas(changes)),
    ...bulk(facts.map((f) => FACT_COLUMNS.map((c) => f[c.key] ?? null)), (rows) => upsertFactsSql(siteId, rows)),
    ...bulk(presence, (rows) => sql`insert or ignore into visitor_days (site_id, day, anonymous_id)
      select ${siteId}, value ->> 0, value ->> 1 from json_each(${JSON.stringify(rows)})`),
    ...bulk(samples, (rows) => sql`insert or ignore into vital_samples (site_id, day, event_id, page, experiences, metric, value)
      select ${siteId}, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 from json_each(${JSON.stringify(rows)})`),
  ]
  await runAll(db, statements)
  return { visitorDays: presence.length, vitals: samples.length, days: [...new Set(presence.map(([day]) => day))] }
}

const FACT_COLUMNS: Array<{ key: string; column: string }> = [
  ...['eventCount', 'stage', 'segment', 'revenue', 'firstSource', 'firstMedium', 'firstCampaign', 'firstReferrer', 'firstTouchAt', 'lastSource', 'lastMedium', 'lastCampaign', 'lastReferrer', 'churnedAt', 'churnedDay', 'leadId'].map(
    (key) => ({ key, column: key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) }),
  ),
  ...Array.from({ length: MAX_STEPS }, (_, p) => [
    { key: `at${p}`, column: `at${p}` },
    { key: `day${p}`, column: `day${p}` },
  ]).flat(),
]

function upsertFactsSql(siteId: string, rows: unknown[][]) {
  const columns = FACT_COLUMNS.map((c) => c.column)
  const picks = sql.raw(columns.map((_, i) => `value ->> ${i}`).join(', '))
  const updates = sql.raw(columns.filter((c) => c !== 'lead_id').map((c) => `${c} = excluded.${c}`).join(', '))
  return sql`insert into lead_facts (site_id, ${sql.raw(columns.join(', '))})
    select ${siteId}, ${picks} from json_each(${JSON.stringify(rows)}) where true
    on conflict (site_id, lead_id) do update set ${updates}`
}

const bulk = <T>(rows: readonly T[], statement: (part: T[]) => SQL) =>
  Array.from({ length: Math.ceil(rows.length / BULK_ROWS) }, (_, i) => statement(rows.slice(i * BULK_ROWS, (i + 1) * BULK_ROWS)))

const dialect = new SQLiteAsyncDialect()

/** Raw statements in one D1 batch (one transaction); the rows each returned. */
async function rawBatch(db: Db, statements: readonly SQL[]): Promise<unknown[][]> {
  if (statements.length === 0) return []
  const prepared = statements.map((statement) => {
    const query = dialect.sqlToQuery(statement)
    return db.$client.prepare(query.sql).bind(...query.params)
  })
  return (await db.$client.batch(prepared)).map((result) => result.results ?? [])
}

const runAll = async (db: Db, statements: readonly SQL[]) => void (await rawBatch(db, statements))

const addCells = (siteId: string, deltas: readonly Cell[]) =>
  bulk(deltas, (rows) => sql`insert into metric_cells (site_id, metric, day, dim, value)
    select ${siteId}, value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(${JSON.stringify(rows)}) where true
    on conflict (site_id, metric, day, dim) do update set value = value + excluded.value`)

/** Facts of leads merged into another (their rows are gone): their cells are subtracted, their facts dropped. */
async function dropMergedAway(db: Db, siteId: string, preset: ScoringConfig['preset'], clock: DayClock, lease: Lease) {
  await renewLease(db, lease)
  const orphans = await db
    .select()
    .from(leadFacts)
    .where(and(eq(leadFacts.siteId, siteId), sql`${leadFacts.leadId} not in (select id from leads where site_id = ${siteId})`))
  if (orphans.length === 0) return
  const deltas = cellDeltas(orphans.map((row) => ({ before: cellsOf(factsFromRow(row), preset, clock), after: [] })))
  await runAll(db, [
    leaseHeld(lease),
    ...addCells(siteId, deltas),
    sql`delete from lead_facts where site_id = ${siteId} and lead_id in ${jsonList(orphans.map((row) => row.leadId))}`,
  ])
}

/** Unique visitors of the days and weeks touched, recounted from visitor days. */
async function recountDays(db: Db, siteId: string, days: readonly number[]): Promise<number> {
  if (days.length === 0) return 0
  const weeks = [...new Set(days.map(weekOf))]
  await runAll(db, [
    sql`insert or replace into daily_counts (site_id, day, metric, value)
      select ${siteId}, d.value, 'visitors', (select count(*) from visitor_days where site_id = ${siteId} and day = d.value)
      from json_each(${JSON.stringify(days)}) d`,
    sql`insert or replace into daily_counts (site_id, day, metric, value)
      select ${siteId}, w.value, 'visitors_week',
        (select count(distinct anonymous_id) from visitor_days where site_id = ${siteId} and day between w.value and w.value + 6)
      from json_each(${JSON.stringify(weeks)}) w`,
  ])
  return days.length
}

/** Today's message-match coverage, so coverage can be read over time. */
async function recordCoverage(db: Db, siteId: string, day: number) {
  const [ads, experiences] = await Promise.all([listAds(db, siteId), listExperiences(db, siteId)])
  const counts = coverageCounts(ads, experiences.map(toExperience))
  const rows = Object.entries(counts).map(([metric, value]) => ({ siteId, day, metric: `coverage_${metric}`, value }))
  await db
    .insert(dailyCounts)
    .values(rows)
    .onConflictDoUpdate({ target: [dailyCounts.siteId, dailyCounts.day, dailyCounts.metric], set: { value: sql`excluded.value` } })
}

/**
 * Deletes raw events older than the site's retention, only those received before the last complete
 * roll-up (so their visitor days and vitals are already rolled up). Lead rows, stage history and roll-ups stay.
 */
export async function pruneEvents(db: Db, site: SiteRow, now: number): Promise<number> {
  const days = site.settings.retentionDays
  if (!days) return 0
  const state = await db.select().from(rollupState).where(eq(rollupState.siteId, site.id)).get()
  if (!state || state.completeAt === 0) return 0
  const cutoff = now - days * DAY_MS
  let pruned = 0
  for (let round = 0; round < PRUNE_ROUNDS; round++) {
    const result = await db.run(sql`delete from events where site_id = ${site.id} and event_id in (
      select event_id from events where site_id = ${site.id} and ts < ${cutoff} and received_at < ${state.completeAt} limit ${PRUNE_BATCH})`)
    const changes = result.meta.changes ?? 0
    pruned += changes
    if (changes < PRUNE_BATCH) break
  }
  await db.update(rollupState).set({ prunedBefore: cutoff }).where(eq(rollupState.siteId, site.id))
  return pruned
}

/** A metrics read checks for new data at most this often; the cron does the bulk of the work. */
const FRESH_MS = 2_000
/** Leads a read may roll up before answering: a backlog is left to the cron and later reads. */
const READ_BUDGET = 200
/** Overlap of a read's check with the previous one (events in flight, clock skew between isolates). */
const RECHECK_MS = 10 * 60_000

/** The roll-up state after bringing it up to date when it was last checked more than a few seconds ago. */
export async function refreshRollups(db: Db, site: SiteRow, now: number): Promise<RollupStateRow> {
  const state = await db.select().from(rollupState).where(eq(rollupState.siteId, site.id)).get()
  const current = state && state.timeZone === siteTimeZone(site) && state.preset === scoringConfigOf(site.scoring).preset
  if (!state || !current) {
    await rollUpSite(db, site, now, { budget: READ_BUDGET })
    return (await db.select().from(rollupState).where(eq(rollupState.siteId, site.id)).get())!
  }
  if (now - state.checkedAt < FRESH_MS) return state
  // Leads seen since shortly before the last check; the cron catches late-replayed events (7 days back, then all).
  await rollUpSite(db, site, now, { budget: READ_BUDGET, since: state.completeAt === 0 ? undefined : state.checkedAt - RECHECK_MS })
  return (await db.select().from(rollupState).where(eq(rollupState.siteId, site.id)).get())!
}

/** Passes per site per cron run (each a budget of leads); a larger backlog continues next run. */
const CRON_BUDGET = 1_000
const CRON_PASSES = 50

/** A roll-up job: the hourly one re-checks leads seen recently, the daily one every lead, then prunes. */
export async function rollUpSiteJob(db: Db, siteId: string, now: number, daily: boolean): Promise<void> {
  const site = await findSite(db, siteId)
  if (!site) return
  const result = await rollUpSiteFully(db, site, now, { budget: CRON_BUDGET, maxPasses: CRON_PASSES, everyLead: daily })
  if (daily && result.done) await pruneEvents(db, site, now)
}

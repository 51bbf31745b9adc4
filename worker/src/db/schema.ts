// The database schema. drizzle-kit turns this file into SQL under migrations/ (the single source of truth
// for D1); every index here costs one extra written row per insert, so events carry only two.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { Touch } from '../domain/attribution'
import type { Rfm, ScoringConfig } from '../domain/lifecycle'
import type { Audience, Variant } from '../domain/experiences'
import type { RuleMatch } from '../domain/rules'
import type { SiteSettings } from '../domain/sites'
import type { FlowDefinition } from '../domain/flows/schema'
import type { MessageContent } from '../domain/flows/messages'

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`

export const sites = sqliteTable('sites', {
  id: text('id').primaryKey(),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  /** Browser origins allowed to send events and read personalization (CORS allowlist). */
  origins: text('origins', { mode: 'json' }).$type<string[]>().notNull(),
  /** Origin fetched by edge mode. */
  origin: text('origin'),
  /** Hostnames routed through the Worker in edge mode. */
  hostnames: text('hostnames', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  settings: text('settings', { mode: 'json' }).$type<SiteSettings>().notNull().default(sql`'{}'`),
  /** Thresholds, stage preset and lifecycle event names; defaults fill what is not stored. */
  scoring: text('scoring', { mode: 'json' }).$type<Partial<ScoringConfig>>().notNull().default(sql`'{}'`),
  /** Bumped on every rule change: a background re-score of an older version stops. */
  rulesVersion: integer('rules_version').notNull().default(0),
  /** Events answered 202 but not stored, since the site was created: crawlers and automated browsers. */
  ignoredBots: integer('ignored_bots').notNull().default(0),
  ignoredAutomated: integer('ignored_automated').notNull().default(0),
  /** HMAC key the site's server signs identities with (identity verification); admin API only. */
  identitySecret: text('identity_secret'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
})

/** One person, known or anonymous: every anonymous id that ever identified as her points here. */
export const leads = sqliteTable(
  'leads',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    userId: text('user_id'),
    email: text('email'),
    traits: text('traits', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
    sessions: integer('sessions').notNull().default(1),
    eventCount: integer('event_count').notNull().default(0),
    firstTouch: text('first_touch', { mode: 'json' }).$type<Touch>(),
    lastTouch: text('last_touch', { mode: 'json' }).$type<Touch>(),
    /** Lifecycle stage and score: computed by scoring; visitor until then. */
    stage: text('stage').notNull().default('visitor'),
    score: integer('score').notNull().default(0),
    fitScore: integer('fit_score').notNull().default(0),
    engagementScore: integer('engagement_score').notNull().default(0),
    stageChangedAt: integer('stage_changed_at'),
    /** Set by a flow's update step: scoring never computes a stage below it (a stage outside the preset holds). */
    stageFloor: text('stage_floor'),
    purchases: integer('purchases').notNull().default(0),
    revenue: real('revenue').notNull().default(0),
    lastPurchaseAt: integer('last_purchase_at'),
    salesEventAt: integer('sales_event_at'),
    referralEventAt: integer('referral_event_at'),
    rfm: text('rfm', { mode: 'json' }).$type<Rfm>(),
    /** Her IANA time zone, from the SDK's latest event (`context.timezone`): quiet hours and waits use it. */
    timeZone: text('time_zone'),
    /** Identified by a signed identify: unverified claims never merge into her or overwrite her identity. */
    verified: integer('verified', { mode: 'boolean' }).notNull().default(false),
    /** Bumped by every write of the row or its ledger: an ingest commits only if what it read is unchanged. */
    version: integer('version').notNull().default(0),
    createdAt: integer('created_at').notNull().default(now),
  },
  // Partial: anonymous leads (no email, no user id) write no index entries.
  (t) => [
    uniqueIndex('leads_site_email').on(t.siteId, t.email).where(sql`email is not null`),
    uniqueIndex('leads_site_user').on(t.siteId, t.userId).where(sql`user_id is not null`),
    index('leads_site_seen').on(t.siteId, t.lastSeen),
  ],
)

/**
 * anonymous id → lead. Merging two leads re-points these rows; events keep their anonymous id.
 * WITHOUT ROWID (migration 0001, which drizzle-kit cannot express): the key is the row, one write less.
 */
export const visitors = sqliteTable(
  'visitors',
  {
    siteId: text('site_id').notNull(),
    anonymousId: text('anonymous_id').notNull(),
    leadId: text('lead_id').notNull(),
    firstSeen: integer('first_seen').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.anonymousId] }), index('visitors_lead').on(t.leadId)],
)

/**
 * Raw accepted events, unique per site by the client's event id (the dedupe key, and the primary key).
 * WITHOUT ROWID (migration 0001): an insert writes the row and one index entry, 2 D1 rows instead of 3.
 * A drizzle-kit migration that rebuilds this table must keep WITHOUT ROWID.
 */
export const events = sqliteTable(
  'events',
  {
    siteId: text('site_id').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type', { enum: ['page', 'track', 'identify'] }).notNull(),
    /** track: the event name; page: the URL path; identify: null. */
    name: text('name'),
    anonymousId: text('anonymous_id').notNull(),
    userId: text('user_id'),
    /** Client timestamp corrected for clock skew, ms since epoch. */
    ts: integer('ts').notNull(),
    receivedAt: integer('received_at').notNull(),
    url: text('url'),
    /** properties (track/page) or traits (identify). */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    context: text('context', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.eventId] }), index('events_site_visitor_ts').on(t.siteId, t.anonymousId, t.ts)],
)

/** A marketer's score rule. */
export const scoreRules = sqliteTable(
  'score_rules',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    points: integer('points').notNull(),
    limit: integer('limit'),
    expiresDays: integer('expires_days'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    match: text('match', { mode: 'json' }).$type<RuleMatch>().notNull(),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('score_rules_site').on(t.siteId)],
)

/**
 * The explanation ledger: which rule gave a lead which points, for which event, when. Engagement entries
 * are keyed by event id, fit entries by 'fit'. WITHOUT ROWID (see migrations): one written row per entry.
 */
export const scoreEntries = sqliteTable(
  'score_entries',
  {
    siteId: text('site_id').notNull(),
    leadId: text('lead_id').notNull(),
    ruleId: text('rule_id').notNull(),
    key: text('key').notNull(),
    kind: text('kind', { enum: ['fit', 'engagement'] }).notNull(),
    points: integer('points').notNull(),
    at: integer('at').notNull(),
    eventId: text('event_id'),
    expiresAt: integer('expires_at'),
    /** Set by the cron trigger once the entry's points have lapsed and the lead was re-totalled. */
    lapsed: integer('lapsed', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.leadId, t.ruleId, t.key] }),
    index('score_entries_expiring').on(t.expiresAt).where(sql`expires_at is not null and lapsed = 0`),
  ],
)

/** Stage changes: the lead's history and the internal events flows trigger on. */
export const leadChanges = sqliteTable(
  'lead_changes',
  {
    seq: integer('seq').primaryKey(),
    siteId: text('site_id').notNull(),
    leadId: text('lead_id').notNull(),
    kind: text('kind', { enum: ['stage'] }).notNull(),
    from: text('from'),
    to: text('to').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('lead_changes_lead').on(t.leadId)],
)

/** A personalization experience: an audience, weighted variants of slot content, a held-out control. */
export const experiences = sqliteTable(
  'experiences',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'paused'] }).notNull().default('active'),
    priority: integer('priority').notNull().default(0),
    /** Track event name that counts as the experience's conversion. */
    goal: text('goal'),
    match: text('match', { mode: 'json' }).$type<Audience>().notNull(),
    variants: text('variants', { mode: 'json' }).$type<Variant[]>().notNull(),
    /** Percentage of matching visitors held out with the page's default content. */
    control: integer('control').notNull().default(0),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('experiences_site').on(t.siteId)],
)

/**
 * First exposure of a visitor to an experience, and her conversion on its goal. WITHOUT ROWID (see
 * migrations): keyed by (site, experience, visitor), one written row per exposure and per conversion.
 */
export const exposures = sqliteTable(
  'exposures',
  {
    siteId: text('site_id').notNull(),
    experienceId: text('experience_id').notNull(),
    anonymousId: text('anonymous_id').notNull(),
    /** A variant id, or 'control' for the held-out group. */
    variantId: text('variant_id').notNull(),
    /** How the decision was delivered: client (SDK), edge (HTMLRewriter) or api (variants). */
    mode: text('mode', { enum: ['client', 'edge', 'api'] }).notNull(),
    firstAt: integer('first_at').notNull(),
    convertedAt: integer('converted_at'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.experienceId, t.anonymousId] })],
)

/** Registered ads (campaign / ad group / ad) for message-match coverage. */
export const ads = sqliteTable(
  'ads',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    campaign: text('campaign').notNull(),
    adGroup: text('ad_group').notNull(),
    name: text('name').notNull(),
    headline: text('headline').notNull(),
    keywords: text('keywords', { mode: 'json' }).$type<string[]>().notNull(),
    finalUrl: text('final_url').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('ads_site_name').on(t.siteId, t.campaign, t.adGroup, t.name)],
)

/** A marketer's automation: trigger, filters, goal, re-entry, policy and steps (validated JSON). */
export const flows = sqliteTable(
  'flows',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
    definition: text('definition', { mode: 'json' }).$type<FlowDefinition>().notNull(),
    templateId: text('template_id'),
    /** Bumped on every edit: enrollments keep running on the steps as they are now. */
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('flows_site').on(t.siteId)],
)

/**
 * One lead's run through a flow. The key (flow, lead, number) is the exactly-once enrollment key: two
 * racing ingests insert the same key and one of them wins. WITHOUT ROWID (migration 0005).
 */
export const flowEnrollments = sqliteTable(
  'flow_enrollments',
  {
    flowId: text('flow_id').notNull(),
    leadId: text('lead_id').notNull(),
    number: integer('number').notNull(),
    siteId: text('site_id').notNull(),
    status: text('status', { enum: ['active', 'completed', 'exited', 'cancelled'] }).notNull().default('active'),
    /** Path of the next step to run ("2", "3.then.0"); null once finished. */
    cursor: text('cursor'),
    /** When the step at `cursor` is due (waits store their release time here; the cron picks up late ones). */
    nextAt: integer('next_at'),
    timeZone: text('time_zone').notNull().default('UTC'),
    enrolledAt: integer('enrolled_at').notNull(),
    endedAt: integer('ended_at'),
    exitReason: text('exit_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.flowId, t.leadId, t.number] }),
    // The only secondary index: the sweep's due runs. Lead lookups go through the key (flow, lead).
    index('flow_enrollments_due').on(t.nextAt).where(sql`status = 'active'`),
  ],
)

/**
 * The exactly-once key of every executed step: (enrollment, step). A step's effect is written in the same
 * D1 transaction as this row and only by the run whose `token` won the insert. WITHOUT ROWID (0005).
 */
export const flowEffects = sqliteTable(
  'flow_effects',
  {
    flowId: text('flow_id').notNull(),
    leadId: text('lead_id').notNull(),
    number: integer('number').notNull(),
    step: text('step').notNull(),
    kind: text('kind').notNull(),
    token: text('token').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.leadId, t.number, t.step] })],
)

/** The outbox: every delivery on any channel, with its rendered content and its fate. */
export const messages = sqliteTable(
  'messages',
  {
    /** A hash of (enrollment, step): a redelivered step job cannot create a second message. */
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull(),
    leadId: text('lead_id').notNull(),
    flowId: text('flow_id'),
    enrollment: integer('enrollment'),
    step: text('step'),
    channel: text('channel', { enum: ['email', 'in_app', 'webhook'] }).notNull(),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed', 'suppressed', 'cancelled'] }).notNull().default('queued'),
    to: text('to'),
    subject: text('subject'),
    content: text('content', { mode: 'json' }).$type<MessageContent>().notNull(),
    /** A/B variant of the step (subject line test), if any. */
    variant: text('variant'),
    reason: text('reason'),
    provider: text('provider'),
    providerId: text('provider_id'),
    attempts: integer('attempts').notNull().default(0),
    /** Not before this time (held by quiet hours or a frequency cap). */
    dueAt: integer('due_at').notNull(),
    /** A held message past this time is cancelled instead of sent late. */
    expiresAt: integer('expires_at').notNull(),
    claimedAt: integer('claimed_at'),
    claimToken: text('claim_token'),
    sentAt: integer('sent_at'),
    shownAt: integer('shown_at'),
    clickedAt: integer('clicked_at'),
    dismissedAt: integer('dismissed_at'),
    openedAt: integer('opened_at'),
    /** Outcomes reported after the send: one-click unsubscribe through this message, provider bounce / complaint. */
    unsubscribedAt: integer('unsubscribed_at'),
    bouncedAt: integer('bounced_at'),
    complainedAt: integer('complained_at'),
    /** When a link scanner (a mail-security gateway) last followed the email's hidden link: clicks around then are the scanner's. */
    scannedAt: integer('scanned_at'),
    /**
     * First open by a mail client's privacy proxy that loads every image at delivery (Apple Mail Privacy
     * Protection), whether or not anyone reads the email: kept apart from opened_at unless the site counts them.
     */
    machineOpenedAt: integer('machine_opened_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('messages_site_created').on(t.siteId, t.createdAt),
    index('messages_lead').on(t.leadId, t.sentAt),
    index('messages_queued').on(t.dueAt).where(sql`status in ('queued', 'sending')`),
    index('messages_provider').on(t.providerId).where(sql`provider_id is not null`),
    // In-app messages a visitor may still see: /v1/personalize and edge mode list them per site.
    index('messages_live_in_app').on(t.siteId, t.leadId).where(sql`channel = 'in_app' and status = 'sent' and dismissed_at is null and clicked_at is null`),
    // Message metrics read the sends of a date range from the index alone (no roll-up: messages are few next to events).
    index('messages_metrics')
      .on(t.siteId, t.sentAt, t.status, t.channel, t.flowId, t.step, t.variant, t.openedAt, t.clickedAt, t.unsubscribedAt, t.bouncedAt, t.complainedAt, t.shownAt, t.dismissedAt, t.scannedAt, t.machineOpenedAt)
      .where(sql`sent_at is not null`),
    index('messages_unsent').on(t.siteId, t.createdAt).where(sql`status in ('failed', 'suppressed')`),
  ],
)

/** Addresses that get no marketing email: unsubscribes, hard bounces, complaints. WITHOUT ROWID (0005). */
export const suppressions = sqliteTable(
  'suppressions',
  {
    siteId: text('site_id').notNull(),
    email: text('email').notNull(),
    reason: text('reason', { enum: ['unsubscribe', 'bounce', 'complaint', 'manual'] }).notNull(),
    messageId: text('message_id'),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.email] })],
)

/** Jobs that exhausted their retries (from the dead-letter queue), kept for the operator. */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id'),
    kind: text('kind').notNull(),
    body: text('body', { mode: 'json' }).$type<unknown>().notNull(),
    attempts: integer('attempts').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('dead_letters_at').on(t.at)],
)

export type SiteRow = typeof sites.$inferSelect
export type LeadRow = typeof leads.$inferSelect
export type EventRow = typeof events.$inferSelect
export type ScoreRuleRow = typeof scoreRules.$inferSelect
export type ScoreEntryRow = typeof scoreEntries.$inferSelect
export type ExperienceRow = typeof experiences.$inferSelect
export type AdRow = typeof ads.$inferSelect
export type FlowRow = typeof flows.$inferSelect
export type EnrollmentRow = typeof flowEnrollments.$inferSelect
export type MessageRow = typeof messages.$inferSelect

/**
 * Metric roll-ups. Written by the roll-up (cron, or a metrics read that finds them stale), never by ingest;
 * they outlive raw events pruned after `settings.retentionDays`. WITHOUT ROWID (migration 0006): the key is
 * the row, one written D1 row per upsert. Days are the site's local calendar days, numbered from 1970-01-01.
 */
export const rollupState = sqliteTable('rollup_state', {
  siteId: text('site_id').primaryKey(),
  /** The time zone and stage preset the roll-ups were computed in: a change rebuilds them. */
  timeZone: text('time_zone').notNull(),
  preset: text('preset').notNull(),
  /** Last lead_changes seq folded into lead facts. */
  changesSeq: integer('changes_seq').notNull().default(0),
  /** Start of the last complete roll-up: leads seen since (minus a lateness margin) are re-checked. */
  completeAt: integer('complete_at').notNull().default(0),
  /** Last time a metrics read checked for new data. */
  checkedAt: integer('checked_at').notNull().default(0),
  /** Raw events older than this (ms) were pruned. */
  prunedBefore: integer('pruned_before').notNull().default(0),
  /** One roll-up at a time per site: cell deltas of two runs over the same lead would count her twice. */
  leaseUntil: integer('lease_until').notNull().default(0),
  /** The last local day whose sent messages are in message_days (null: none rolled up yet). */
  messagesThrough: integer('messages_through'),
})

/**
 * Sent messages per local send day, flow, step, subject-line variant and channel, with the outcomes known
 * when the day was last rolled up ('' for no flow, step or variant). Days within MESSAGE_OUTCOME_DAYS of
 * yesterday are recomputed each run, so opens and clicks that come later still count.
 */
export const messageDays = sqliteTable(
  'message_days',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    flowId: text('flow_id').notNull(),
    step: text('step').notNull(),
    variant: text('variant').notNull(),
    channel: text('channel').notNull(),
    sent: integer('sent').notNull(),
    opened: integer('opened').notNull(),
    clicked: integer('clicked').notNull(),
    unsubscribed: integer('unsubscribed').notNull(),
    bounced: integer('bounced').notNull(),
    complained: integer('complained').notNull(),
    shown: integer('shown').notNull(),
    dismissed: integer('dismissed').notNull(),
    scanned: integer('scanned').notNull().default(0),
    machineOpened: integer('machine_opened').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.flowId, t.step, t.variant, t.channel] })],
)

/** One row per person: attribution, lifecycle milestones by the preset's stage position, revenue, RFM. */
export const leadFacts = sqliteTable(
  'lead_facts',
  {
    siteId: text('site_id').notNull(),
    leadId: text('lead_id').notNull(),
    /** The lead's event counter when rolled up: a difference means new events to roll up. */
    eventCount: integer('event_count').notNull(),
    stage: text('stage').notNull(),
    segment: text('segment'),
    revenue: real('revenue').notNull().default(0),
    firstSource: text('first_source').notNull(),
    firstMedium: text('first_medium').notNull(),
    firstCampaign: text('first_campaign').notNull(),
    firstReferrer: text('first_referrer').notNull(),
    /** First touch time (or first seen): the start of time-to-convert. */
    firstTouchAt: integer('first_touch_at').notNull(),
    lastSource: text('last_source').notNull(),
    lastMedium: text('last_medium').notNull(),
    lastCampaign: text('last_campaign').notNull(),
    lastReferrer: text('last_referrer').notNull(),
    /** Time and local day the lead first reached the preset's stage at position N (0 = first visit). */
    at0: integer('at0'),
    at1: integer('at1'),
    at2: integer('at2'),
    at3: integer('at3'),
    at4: integer('at4'),
    at5: integer('at5'),
    at6: integer('at6'),
    day0: integer('day0'),
    day1: integer('day1'),
    day2: integer('day2'),
    day3: integer('day3'),
    day4: integer('day4'),
    day5: integer('day5'),
    day6: integer('day6'),
    /** Latest move to `lost` (churn). */
    churnedAt: integer('churned_at'),
    churnedDay: integer('churned_day'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.leadId] })],
)

/**
 * Per-day sums of lead facts: (metric, local day, dimension) → value, e.g. ('ch:first:source_medium:lead',
 * day, 'google / cpc') → people who became leads that day with that first touch. A metrics read sums the
 * cells of its range: O(days × channels), whatever the number of leads.
 */
export const metricCells = sqliteTable(
  'metric_cells',
  {
    siteId: text('site_id').notNull(),
    metric: text('metric').notNull(),
    day: integer('day').notNull(),
    dim: text('dim').notNull(),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.metric, t.day, t.dim] })],
)

/** Which browsers (anonymous ids) were active on which local day: the source of unique-visitor counts. */
export const visitorDays = sqliteTable(
  'visitor_days',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    anonymousId: text('anonymous_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.anonymousId] })],
)

/** Per-day numbers recounted from the roll-ups (unique visitors per day and per week, ad coverage). */
export const dailyCounts = sqliteTable(
  'daily_counts',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    metric: text('metric').notNull(),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.metric] })],
)

/**
 * Web-vitals samples copied out of raw events (the event id makes a replay add nothing). Keyed in value
 * order per page, variant and metric, so a percentile is an index offset, not a sort.
 */
export const vitalSamples = sqliteTable(
  'vital_samples',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    eventId: text('event_id').notNull(),
    page: text('page').notNull(),
    experiences: text('experiences').notNull(),
    metric: text('metric').notNull(),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.page, t.experiences, t.metric, t.value, t.eventId] })],
)

export type LeadFactsRow = typeof leadFacts.$inferSelect
export type RollupStateRow = typeof rollupState.$inferSelect

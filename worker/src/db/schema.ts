// The database schema. drizzle-kit turns this file into SQL under migrations/ (the single source of truth
// for D1); every index here costs one extra written row per insert, so events carry only two.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { Touch } from '../domain/attribution'
import type { Rfm, ScoringConfig } from '../domain/lifecycle'
import type { Audience, Variant } from '../domain/experiences'
import type { RuleMatch } from '../domain/rules'
import type { SiteSettings } from '../domain/sites'

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
    purchases: integer('purchases').notNull().default(0),
    revenue: real('revenue').notNull().default(0),
    lastPurchaseAt: integer('last_purchase_at'),
    salesEventAt: integer('sales_event_at'),
    referralEventAt: integer('referral_event_at'),
    rfm: text('rfm', { mode: 'json' }).$type<Rfm>(),
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

export type SiteRow = typeof sites.$inferSelect
export type LeadRow = typeof leads.$inferSelect
export type EventRow = typeof events.$inferSelect
export type ScoreRuleRow = typeof scoreRules.$inferSelect
export type ScoreEntryRow = typeof scoreEntries.$inferSelect
export type ExperienceRow = typeof experiences.$inferSelect
export type AdRow = typeof ads.$inferSelect

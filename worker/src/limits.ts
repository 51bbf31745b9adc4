// The Worker's named limits in one place: request sizes, page sizes, cache lifetimes, time units and
// D1's parameter cap. Changing one here changes it everywhere it applies.
/** Milliseconds in a day (rule expiry, inactivity, default report ranges). */
export const DAY_MS = 86_400_000
/**
 * Clicks on an email's links within this long before or after a link scanner followed its hidden link
 * are the scanner's (mail-security gateways follow every link of a message within seconds).
 */
export const SCANNER_WINDOW_MS = 60_000

// Requests
/** POST /v1/events body cap: the SDK's shared keepalive/sendBeacon budget. */
export const MAX_BODY_BYTES = 64 * 1024
/** Events per POST /v1/events batch. */
export const MAX_BATCH_EVENTS = 100
/** Ads CSV imports up to 1 MiB (about 5,000 ads). */
export const MAX_CSV_BYTES = 1024 * 1024
/** The ingest limiter's period in seconds: must equal `period` of INGEST_LIMITER in wrangler.toml. */
export const INGEST_LIMIT_PERIOD_SECONDS = 60
/** A 429's Retry-After: the limiter's window is over by then. */
export const INGEST_RETRY_AFTER_SECONDS = INGEST_LIMIT_PERIOD_SECONDS

// Re-scoring
/** Sites with at most this many leads are re-scored before the rule change answers. */
export const SYNC_RESCORE_LEADS = 200
/** Leads per queued page: one page stays well inside a consumer invocation's CPU budget. */
export const QUEUED_RESCORE_PAGE = 100
/** Lead ids a plan job reads before handing the rest to the next plan job. */
export const RESCORE_PLAN_SLICE = 5_000
/** Leads replayed per D1 transaction. */
export const RESCORE_PAGE = 50
/** Most recently seen leads a rules preview considers: the whole site when small, a recent sample when large. */
export const PREVIEW_LEADS = 500
/** Changed leads a rules preview lists. */
export const PREVIEW_LIST = 50

// Cron
/** Leads re-totalled per hourly run; a backlog drains over the next runs. */
export const LAPSE_BATCH = 500
/** Customers re-staged per D1 transaction by the daily run. */
export const RESTAGE_PAGE = 200

// Reads
/** Recent events shown with a lead. */
export const LEAD_EVENTS_SHOWN = 200
/** Leads per page of the admin leads list. */
export const MAX_LEADS_PAGE = 200

// Caches
/** How long an isolate keeps a site's configuration (site row, active experiences, hostnames). */
export const SITE_CONFIG_TTL_MS = 5_000
/** How long an isolate keeps a site's set of visitors with a live in-app message (a new message shows within it). */
export const LIVE_IN_APP_TTL_MS = 5_000
/** Past this many visitors with live in-app messages, every visitor is looked up instead (~100 KB per site). */
export const MAX_LIVE_IN_APP_VISITORS = 2_000
/** Sites' configurations kept per isolate. */
export const MAX_CACHED_SITES = 1_000
/** (visitor, experience, variant) exposures an isolate remembers having queued, so repeats send nothing (~1 MB). */
export const MAX_REMEMBERED_EXPOSURES = 10_000
/** How long an isolate gathers first exposures into one queue message (the first request's waitUntil holds it). */
export const EXPOSURE_LINGER_MS = 100
/** Visitors per exposures message at most (~200 bytes each: far below a message's 128 KB). */
export const MAX_EXPOSURES_PER_MESSAGE = 100
/** Variant answers without a visitor id use no per-visitor state: cached at the edge this long. */
export const VARIANTS_CACHE_SECONDS = 60

// Queues and D1
/** Messages per Queue.sendBatch call. */
export const QUEUE_SEND_BATCH = 100
/** Parameters D1 binds per statement. */
export const D1_MAX_PARAMETERS = 100
/** Retries of a failed job before the queue dead-letters it: must equal `max_retries` of the consumer in wrangler.toml. */
export const MAX_JOB_RETRIES = 5

/** Tries of one ingest transaction that lost a race for its leads (re-read, recomputed), before failing. */
export const INGEST_WRITE_ATTEMPTS = 40
/** Tries of a re-score page whose leads an ingest changed meanwhile (each re-reads them); then the job retries. */
export const RESCORE_WRITE_ATTEMPTS = 10

// The API's shapes as the dashboard sees them: request bodies are the Worker's own zod schemas (type-only
// imports, nothing of the Worker is bundled); responses are the Worker's domain types with times as ISO strings.
import type { z } from 'zod'
import type { Ad, AdMatch } from '../../../worker/src/domain/ads'
import type { Touch } from '../../../worker/src/domain/attribution'
import type { Decision, Experience as DomainExperience, ExperienceInput } from '../../../worker/src/domain/experiences'
import type { Lead as DomainLead } from '../../../worker/src/domain/leads'
import type { Rfm, ScoringConfig as DomainScoringConfig, ScoringConfigInput } from '../../../worker/src/domain/lifecycle'
import type { RuleInput, RuleKind, ScoreRule } from '../../../worker/src/domain/rules'
import type { CreateSite, SiteSettings, UpdateSite } from '../../../worker/src/domain/sites'
import type { Comparison } from '../../../worker/src/domain/stats'
import type { VitalsRow } from '../../../worker/src/domain/vitals'
import type { FlowInput } from '../../../worker/src/domain/flows/schema'
import type { FlowPreview as DomainFlowPreview } from '../../../worker/src/domain/flows/preview'

export type { Ad, AdMatch, Decision, Rfm, RuleKind, Touch, VitalsRow }
export type { ConditionOp, RuleMatch, Condition } from '../../../worker/src/domain/rules'
export type { Audience } from '../../../worker/src/domain/experiences'

type Iso = string
type Timed = { createdAt: Iso; updatedAt: Iso }

/** The one JSON error shape: {"error":{"code","message","issues"?}}. */
export type ErrorIssue = { path: string; message: string }
export type ErrorBody = { error: { code: string; message: string; issues?: ErrorIssue[] } }

// Sites
export type SiteInput = z.input<typeof CreateSite>
export type SitePatch = z.input<typeof UpdateSite>
export type Site = Timed & {
  id: string
  key: string
  name: string
  origins: string[]
  origin: string | null
  hostnames: string[]
  settings: SiteSettings
  /** Events answered but not stored: known bots, automated browsers (unless the site accepts them). */
  ignored: { bots: number; automated: number }
  /** The install snippet (stub + script tag on the public host). */
  snippet: string
}

// Leads
export type TouchView = Omit<Touch, 'at'> & { at: Iso }
export type Lead = Pick<DomainLead, 'id' | 'email' | 'userId' | 'score' | 'fitScore' | 'engagementScore' | 'stage' | 'traits' | 'sessions' | 'eventCount' | 'purchases' | 'revenue'> & {
  stageChangedAt: Iso | null
  anonymousIds: string[]
  firstSeen: Iso
  lastSeen: Iso
  firstTouch: TouchView | null
  lastTouch: TouchView | null
  rfm: Rfm | null
}
export type BreakdownItem = {
  ruleId: string
  rule: string
  kind: RuleKind
  points: number
  at: Iso
  eventId: string | null
  expiresAt: Iso | null
  lapsed: boolean
}
export type LeadEvent = {
  id: string
  type: string
  name: string | null
  anonymousId: string
  userId: string | null
  timestamp: Iso
  receivedAt: Iso
  url: string | null
  traits?: Record<string, unknown> | null
  properties?: Record<string, unknown> | null
  context: Record<string, unknown> | null
}
export type LeadDetail = Lead & {
  scoreBreakdown: BreakdownItem[]
  stageHistory: Array<{ from: string | null; to: string; at: Iso }>
  events: LeadEvent[]
}
/** The list's query as the API takes it: `known` is 'true' | 'false', `sort` is 'score' | 'lastSeen', `order` 'desc' | 'asc'. */
export type LeadFilter = { email?: string; stage?: string; minScore?: string; source?: string; known?: string; sort?: string; order?: string }
/** One page of leads, the number matching the filter, and the cursor to the next page (null: the last). */
export type LeadPage = { leads: Lead[]; total: number; nextCursor: string | null }

// Scoring
export type RuleDraft = z.input<typeof RuleInput>
export type Rule = ScoreRule & Timed & { kind: RuleKind }
export type RescoreSummary = { mode: 'sync' | 'queued'; leads: number; changed?: number }
export type SavedRule = Rule & { rescore: RescoreSummary }
export type ScoringConfig = DomainScoringConfig & { stages: string[] }
export type ScoringInput = z.input<typeof ScoringConfigInput>
export type SavedScoring = ScoringConfig & { restaged: number | null; rescore: RescoreSummary }
export type RulesPreview = {
  leadsConsidered: number
  sampled: boolean
  before: Record<string, number>
  after: Record<string, number>
  /** Leads whose score or stage would change. */
  changed: number
  stageChanged: number
  /** Leads whose stage would change (the first of them). */
  leads: PreviewLead[]
  /** Leads whose score alone would change (the first of them). */
  scoreChanges: PreviewLead[]
}
type PreviewLead = { id: string; email: string | null; scoreBefore: number; scoreAfter: number; stageBefore: string; stageAfter: string }

// Experiences
export type ExperienceDraft = z.input<typeof ExperienceInput>
export type Experience = DomainExperience & Timed
export type Arm = { id: string; name: string; exposures: number; conversions: number; conversionRate: number } & Partial<Comparison>
export type ExperienceResult = {
  id: string
  name: string
  goal: string | null
  status: 'active' | 'paused'
  controlPercent: number
  control: Arm
  variants: Array<Arm & Comparison>
}
export type VitalsReport = { from: Iso; to: Iso; samples: number; pages: VitalsRow[] }
export type PreviewQuery = { url: string; device: string; stage?: string; score?: string; referrer?: string; country?: string }

// Ads
export type Share = { total: number; covered: number; share: number }
export type AdReport = Pick<Ad, 'id' | 'campaign' | 'adGroup' | 'name' | 'headline' | 'finalUrl'> & AdMatch
export type Coverage = { adGroups: Share; ads: Share; coverage: number; mismatches: number; report: AdReport[] }

// Metrics (README "Metrics"): every answer carries its local-date range, time zone and roll-up time.
export type MetricsHead = { from: string; to: string; timeZone: string; asOf: Iso | null }
export type DateRange = { from?: string; to?: string }
export type ChannelTouch = 'first' | 'last'
export type ChannelGrouping = 'source_medium' | 'source' | 'medium' | 'campaign' | 'referrer'
export type FunnelStage = { stage: string; entered: number; current: number; conversionToNext: number | null; medianDaysInStage: number | null }
export type Funnel = MetricsHead & { preset: string; stages: FunnelStage[]; afterJourney: Record<string, number> }
export type ChannelRow = {
  channel: string
  visitors: number
  leads: number | null
  mqls: number | null
  customers: number | null
  revenue: number
  rates: { visitorToLead: number | null; leadToMql: number | null; mqlToCustomer: number | null; visitorToCustomer: number | null }
  stages: Record<string, number>
  segments: Record<string, number>
}
export type Channels = MetricsHead & { touch: ChannelTouch; by: ChannelGrouping; channels: ChannelRow[] }
export type Distribution = { count: number; median: number | null; p75: number | null; p90: number | null; histogram: Array<{ days: string; count: number }> }
export type TimeToConvert = MetricsHead & {
  touch: ChannelTouch
  by: ChannelGrouping
  toLead: (Distribution & { channels: Array<Distribution & { channel: string }> }) | null
  toCustomer: (Distribution & { channels: Array<Distribution & { channel: string }> }) | null
}
export type TrendPoint = { start: string; visitors: number; newLeads: number | null; mqls: number | null; customers: number | null; churned: number | null }
export type Trends = MetricsHead & {
  interval: 'day' | 'week'
  points: TrendPoint[]
  leadVelocity: Array<{ month: string; mqls: number; previousMqls: number; rate: number | null }>
}
export type MessageTotals = {
  sent: number
  delivered: number
  opened: number
  clicked: number
  unsubscribed: number
  bounced: number
  complained: number
  /** Emails whose hidden link a link scanner followed (their clicks around then were not counted). */
  scanned: number
  /** Emails whose open pixel a privacy proxy loaded at delivery (Apple Mail Privacy Protection). */
  machineOpened: number
  failed: number
  suppressed: number
}
export type EmailRates = Record<'delivery' | 'open' | 'click' | 'clickToOpen' | 'unsubscribe' | 'bounce' | 'complaint', number | null>
export type EmailNumbers = MessageTotals & { rates: EmailRates }
export type InAppNumbers = { sent: number; shown: number; clicked: number; dismissed: number; rates: Record<'show' | 'click' | 'dismiss', number | null> }
export type MessageStep = Partial<EmailNumbers> &
  Partial<Omit<InAppNumbers, 'rates'>> & {
    step: string | null
    channel: 'email' | 'in_app' | 'webhook'
    label: string | null
    sent: number
    rates?: Record<string, number | null>
    variants: Array<EmailNumbers & { variant: string; subject: string | null }>
  }
export type MessageFlow = EmailNumbers & { flowId: string | null; name: string; inApp: InAppNumbers; webhooks: { sent: number; failed: number }; steps: MessageStep[] }
export type MessageStats = MetricsHead & {
  available: boolean
  totals: MessageTotals
  rates: EmailRates
  inApp: InAppNumbers
  webhooks: { sent: number; failed: number }
  flows: MessageFlow[]
  days: Array<Omit<MessageTotals, 'failed' | 'suppressed'> & { day: string; inApp: Omit<InAppNumbers, 'rates'> }>
}

// Flows and messages (hand-written shapes of the flows and messages routes' answers)
export type FlowStats = { enrolled: number; active: number; completed: number; exitedByGoal: number; messagesPerStep: Record<string, Record<string, number>> }
export type Flow = {
  id: string
  name: string
  enabled: boolean
  trigger: unknown
  filter?: unknown
  goal?: unknown
  reentry?: unknown
  policy?: unknown
  steps: unknown[]
  templateId: string | null
  version: number
  stepPaths?: unknown
  createdAt: Iso
  updatedAt: Iso
  stats?: FlowStats
}
/** A flow as the editor sends it (POST / PUT body, and the preview's draft). */
export type FlowDraft = z.input<typeof FlowInput>
/** One run (enrollment) of a flow for a lead; `step` is the step path it waits at (null once ended). */
export type FlowRun = {
  flowId: string
  leadId: string
  number: number
  status: 'active' | 'completed' | 'exited' | string
  step: string | null
  nextAt: Iso | null
  timeZone: string | null
  enrolledAt: Iso
  endedAt: Iso | null
  exitReason: string | null
}
export type FlowDetail = Flow & { runs: Array<FlowRun & { leadEmail: string | null }> }
export type FlowPreview = DomainFlowPreview & { truncated: boolean }
export type FlowTemplate = { id: string; description: string; name: string }
export type MessageSummary = {
  id: string
  channel: 'email' | 'in_app' | 'webhook'
  status: string
  to: string | null
  subject: string | null
  flowId: string | null
  leadId: string | null
  step: string | null
  variant: string | null
  reason: string | null
  createdAt: Iso
  sentAt: Iso | null
  /** An in-app message's title (emails have a subject). */
  title?: string | null
  shownAt?: Iso | null
  dismissedAt?: Iso | null
  openedAt?: Iso | null
  /** When a privacy proxy first loaded the email's open pixel (not an open unless the site counts them). */
  machineOpenedAt?: Iso | null
  clickedAt?: Iso | null
}
export type MessageDetail = MessageSummary & { headers?: Record<string, string>; html?: string; text?: string; content?: unknown; attempts: number }
export type Suppression = { email: string; reason: string; messageId: string | null; at: Iso }
export type DeadLetter = { id: string; kind: string; attempts: number; at: Iso; body: unknown }

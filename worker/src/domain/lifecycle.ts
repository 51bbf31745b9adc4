// Lifecycle stages (default, AIDA, AARRR presets) and RFM segments, computed from a lead's facts.
import { z } from 'zod'
import { DAY_MS } from '../limits'

const EventNames = z.array(z.string().trim().min(1).max(200)).max(50)

const Threshold = z.number().int().min(-100_000).max(100_000)
const Thresholds = z.object({ mql: Threshold, sql: Threshold, interest: Threshold.optional() }).strict()

const ScoringFields = {
  preset: z.enum(['default', 'aida', 'aarrr']),
  thresholds: Thresholds,
  purchaseEvents: EventNames,
  salesEvents: EventNames,
  referralEvents: EventNames,
  revenueProperty: z.string().trim().min(1).max(100),
  atRiskDays: z.number().int().min(1).max(3650),
  lostDays: z.number().int().min(1).max(3650),
}

export const ScoringConfig = z
  .object(ScoringFields)
  .strict()
  .refine((c) => c.thresholds.sql > c.thresholds.mql, {
    message: 'the SQL threshold must be above the MQL threshold',
    path: ['thresholds', 'sql'],
  })
  .refine((c) => c.lostDays > c.atRiskDays, { message: 'lostDays must be more than atRiskDays', path: ['lostDays'] })
export type ScoringConfig = z.infer<typeof ScoringConfig>

/** PUT body: any subset of the fields; what is missing keeps its current value. */
export const ScoringConfigInput = z
  .object({ ...ScoringFields, thresholds: Thresholds.partial().strict(), stages: z.array(z.string()).optional() })
  .partial()
  .strict()
export type ScoringConfigInput = z.infer<typeof ScoringConfigInput>

export const DEFAULT_SCORING: ScoringConfig = {
  preset: 'default',
  thresholds: { mql: 50, sql: 80, interest: 10 },
  purchaseEvents: ['Purchased', 'Order Completed'],
  salesEvents: ['Demo Requested', 'Sales Qualified'],
  referralEvents: ['Referred Friend'],
  revenueProperty: 'revenue',
  atRiskDays: 30,
  lostDays: 90,
}

/** Stored config merged over the defaults, so sites created before a new setting still score. */
export function scoringConfigOf(stored: Partial<ScoringConfig> | null | undefined): ScoringConfig {
  return { ...DEFAULT_SCORING, ...stored, thresholds: { ...DEFAULT_SCORING.thresholds, ...stored?.thresholds } }
}

/** Purchases, revenue and the sales/referral moments: the facts stages need besides the score. */
export type LifecycleCounters = {
  purchases: number
  revenue: number
  lastPurchaseAt: number | null
  salesEventAt: number | null
  referralEventAt: number | null
}

export const NO_COUNTERS: LifecycleCounters = { purchases: 0, revenue: 0, lastPurchaseAt: null, salesEventAt: null, referralEventAt: null }

/** A lead in the lifecycle's sense: her email is known (a user id alone identifies a person, not a lead). */
export const isIdentified = (lead: { email: string | null }) => lead.email !== null

/** What stages are decided from. */
export type LifecycleFacts = {
  /** See `isIdentified`. */
  identified: boolean
  sessions: number
  score: number
  lastSeen: number
  purchases: number
  revenue: number
  lastPurchaseAt: number | null
  salesEventAt: number | null
  referralEventAt: number | null
}

type StageRule = { stage: string; when: (f: LifecycleFacts, c: ScoringConfig, now: number) => boolean }

const inactiveDays = (f: LifecycleFacts, now: number) => (now - f.lastSeen) / DAY_MS
const customer = (f: LifecycleFacts) => f.purchases >= 1

/** Each preset lists its stages from the furthest along; a lead is in the first whose condition holds. */
const PRESETS: Record<ScoringConfig['preset'], StageRule[]> = {
  default: [
    { stage: 'lost', when: (f, c, now) => customer(f) && inactiveDays(f, now) >= c.lostDays },
    { stage: 'at_risk', when: (f, c, now) => customer(f) && inactiveDays(f, now) >= c.atRiskDays },
    { stage: 'repeat', when: (f) => f.purchases >= 2 },
    { stage: 'customer', when: customer },
    { stage: 'sql', when: (f, c) => f.identified && (f.score >= c.thresholds.sql || f.salesEventAt !== null) },
    { stage: 'mql', when: (f, c) => f.identified && f.score >= c.thresholds.mql },
    { stage: 'lead', when: (f) => f.identified },
    { stage: 'returning', when: (f) => f.sessions >= 2 },
    { stage: 'visitor', when: () => true },
  ],
  aida: [
    { stage: 'action', when: customer },
    { stage: 'desire', when: (f, c) => f.identified || f.score >= c.thresholds.mql },
    { stage: 'interest', when: (f, c) => f.sessions >= 2 || f.score >= (c.thresholds.interest ?? 10) },
    { stage: 'awareness', when: () => true },
  ],
  aarrr: [
    { stage: 'referral', when: (f) => f.referralEventAt !== null },
    { stage: 'revenue', when: customer },
    { stage: 'retention', when: (f) => f.identified && f.sessions >= 3 },
    { stage: 'activation', when: (f) => f.identified },
    { stage: 'acquisition', when: () => true },
  ],
}

/** The preset's stage names in journey order (first stage first). */
export const stagesOf = (preset: ScoringConfig['preset']): string[] => PRESETS[preset].map((r) => r.stage).reverse()

export function stageOf(facts: LifecycleFacts, config: ScoringConfig, now: number, floor: string | null = null): string {
  return atLeast(PRESETS[config.preset].find((rule) => rule.when(facts, config, now))!.stage, floor, config.preset)
}

/**
 * A flow-set stage is a floor: scoring keeps the lead there until her facts put her further along. A stage
 * outside the preset cannot be ranked, so it holds until a flow sets another.
 */
export function atLeast(computed: string, floor: string | null, preset: ScoringConfig['preset']): string {
  if (floor === null) return computed
  const order = PRESETS[preset].map((rule) => rule.stage) // furthest along first
  const rank = order.indexOf(floor)
  if (rank === -1) return floor
  return order.indexOf(computed) <= rank ? computed : floor
}

/** The preset's stages at least as far along as `floor` (the stages a flow's floor leaves in place). */
export const stagesAtLeast = (floor: string, preset: ScoringConfig['preset']): string[] => {
  const order = PRESETS[preset].map((rule) => rule.stage)
  const rank = order.indexOf(floor)
  return rank === -1 ? [floor] : order.slice(0, rank + 1)
}

export type Rfm = { recency: number; frequency: number; monetary: number; segment: RfmSegment }
export type RfmSegment = 'champions' | 'loyal' | 'new' | 'promising' | 'at_risk' | 'lost'

const band = (value: number, upper: readonly number[]) => {
  const index = upper.findIndex((limit) => value <= limit)
  return index === -1 ? upper.length + 1 : index + 1
}

/**
 * RFM on 1–5 scales with fixed bands: recency by days since the last purchase (≤30 → 5 … >180 → 1),
 * frequency by purchases (1, 2, 3–4, 5–9, 10+), monetary by revenue (<100, <500, <2,000, <10,000, more).
 */
export function rfmOf(facts: LifecycleFacts, now: number): Rfm | null {
  if (facts.purchases < 1 || facts.lastPurchaseAt === null) return null
  const days = (now - facts.lastPurchaseAt) / DAY_MS
  const recency = 6 - band(days, [30, 60, 90, 180])
  const frequency = band(facts.purchases, [1, 2, 4, 9])
  const monetary = band(facts.revenue, [99.99, 499.99, 1999.99, 9999.99])
  const segment: RfmSegment =
    recency >= 4 && frequency >= 4
      ? 'champions'
      : recency >= 3 && frequency >= 3
        ? 'loyal'
        : recency <= 2 && frequency >= 2
          ? 'at_risk'
          : recency === 1
            ? 'lost'
            : frequency === 1 && recency >= 4
              ? 'new'
              : 'promising'
  return { recency, frequency, monetary, segment }
}

/**
 * A customer's stage and RFM as time alone moves them (at risk after N days without activity, recency
 * bands), or null when neither changed.
 */
export function restaged(
  lead: Omit<LifecycleFacts, 'identified'> & { email: string | null; userId: string | null; stage: string; stageFloor: string | null; rfm: Rfm | null | undefined },
  storedConfig: Partial<ScoringConfig> | null | undefined,
  now: number,
): { stage: string; rfm: Rfm | null } | null {
  const facts = { ...lead, identified: isIdentified(lead) }
  const stage = stageOf(facts, scoringConfigOf(storedConfig), now, lead.stageFloor)
  const rfm = rfmOf(facts, now)
  return stage === lead.stage && JSON.stringify(rfm) === JSON.stringify(lead.rfm ?? null) ? null : { stage, rfm }
}

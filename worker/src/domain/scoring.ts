// Lead scoring: the explanation ledger (which rule gave which points for which event, when), the fit and
// engagement sub-totals, and the lifecycle facts stages are decided from. Incremental on ingest — cost
// O(matching rules) per event — and the same code replays a lead's whole history when rules change.
import type { Lead } from './leads'
import { DAY_MS } from '../limits'
import { isIdentified, NO_COUNTERS, rfmOf, stageOf, type LifecycleCounters, type LifecycleFacts, type Rfm, type ScoringConfig } from './lifecycle'
import { conditionHolds, rulesMatchingEvent, type CompiledRules, type Condition, type RuleKind, type ScorableEvent } from './rules'

/** Ledger key of a fit rule's single entry (engagement entries are keyed by their event id). */
export const FIT_KEY = 'fit'

/** Rule id prefix of points a flow's update step gave (`flow:<flowId>`): kept when rules are replayed. */
export const FLOW_RULE_PREFIX = 'flow:'
export const isFlowEntry = (entry: Pick<LedgerEntry, 'ruleId'>) => entry.ruleId.startsWith(FLOW_RULE_PREFIX)

export type LedgerEntry = {
  ruleId: string
  key: string
  kind: RuleKind
  points: number
  at: number
  eventId: string | null
  expiresAt: number | null
}

export const isActive = (entry: Pick<LedgerEntry, 'expiresAt'>, at: number) => entry.expiresAt === null || entry.expiresAt > at

export type ScoreTotals = { fitScore: number; engagementScore: number; score: number }

export function totals(entries: readonly LedgerEntry[], now: number): ScoreTotals {
  let fitScore = 0
  let engagementScore = 0
  for (const entry of entries) {
    if (!isActive(entry, now)) continue
    if (entry.kind === 'fit') fitScore += entry.points
    else engagementScore += entry.points
  }
  return { fitScore, engagementScore, score: fitScore + engagementScore }
}

/**
 * Engagement entries the events earn. A rule counts at most `limit` times among the lead's entries still
 * active at the event's time (a lapsed view frees its slot), and never twice for the same event.
 */
export function engagementEntries(rules: CompiledRules, events: readonly ScorableEvent[], existing: readonly LedgerEntry[]): LedgerEntry[] {
  const byRule = new Map<string, LedgerEntry[]>()
  const seen = new Set<string>()
  for (const entry of existing) {
    if (entry.kind !== 'engagement') continue
    seen.add(`${entry.ruleId}\u0000${entry.key}`)
    byRule.set(entry.ruleId, [...(byRule.get(entry.ruleId) ?? []), entry])
  }
  const added: LedgerEntry[] = []
  for (const event of [...events].sort((a, b) => a.ts - b.ts)) {
    for (const rule of rulesMatchingEvent(rules, event)) {
      const id = `${rule.id}\u0000${event.eventId}`
      if (seen.has(id)) continue
      const entries = byRule.get(rule.id) ?? []
      if (rule.limit !== null && entries.filter((e) => isActive(e, event.ts)).length >= rule.limit) continue
      const entry: LedgerEntry = {
        ruleId: rule.id,
        key: event.eventId,
        kind: 'engagement',
        points: rule.points,
        at: event.ts,
        eventId: event.eventId,
        expiresAt: rule.expiresDays === null ? null : event.ts + rule.expiresDays * DAY_MS,
      }
      seen.add(id)
      byRule.set(rule.id, [...entries, entry])
      added.push(entry)
    }
  }
  return added
}

/** Fit rules that start or stop holding for the lead's current traits: each counts once while it holds. */
export function fitChanges(
  rules: CompiledRules,
  traits: Record<string, unknown>,
  identified: boolean,
  existing: readonly LedgerEntry[],
  now: number,
): { add: LedgerEntry[]; remove: string[] } {
  const held = new Set(existing.filter((e) => e.kind === 'fit').map((e) => e.ruleId))
  const holding = new Set<string>()
  const add: LedgerEntry[] = []
  for (const rule of rules.fit) {
    const where = rule.match.type === 'identify' ? rule.match.where : undefined
    const holds = identified && (where ?? []).every((condition) => conditionHoldsOnTraits(condition, traits))
    if (!holds) continue
    holding.add(rule.id)
    if (!held.has(rule.id)) {
      add.push({ ruleId: rule.id, key: FIT_KEY, kind: 'fit', points: rule.points, at: now, eventId: null, expiresAt: null })
    }
  }
  return { add, remove: [...held].filter((ruleId) => !holding.has(ruleId)) }
}

const conditionHoldsOnTraits = (condition: Condition, traits: Record<string, unknown>) => conditionHolds(condition, { traits })

export function countLifecycleEvents(previous: LifecycleCounters, events: readonly ScorableEvent[], config: ScoringConfig): LifecycleCounters {
  const next: LifecycleCounters = {
    purchases: previous.purchases,
    revenue: previous.revenue,
    lastPurchaseAt: previous.lastPurchaseAt,
    salesEventAt: previous.salesEventAt,
    referralEventAt: previous.referralEventAt,
  }
  const named = (names: readonly string[], name: string | null) => name !== null && names.some((n) => n.toLowerCase() === name.toLowerCase())
  for (const event of events) {
    if (event.type !== 'track') continue
    if (named(config.purchaseEvents, event.name)) {
      next.purchases += 1
      const revenue = Number(event.data?.[config.revenueProperty])
      if (Number.isFinite(revenue)) next.revenue = Math.round((next.revenue + revenue) * 100) / 100
      next.lastPurchaseAt = Math.max(next.lastPurchaseAt ?? 0, event.ts)
    }
    if (named(config.salesEvents, event.name)) next.salesEventAt = Math.min(next.salesEventAt ?? event.ts, event.ts)
    if (named(config.referralEvents, event.name)) next.referralEventAt = Math.min(next.referralEventAt ?? event.ts, event.ts)
  }
  return next
}

export type LeadScoreInput = {
  rules: CompiledRules
  config: ScoringConfig
  /** The lead's ledger so far (empty when replaying the whole history). */
  entries: readonly LedgerEntry[]
  /** New events (ingest) or the whole history (re-scoring). */
  events: readonly ScorableEvent[]
  counters: LifecycleCounters
  traits: Record<string, unknown>
  identified: boolean
  sessions: number
  lastSeen: number
  /** A flow-set stage the computed stage never goes below. */
  stageFloor: string | null
  now: number
}

export type LeadScoreResult = ScoreTotals & {
  add: LedgerEntry[]
  /** Fit rules whose entry is removed (their condition no longer holds). */
  removeFit: string[]
  counters: LifecycleCounters
  stage: string
  rfm: Rfm | null
}

/** Scores a lead: new ledger entries, fit changes, totals, lifecycle counters, stage and RFM. */
export function scoreLead(input: LeadScoreInput): LeadScoreResult {
  const add = engagementEntries(input.rules, input.events, input.entries)
  const fit = fitChanges(input.rules, input.traits, input.identified, input.entries, input.now)
  const kept = input.entries.filter((e) => !(e.kind === 'fit' && fit.remove.includes(e.ruleId)))
  const sums = totals([...kept, ...add, ...fit.add], input.now)
  const counters = countLifecycleEvents(input.counters, input.events, input.config)
  const facts: LifecycleFacts = {
    identified: input.identified,
    sessions: input.sessions,
    score: sums.score,
    lastSeen: input.lastSeen,
    ...counters,
  }
  return {
    ...sums,
    add: [...add, ...fit.add],
    removeFit: fit.remove,
    counters,
    stage: stageOf(facts, input.config, input.now, input.stageFloor),
    rfm: rfmOf(facts, input.now),
  }
}


export type ScoredLead = {
  lead: Lead
  add: LedgerEntry[]
  removeFit: string[]
  stageChange: { from: string; to: string } | null
}

/** Folds a lead's new events into her score and stage (ingest); `entries` is her active ledger. */
export function scoreLeadEvents(
  lead: Lead,
  events: readonly ScorableEvent[],
  entries: readonly LedgerEntry[],
  rules: CompiledRules,
  config: ScoringConfig,
  now: number,
): ScoredLead {
  const result = scoreLead({
    rules,
    config,
    entries,
    events,
    counters: lead,
    traits: lead.traits,
    identified: isIdentified(lead),
    sessions: lead.sessions,
    lastSeen: lead.lastSeen,
    stageFloor: lead.stageFloor,
    now,
  })
  return withResult(lead, result, now)
}

/**
 * Replays a lead's whole history against the rules (after a rule change or a merge). `kept`: her flows'
 * points, which no event earned and no rule recomputes: they count in the totals and stay in the ledger.
 */
export function rescoreLeadHistory(
  lead: Lead,
  history: readonly ScorableEvent[],
  rules: CompiledRules,
  config: ScoringConfig,
  now: number,
  kept: readonly LedgerEntry[] = [],
): ScoredLead {
  return scoreLeadEvents({ ...lead, ...NO_COUNTERS }, history, kept.filter(isFlowEntry), rules, config, now)
}

function withResult(lead: Lead, result: LeadScoreResult, now: number): ScoredLead {
  const stageChange = result.stage === lead.stage ? null : { from: lead.stage, to: result.stage }
  return {
    lead: {
      ...lead,
      ...result.counters,
      score: result.score,
      fitScore: result.fitScore,
      engagementScore: result.engagementScore,
      stage: result.stage,
      stageChangedAt: stageChange ? now : lead.stageChangedAt,
      rfm: result.rfm,
    },
    add: result.add,
    removeFit: result.removeFit,
    stageChange,
  }
}

// Lead facts: one roll-up row per person with her attribution and the time she first reached each stage
// of the site's funnel preset, so every funnel and channel number is one scan of a narrow table.
import type { Touch } from '../attribution'
import { stagesOf, type ScoringConfig } from '../lifecycle'
import type { DayClock } from './days'

/** Stages after the journey (customers gone quiet) are not funnel steps. */
const AFTER_JOURNEY = new Set(['at_risk', 'lost'])
export const CHURNED_STAGE = 'lost'
/** The preset with most funnel steps (default) has 7: lead facts hold that many milestones. */
export const MAX_STEPS = 7

/** The preset's funnel steps in journey order. */
export const funnelStepsOf = (preset: ScoringConfig['preset']): string[] => stagesOf(preset).filter((s) => !AFTER_JOURNEY.has(s))

/** Which funnel step each named channel number counts (null: the preset has no such step). */
export function namedSteps(preset: ScoringConfig['preset']): Record<'visitors' | 'leads' | 'mqls' | 'customers', number | null> {
  const steps = funnelStepsOf(preset)
  const at = (name: string) => (steps.includes(name) ? steps.indexOf(name) : null)
  if (preset === 'aida') return { visitors: 0, leads: at('desire'), mqls: null, customers: at('action') }
  if (preset === 'aarrr') return { visitors: 0, leads: at('activation'), mqls: null, customers: at('revenue') }
  return { visitors: 0, leads: at('lead'), mqls: at('mql'), customers: at('customer') }
}

export type FactsLead = {
  id: string
  eventCount: number
  firstSeen: number
  stage: string
  stageChangedAt: number | null
  revenue: number
  firstTouch: Touch | null
  lastTouch: Touch | null
  rfm: { segment: string } | null
}

export type StageChange = { to: string; at: number }

export type LeadFacts = {
  leadId: string
  eventCount: number
  stage: string
  segment: string | null
  revenue: number
  firstSource: string
  firstMedium: string
  firstCampaign: string
  firstReferrer: string
  firstTouchAt: number
  lastSource: string
  lastMedium: string
  lastCampaign: string
  lastReferrer: string
  reached: Array<number | null>
  churnedAt: number | null
}

const referrerHost = (touch: Touch | null) => {
  if (!touch?.referrer) return '(none)'
  try {
    return new URL(touch.referrer).hostname.replace(/^www\./, '')
  } catch {
    return '(none)'
  }
}

const channelOf = (touch: Touch | null) => ({
  source: touch?.source ?? '(direct)',
  medium: touch?.medium ?? '(none)',
  campaign: touch?.campaign ?? '(none)',
  referrer: referrerHost(touch),
})

/**
 * Facts of a lead from its row and its stage changes (oldest first). Reaching a step reaches every step
 * before it at the same time (a signup with a high score goes from visitor to mql in one change); a lead
 * whose current stage is further than its recorded changes (history before they were kept) reached the
 * missing steps when its stage last changed.
 */
export function leadFactsOf(lead: FactsLead, changes: readonly StageChange[], preset: ScoringConfig['preset']): LeadFacts {
  const steps = funnelStepsOf(preset)
  const reached: Array<number | null> = steps.map(() => null)
  reached[0] = lead.firstSeen
  const reachOnce = (position: number, at: number) => {
    for (let p = 1; p <= position; p++) if (reached[p] === null) reached[p] = Math.max(at, reached[0]!)
  }
  let churnedAt: number | null = null
  for (const change of changes) {
    if (change.to === CHURNED_STAGE) churnedAt = change.at
    const position = AFTER_JOURNEY.has(change.to) ? steps.indexOf('customer') : steps.indexOf(change.to)
    if (position > 0) reachOnce(position, change.at)
  }
  const current = AFTER_JOURNEY.has(lead.stage) ? steps.indexOf('customer') : steps.indexOf(lead.stage)
  if (current > 0) reachOnce(current, lead.stageChangedAt ?? lead.firstSeen)
  const first = channelOf(lead.firstTouch)
  const last = channelOf(lead.lastTouch ?? lead.firstTouch)
  return {
    leadId: lead.id,
    eventCount: lead.eventCount,
    stage: lead.stage,
    segment: lead.rfm?.segment ?? null,
    revenue: lead.revenue,
    firstSource: first.source,
    firstMedium: first.medium,
    firstCampaign: first.campaign,
    firstReferrer: first.referrer,
    firstTouchAt: Math.min(lead.firstTouch?.at ?? lead.firstSeen, lead.firstSeen),
    lastSource: last.source,
    lastMedium: last.medium,
    lastCampaign: last.campaign,
    lastReferrer: last.referrer,
    reached,
    churnedAt,
  }
}

/** Facts as a lead_facts row (day columns in the site's time zone). */
export function factsRow(siteId: string, facts: LeadFacts, clock: DayClock) {
  const { reached, leadId, ...rest } = facts
  const row: Record<string, unknown> = { siteId, leadId, ...rest, churnedDay: facts.churnedAt === null ? null : clock.dayOf(facts.churnedAt) }
  for (let p = 0; p < MAX_STEPS; p++) {
    const at = reached[p] ?? null
    row[`at${p}`] = at
    row[`day${p}`] = at === null ? null : clock.dayOf(at)
  }
  return row
}

/** Facts back from a lead_facts row: the cells she added are recomputed from them to be subtracted. */
export function factsFromRow(row: Record<string, unknown>): LeadFacts {
  const reached: Array<number | null> = []
  for (let p = 0; p < MAX_STEPS; p++) reached.push((row[`at${p}`] as number | null) ?? null)
  return {
    leadId: row.leadId as string,
    eventCount: row.eventCount as number,
    stage: row.stage as string,
    segment: (row.segment as string | null) ?? null,
    revenue: row.revenue as number,
    firstSource: row.firstSource as string,
    firstMedium: row.firstMedium as string,
    firstCampaign: row.firstCampaign as string,
    firstReferrer: row.firstReferrer as string,
    firstTouchAt: row.firstTouchAt as number,
    lastSource: row.lastSource as string,
    lastMedium: row.lastMedium as string,
    lastCampaign: row.lastCampaign as string,
    lastReferrer: row.lastReferrer as string,
    reached,
    churnedAt: (row.churnedAt as number | null) ?? null,
  }
}

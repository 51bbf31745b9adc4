// Which flows an ingested batch starts for a lead, and which enrollments its goal events end. Pure: the
// caller loads the lead before/after the batch and, only when a count trigger needs it, the history count.
import { firstTimeZone, isTimeZone } from '../time-zone'
import { compileGlob, type GlobTest } from '../../../../contract/glob'
import { allConditionsHold, type RuleMatch } from '../rules'
import { leadConditionsHold, type FlowLead } from './conditions'
import type { FlowDefinition, FlowTrigger } from './schema'

/** The event shape triggers read (a normalized or a stored event). */
export type FlowEvent = {
  type: 'page' | 'track' | 'identify'
  name: string | null
  ts: number
  data: Record<string, unknown> | null
  context: Record<string, unknown> | null
}

const patterns = new Map<string, GlobTest>()
const patternOf = (glob: string) => {
  let pattern = patterns.get(glob)
  if (!pattern) {
    if (patterns.size > 1000) patterns.clear()
    patterns.set(glob, (pattern = compileGlob(glob)))
  }
  return pattern
}

/** Like a score rule's match, except identify conditions read the call's own traits. */
export function eventMatches(match: RuleMatch, event: FlowEvent): boolean {
  if (match.type !== event.type) return false
  const glob = match.type === 'track' ? match.event : match.type === 'page' ? match.path : undefined
  if (glob && !patternOf(glob)(event.name ?? '')) return false
  return allConditionsHold(match.where, { properties: event.data, traits: event.data, context: event.context })
}

function formMatches(trigger: FlowTrigger & { type: 'form' }, event: FlowEvent): boolean {
  if (event.type === 'page') return false
  if (trigger.event && !(event.type === 'track' && patternOf(trigger.event)(event.name ?? ''))) return false
  return allConditionsHold(trigger.where, { properties: event.data, traits: event.data, context: event.context })
}

/** What scoring changed for the lead with this batch. */
export type LeadTransition = { before: { score: number; stage: string } | null; after: FlowLead; events: readonly FlowEvent[] }

export type TriggerVerdict =
  | { fires: false }
  | { fires: true; at: number }
  /** An event trigger with a count: fires if the history (batch included) reaches the count. */
  | { fires: 'count'; inBatch: number; at: number }

export function evaluateTrigger(trigger: FlowTrigger, transition: LeadTransition): TriggerVerdict {
  const { before, after, events } = transition
  const last = events.length > 0 ? events[events.length - 1]!.ts : after.lastSeen
  switch (trigger.type) {
    case 'event': {
      const matching = events.filter((e) => eventMatches(trigger.match, e))
      if (matching.length === 0) return { fires: false }
      const at = matching[matching.length - 1]!.ts
      if (!trigger.count || trigger.count.gte <= 1) return { fires: true, at }
      return { fires: 'count', inBatch: matching.length, at }
    }
    case 'form': {
      const matching = events.filter((e) => formMatches(trigger, e))
      return matching.length > 0 ? { fires: true, at: matching[matching.length - 1]!.ts } : { fires: false }
    }
    case 'score':
      // Crossing upwards only: a lead already above the threshold does not re-trigger on every event.
      return after.score >= trigger.gte && (before === null || before.score < trigger.gte) ? { fires: true, at: last } : { fires: false }
    case 'stage':
      return after.stage === trigger.stage && before?.stage !== trigger.stage ? { fires: true, at: last } : { fires: false }
    case 'inactive':
      return { fires: false } // found by the cron, never by ingest
  }
}

/** A count trigger fires when this batch takes the windowed count from below `gte` to `gte` or more. */
export function countCrossed(trigger: FlowTrigger, countWithBatch: number, inBatch: number): boolean {
  if (trigger.type !== 'event' || !trigger.count) return false
  return countWithBatch >= trigger.count.gte && countWithBatch - inBatch < trigger.count.gte
}

export const passesFilter = (flow: Pick<FlowDefinition, 'filter'>, lead: FlowLead) => leadConditionsHold(flow.filter, lead)

/** The time of the batch's first goal event, if any. */
export function goalReachedAt(goal: RuleMatch | undefined, events: readonly FlowEvent[]): number | null {
  if (!goal) return null
  const hit = events.find((e) => eventMatches(goal, e))
  return hit ? hit.ts : null
}

export type PastEnrollment = { number: number; status: string; enrolledAt: number; endedAt: number | null }

/**
 * The enrollment number a new run would take, or null when re-entry forbids it: `once` allows one run
 * ever; `cooldown` allows another once the last one ended at least N days ago. Racing callers compute the
 * same number, and the unique key lets only one of them insert it.
 */
export function nextEnrollmentNumber(flow: Pick<FlowDefinition, 'reentry'>, last: PastEnrollment | null, now: number): number | null {
  if (!last) return 1
  if (flow.reentry.type === 'once' || last.status === 'active') return null
  const since = last.endedAt ?? last.enrolledAt
  return now - since >= flow.reentry.days * 86_400_000 ? last.number + 1 : null
}

/**
 * The lead's time zone for waits and quiet hours: the SDK's Intl zone from the newest event, else the one
 * stored on her lead, else her traits, else the site's default.
 */
export function timeZoneOf(lead: FlowLead, events: readonly FlowEvent[], siteDefault?: string): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const zone = events[i]!.context?.timezone ?? events[i]!.context?.timeZone
    if (isTimeZone(zone)) return zone
  }
  return firstTimeZone(lead.timeZone, lead.traits.timezone ?? lead.traits.timeZone, siteDefault)
}


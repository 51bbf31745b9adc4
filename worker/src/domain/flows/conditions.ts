// Lead conditions (flow filters and branches): `lead.stage`, `lead.score`, `lead.tags`, `lead.traits.budget`…
import { conditionHolds, type Condition, type MatchDocument } from '../rules'
import type { LeadCondition } from './schema'

/** The lead as flows see her. Tags live in `traits.tags` (the update step adds to it). */
export type FlowLead = {
  id: string
  email: string | null
  userId: string | null
  stage: string
  score: number
  fitScore?: number
  engagementScore?: number
  sessions: number
  eventCount?: number
  purchases?: number
  revenue?: number
  lastSeen: number
  traits: Record<string, unknown>
  /** Her IANA time zone as the SDK last reported it. */
  timeZone?: string | null
}

export const tagsOf = (lead: Pick<FlowLead, 'traits'>): string[] =>
  Array.isArray(lead.traits.tags) ? lead.traits.tags.filter((t): t is string => typeof t === 'string') : []

export function leadConditionHolds(condition: LeadCondition, lead: FlowLead): boolean {
  const doc = { lead: { ...lead, tags: tagsOf(lead) } } as unknown as MatchDocument
  return conditionHolds(condition as unknown as Condition, doc)
}

export const leadConditionsHold = (conditions: readonly LeadCondition[] | undefined, lead: FlowLead) =>
  (conditions ?? []).every((c) => leadConditionHolds(c, lead))

// What a draft flow would do before it is enabled: which current leads its trigger and filters enroll now,
// and — replaying stored events — how many runs, goal exits and messages per step it would have produced.
import { leadConditionsHold, type FlowLead } from './conditions'
import { waitUntil } from './schedule'
import type { FlowDefinition } from './schema'
import { planStep } from './steps'
import { eventMatches, type FlowEvent } from './triggers'

const DAY_MS = 86_400_000
export const REPLAY_DAYS = 30

export type PreviewLead = FlowLead & { events: readonly FlowEvent[]; stageChanges: ReadonlyArray<{ to: string; at: number }> }

export type FlowPreview = {
  leadsConsidered: number
  enrollNow: { count: number; leadIds: string[] }
  replay: {
    days: number
    supported: boolean
    note?: string
    enrollments: number
    exitedByGoal: number
    messagesPerStep: Record<string, { channel: string; count: number }>
  }
}

function triggerHoldsNow(flow: FlowDefinition, lead: PreviewLead, now: number): boolean {
  const t = flow.trigger
  switch (t.type) {
    case 'event': {
      const since = now - (t.count?.withinDays ?? REPLAY_DAYS) * DAY_MS
      return lead.events.filter((e) => e.ts > since && eventMatches(t.match, e)).length >= (t.count?.gte ?? 1)
    }
    case 'form':
      return lead.events.some((e) => e.ts > now - REPLAY_DAYS * DAY_MS && formHolds(t, e))
    case 'score':
      return lead.score >= t.gte
    case 'stage':
      return lead.stage === t.stage
    case 'inactive':
      return lead.lastSeen <= now - t.days * DAY_MS
  }
}

const formHolds = (t: FlowDefinition['trigger'] & { type: 'form' }, e: FlowEvent) =>
  e.type !== 'page' && eventMatches({ type: e.type, ...(e.type === 'track' && t.event ? { event: t.event } : {}), where: t.where } as never, e)

/** Times at which the trigger fired in the replayed history. */
function triggerTimes(flow: FlowDefinition, lead: PreviewLead, from: number): number[] | null {
  const t = flow.trigger
  switch (t.type) {
    case 'event': {
      const matching = lead.events.filter((e) => eventMatches(t.match, e)).map((e) => e.ts)
      if (!t.count || t.count.gte <= 1) return matching.filter((ts) => ts > from)
      const window = t.count.withinDays * DAY_MS
      // Crossings, as ingest sees them one event at a time: the windowed count reaches gte from below.
      return matching.filter((ts) => ts > from && matching.filter((x) => x <= ts && x > ts - window).length === t.count!.gte)
    }
    case 'form':
      return lead.events.filter((e) => e.ts > from && formHolds(t, e)).map((e) => e.ts)
    case 'stage':
      return lead.stageChanges.filter((c) => c.at > from && c.to === t.stage).map((c) => c.at)
    case 'score':
    case 'inactive':
      return null
  }
}

export function previewFlow(flow: FlowDefinition, leads: readonly PreviewLead[], now: number): FlowPreview {
  const from = now - REPLAY_DAYS * DAY_MS
  const enrollNow = leads.filter((lead) => leadConditionsHold(flow.filter, lead) && triggerHoldsNow(flow, lead, now))
  const perStep: FlowPreview['replay']['messagesPerStep'] = {}
  let enrollments = 0
  let exitedByGoal = 0
  let supported = true
  for (const lead of leads) {
    const times = triggerTimes(flow, lead, from)
    if (times === null) {
      supported = false
      break
    }
    if (!leadConditionsHold(flow.filter, lead)) continue
    let busyUntil = -Infinity
    let lastEnd = -Infinity
    for (const at of times) {
      if (at < busyUntil) continue // still in a run
      if (flow.reentry.type === 'cooldown' && at - lastEnd < flow.reentry.days * DAY_MS) continue
      enrollments++
      const goalAt = flow.goal ? lead.events.find((e) => e.ts > at && eventMatches(flow.goal!, e))?.ts ?? Infinity : Infinity
      let t = at
      let path: string | null = '0'
      for (let guard = 0; path !== null && guard < 200; guard++) {
        if (goalAt <= t) {
          exitedByGoal++
          break
        }
        const plan = planStep(flow.steps, path, lead)
        if (plan.kind === 'missing') break
        if (plan.kind === 'wait') t = waitUntil(plan.step, t, 'UTC')
        if (plan.kind === 'message' && t <= now) {
          const entry = (perStep[path] ??= { channel: plan.channel, count: 0 })
          entry.count++
        }
        path = plan.next
      }
      busyUntil = t
      lastEnd = t
      if (flow.reentry.type === 'once') break
    }
  }
  return {
    leadsConsidered: leads.length,
    enrollNow: { count: enrollNow.length, leadIds: enrollNow.slice(0, 50).map((l) => l.id) },
    replay: supported
      ? { days: REPLAY_DAYS, supported, enrollments, exitedByGoal, messagesPerStep: perStep }
      : { days: REPLAY_DAYS, supported, note: `${flow.trigger.type} triggers depend on score history or the clock; only "enroll now" is computed`, enrollments: 0, exitedByGoal: 0, messagesPerStep: {} },
  }
}

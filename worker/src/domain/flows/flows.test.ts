// Runs cases.json: flow JSON validation (the 400s), trigger semantics, the step machine, waits, the policy.
import { describe, expect, it } from 'vitest'
import cases from './cases.json'
import type { FlowLead } from './conditions'
import { applyPolicy, effectivePolicy } from './policy'
import { waitUntil } from './schedule'
import { FlowDefinition, FlowInput, type FlowStep, type FlowTrigger, type WaitStep } from './schema'
import { planStep } from './steps'
import { FLOW_TEMPLATES } from './templates'
import { countCrossed, evaluateTrigger, nextEnrollmentNumber, type FlowEvent } from './triggers'

const lead = (over: Partial<FlowLead> = {}): FlowLead => ({
  id: 'ld_1', email: null, userId: null, stage: 'visitor', score: 0, sessions: 1, lastSeen: 0, traits: {}, ...over,
})

describe('flow validation', () => {
  // Catches a schema that accepts a broken flow, or rejects one with an unreadable issue.
  for (const c of cases.validation) {
    it(c.name, () => {
      const result = FlowDefinition.safeParse(c.flow)
      if ('valid' in c) return expect(result.success, JSON.stringify(result.error?.issues)).toBe(true)
      expect(result.success).toBe(false)
      const issues = result.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
      expect(issues.some((i) => i.path === c.issue!.path && i.message.includes(c.issue!.message)), JSON.stringify(issues)).toBe(true)
    })
  }
  it('every template is a valid flow', () => {
    for (const template of FLOW_TEMPLATES) expect(FlowInput.safeParse(template.flow).success, template.id).toBe(true)
  })
})

describe('triggers', () => {
  // Catches a trigger that fires on the wrong event, re-fires after a crossing, or ignores its count.
  for (const c of cases.triggers) {
    it(c.name, () => {
      const events: FlowEvent[] = ((c as { events?: Array<Partial<FlowEvent>> }).events ?? []).map((e) => ({
        type: e.type!, name: e.name ?? null, ts: 1000, data: e.data ?? null, context: null,
      }))
      const before = 'before' in c ? (c.before as { score: number; stage: string } | null) : { score: 0, stage: 'visitor' }
      const after = lead((c as { after?: Partial<FlowLead> }).after)
      const verdict = evaluateTrigger(c.trigger as FlowTrigger, { before, after, events })
      expect(verdict.fires).toBe(c.fires)
      if (verdict.fires === 'count') expect(countCrossed(c.trigger as FlowTrigger, c.history!, verdict.inBatch)).toBe(c.crossed)
    })
  }
  it('re-entry: once never twice, cool-down after N days, never while active', () => {
    const day = 86_400_000
    expect(nextEnrollmentNumber({ reentry: { type: 'once' } }, null, 0)).toBe(1)
    expect(nextEnrollmentNumber({ reentry: { type: 'once' } }, { number: 1, status: 'completed', enrolledAt: 0, endedAt: 0 }, 999 * day)).toBeNull()
    const cool = { reentry: { type: 'cooldown' as const, days: 7 } }
    expect(nextEnrollmentNumber(cool, { number: 1, status: 'completed', enrolledAt: 0, endedAt: day }, 5 * day)).toBeNull()
    expect(nextEnrollmentNumber(cool, { number: 1, status: 'completed', enrolledAt: 0, endedAt: day }, 8 * day)).toBe(2)
    expect(nextEnrollmentNumber(cool, { number: 2, status: 'active', enrolledAt: 0, endedAt: null }, 80 * day)).toBeNull()
  })
})

describe('step machine', () => {
  // Catches wrong branch arms, lost continuation after a branch, and running a step that was removed.
  for (const c of cases.steps) {
    it(c.name, () => {
      const plan = planStep(c.steps as FlowStep[], c.path, lead(c.lead as Partial<FlowLead>))
      expect(plan.kind).toBe(c.plan)
      if ('next' in c && plan.kind !== 'missing') expect(plan.next).toBe(c.next)
    })
  }
  it('subject-line variants are deterministic per lead and split leads', () => {
    const steps: FlowStep[] = [{ type: 'email', subjects: ['A', 'B'], body: 'x' }]
    const variants = Array.from({ length: 200 }, (_, i) => (planStep(steps, '0', lead({ id: `ld_${i}` })) as { variant: string }).variant)
    expect(planStep(steps, '0', lead({ id: 'ld_7' }))).toMatchObject({ variant: variants[7] })
    const a = variants.filter((v) => v === '0').length
    expect(a).toBeGreaterThan(70)
    expect(a).toBeLessThan(130)
  })
})

describe('waits and policy', () => {
  // Catches time-of-day waits computed in UTC instead of the lead's zone, and DST off-by-an-hour.
  for (const c of cases.waits) {
    it(c.name, () => expect(new Date(waitUntil(c.step as WaitStep, Date.parse(c.now), c.zone)).toISOString()).toBe(c.until))
  }
  // Catches caps that drop instead of delaying, or quiet hours read in the wrong zone.
  for (const c of cases.policy) {
    it(c.name, () => {
      const now = Date.parse(c.now)
      const verdict = applyPolicy(effectivePolicy(undefined, c.policy), c.recentAgoMinutes.map((m) => now - m * 60_000), now, c.zone)
      expect(verdict.send).toBe(c.send)
      if (!verdict.send) {
        expect(verdict.reason).toBe(c.reason)
        expect(verdict.until).toBeGreaterThan(now)
        if (c.until) expect(new Date(verdict.until).toISOString()).toBe(c.until)
      }
    })
  }
})

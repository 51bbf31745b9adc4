// Runs cases/scoring.json against the pure domain functions — identity (applyEvents), then incremental
// scoring (scoreLeadEvents) one event at a time, as the ingest service does — beside the HTTP runner in
// scoring-cases.test.ts. A rule semantic that drifts between the two runners fails one of them.
import { describe, expect, it } from 'vitest'
import { IncomingEvent, normalizeEvent } from '../../worker/src/domain/events'
import { applyEvents, type IdMinter, type Lead } from '../../worker/src/domain/leads'
import { DEFAULT_SCORING } from '../../worker/src/domain/lifecycle'
import { compileRules, RuleInput, type ScoreRule } from '../../worker/src/domain/rules'
import { scoreLeadEvents, type LedgerEntry } from '../../worker/src/domain/scoring'
import table from './cases/scoring.json'

const ORIGIN = 'https://acme.test'
const UNIT_MS = { m: 60_000, d: 86_400_000 } as const
type CaseEvent = { page?: string; track?: string; identify?: Record<string, unknown>; properties?: Record<string, unknown>; referrer?: string; ago?: string }

function agoMs(ago: string | undefined, index: number, count: number): number {
  if (!ago) return (count - index) * 1000
  const match = /^(\d+)([md])$/.exec(ago)!
  return Number(match[1]) * UNIT_MS[match[2] as 'm' | 'd']
}

function toWire(event: CaseEvent, i: number, at: number) {
  const base = { id: `e_${i}`, anonymousId: 'a_case', timestamp: new Date(at).toISOString() }
  if (event.page) return { ...base, type: 'page', context: { url: `${ORIGIN}${event.page}`, referrer: event.referrer ?? '' } }
  if (event.track) return { ...base, type: 'track', event: event.track, properties: event.properties ?? {}, context: { url: `${ORIGIN}/` } }
  return { ...base, type: 'identify', traits: event.identify, context: { url: `${ORIGIN}/signup` } }
}

const ids: IdMinter = { forVisitor: () => 'ld_case', fresh: () => 'ld_fresh' }

describe('score rule semantics, pure functions (cases/scoring.json)', () => {
  for (const testCase of table.cases) {
    it(testCase.name, () => {
      const rules = compileRules(
        testCase.rules.map((rule, i): ScoreRule => {
          const input = RuleInput.parse(rule)
          return { id: `rule_${i}`, name: input.name, points: input.points, limit: input.limit ?? null, expiresDays: input.expiresDays ?? null, enabled: input.enabled ?? true, match: input.match }
        }),
      )
      const now = Date.now()
      const events = testCase.events as CaseEvent[]
      let lead: Lead | undefined
      let ledger: Array<LedgerEntry & { lapsed: boolean }> = []
      for (const [i, wire] of events.entries()) {
        const event = normalizeEvent(IncomingEvent.parse(toWire(wire, i, now - agoMs(wire.ago, i, events.length))), undefined, now)
        const changes = applyEvents({ leads: lead ? [lead] : [], visitors: new Map(lead ? [['a_case', lead.id]] : []) }, [event], ids)
        const changed = changes.write[0]!
        const active = ledger.filter((e) => !e.lapsed)
        const scored = scoreLeadEvents(changed, changes.eventsByLead.get(changed.id) ?? [], active, rules, DEFAULT_SCORING, now)
        // As stored: fit entries that stopped holding are removed, entries already expired are written lapsed.
        ledger = ledger.filter((e) => !(e.kind === 'fit' && scored.removeFit.includes(e.ruleId)))
        ledger.push(...scored.add.map((e) => ({ ...e, lapsed: e.expiresAt !== null && e.expiresAt <= now })))
        lead = scored.lead
      }
      const { entries, ...totals } = testCase.expect as Record<string, unknown> & { entries?: number }
      expect(lead).toMatchObject(totals)
      if (entries !== undefined) expect(ledger).toHaveLength(entries)
    })
  }
})

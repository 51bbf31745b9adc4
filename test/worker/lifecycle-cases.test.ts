// Runs cases/lifecycle.json against the pure stage and RFM functions (stageOf, rfmOf) with the site's
// configuration as the scoring service builds it (scoringConfigOf over stored overrides).
import { describe, expect, it } from 'vitest'
import { rfmOf, scoringConfigOf, stageOf, type LifecycleFacts, type ScoringConfig } from '../../worker/src/domain/lifecycle'
import { DAY_MS } from '../../worker/src/limits'
import table from './cases/lifecycle.json'

type CaseFacts = Partial<Omit<LifecycleFacts, 'lastSeen' | 'lastPurchaseAt' | 'salesEventAt' | 'referralEventAt'>> & {
  daysSinceSeen?: number
  daysSincePurchase?: number
  salesEventDaysAgo?: number
  referralEventDaysAgo?: number
}

const ago = (days: number | undefined, now: number) => (days === undefined ? null : now - days * DAY_MS)

describe('lifecycle stages and RFM (cases/lifecycle.json)', () => {
  for (const testCase of table.cases) {
    it(testCase.name, () => {
      const now = Date.UTC(2026, 5, 1)
      const f = testCase.facts as CaseFacts
      const facts: LifecycleFacts = {
        identified: f.identified ?? false,
        sessions: f.sessions ?? 1,
        score: f.score ?? 0,
        lastSeen: ago(f.daysSinceSeen ?? 0, now)!,
        purchases: f.purchases ?? 0,
        revenue: f.revenue ?? 0,
        lastPurchaseAt: ago(f.daysSincePurchase, now),
        salesEventAt: ago(f.salesEventDaysAgo, now),
        referralEventAt: ago(f.referralEventDaysAgo, now),
      }
      const stored = { preset: testCase.preset, ...('thresholds' in testCase ? { thresholds: testCase.thresholds } : {}) } as Partial<ScoringConfig>
      expect(stageOf(facts, scoringConfigOf(stored), now)).toBe(testCase.expect.stage)
      if ('segment' in testCase.expect) expect(rfmOf(facts, now)?.segment).toBe(testCase.expect.segment)
    })
  }
})

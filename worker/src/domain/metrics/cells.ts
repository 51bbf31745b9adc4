// The metric cells a person adds: (metric, local day, dimension, value). Summing cells over a range gives
// every funnel, channel, time-to-convert and trend number without touching a row per person.
import type { ScoringConfig } from '../lifecycle'
import { DAY_MS, type DayClock } from './days'
import { namedSteps, type LeadFacts } from './facts'

export type Cell = [metric: string, day: number, dim: string, value: number]

export const TOUCHES = ['first', 'last'] as const
export const CHANNEL_KEYS = ['source_medium', 'source', 'medium', 'campaign', 'referrer'] as const
export type Touch = (typeof TOUCHES)[number]
export type ChannelKey = (typeof CHANNEL_KEYS)[number]
export type NamedStep = 'visitors' | 'leads' | 'mqls' | 'customers'

/** Separates a channel from the second part of a dimension (stage, segment, days). */
export const SEP = '\u0000'

export function channelLabel(facts: LeadFacts, touch: Touch, by: ChannelKey): string {
  const pick = (field: 'Source' | 'Medium' | 'Campaign' | 'Referrer') => facts[`${touch}${field}`]
  if (by === 'source_medium') return `${pick('Source')} / ${pick('Medium')}`
  return pick(by === 'source' ? 'Source' : by === 'medium' ? 'Medium' : by === 'campaign' ? 'Campaign' : 'Referrer')
}

/** Metric names, so the reads and the writer agree. */
export const metricName = {
  entered: (step: number) => `entered:${step}`,
  advanced: (step: number) => `advanced:${step}`,
  stay: (step: number) => `stay:${step}`,
  channel: (touch: Touch, by: ChannelKey, step: NamedStep) => `ch:${touch}:${by}:${step}`,
  revenue: (touch: Touch, by: ChannelKey) => `rev:${touch}:${by}`,
  stage: (touch: Touch, by: ChannelKey) => `stage:${touch}:${by}`,
  segment: (touch: Touch, by: ChannelKey) => `seg:${touch}:${by}`,
  toConvert: (touch: Touch, by: ChannelKey, step: 'leads' | 'customers') => `ttc:${touch}:${by}:${step}`,
}
export const CURRENT = 'current'
export const CHURNED = 'churned'

const wholeDays = (ms: number) => Math.max(0, Math.floor(ms / DAY_MS))

export function cellsOf(facts: LeadFacts, preset: ScoringConfig['preset'], clock: DayClock): Cell[] {
  const cells: Cell[] = [[CURRENT, 0, facts.stage, 1]]
  const day = (p: number | null) => (p === null || facts.reached[p] == null ? null : clock.dayOf(facts.reached[p]!))
  facts.reached.forEach((at, p) => {
    if (at === null) return
    const entered = clock.dayOf(at)
    cells.push([metricName.entered(p), entered, '', 1])
    const next = facts.reached[p + 1]
    if (next !== null && next !== undefined) {
      cells.push([metricName.advanced(p), entered, '', 1], [metricName.stay(p), entered, String(wholeDays(next - at)), 1])
    }
  })
  if (facts.churnedAt !== null) cells.push([CHURNED, clock.dayOf(facts.churnedAt), '', 1])
  const named = namedSteps(preset)
  const customerDay = day(named.customers)
  for (const touch of TOUCHES) {
    for (const by of CHANNEL_KEYS) {
      const label = channelLabel(facts, touch, by)
      for (const step of ['visitors', 'leads', 'mqls', 'customers'] as const) {
        const stepDay = day(named[step])
        if (stepDay !== null) cells.push([metricName.channel(touch, by, step), stepDay, label, 1])
      }
      cells.push([metricName.stage(touch, by), day(0)!, `${label}${SEP}${facts.stage}`, 1])
      if (customerDay !== null) {
        cells.push([metricName.revenue(touch, by), customerDay, label, facts.revenue])
        cells.push([metricName.segment(touch, by), customerDay, `${label}${SEP}${facts.segment ?? '(none)'}`, 1])
      }
      for (const step of ['leads', 'customers'] as const) {
        const position = named[step]
        const stepDay = day(position)
        if (position !== null && stepDay !== null) {
          cells.push([metricName.toConvert(touch, by, step), stepDay, `${label}${SEP}${wholeDays(facts.reached[position]! - facts.firstTouchAt)}`, 1])
        }
      }
    }
  }
  return cells
}

/** Net change of cells when a person's cells go from `before` to `after` (zero changes dropped). */
export function cellDeltas(changes: ReadonlyArray<{ before: readonly Cell[]; after: readonly Cell[] }>): Cell[] {
  const sums = new Map<string, Cell>()
  const add = (cell: Cell, sign: number) => {
    const key = `${cell[0]}${SEP}${cell[1]}${SEP}${cell[2]}`
    const current = sums.get(key)
    if (current) current[3] += sign * cell[3]
    else sums.set(key, [cell[0], cell[1], cell[2], sign * cell[3]])
  }
  for (const { before, after } of changes) {
    for (const cell of before) add(cell, -1)
    for (const cell of after) add(cell, 1)
  }
  return [...sums.values()].filter((cell) => Math.abs(cell[3]) > 1e-9)
}

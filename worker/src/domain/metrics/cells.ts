// The metric cells a person adds: (metric, local day, dimension, value). Summing cells over a range gives
// every funnel, channel, time-to-convert and trend number without touching a row per person.
import type { ScoringConfig } from '../lifecycle'
import { DAY_MS, type DayClock } from './days'
import { namedSteps, type LeadFacts } from './facts'

export type Cell = [metric: string, day: number, dim: string, value: number]

export const TOUCHES = ['first', 'last'] as const
export const CHANNEL_KEYS = ['source_medium', 'source', 'medium', 'campaign', 'referrer'] as const
/** Keys kept as cells: source and medium alone are sums over source_medium's cells. */
export const STORED_KEYS = ['source_medium', 'campaign', 'referrer'] as const
export type Touch = (typeof TOUCHES)[number]
export type ChannelKey = (typeof CHANNEL_KEYS)[number]
export type StoredKey = (typeof STORED_KEYS)[number]
export type NamedStep = 'visitors' | 'leads' | 'mqls' | 'customers'

/** Separates a channel from the second part of a dimension (stage, segment, days). */
export const SEP = '\u0000'
/** Separates source from medium inside a stored source_medium channel. */
export const PAIR = '\u0001'

export function channelLabel(facts: LeadFacts, touch: Touch, by: StoredKey): string {
  const first = touch === 'first'
  if (by === 'source_medium') return `${first ? facts.firstSource : facts.lastSource}${PAIR}${first ? facts.firstMedium : facts.lastMedium}`
  if (by === 'campaign') return first ? facts.firstCampaign : facts.lastCampaign
  return first ? facts.firstReferrer : facts.lastReferrer
}

/** Dimensions re-labelled for a channel grouping, summing those that fall together (source alone, …). */
export function relabel(values: ReadonlyMap<string, number> | undefined, show: (label: string) => string): Map<string, number> {
  const out = new Map<string, number>()
  for (const [dim, value] of values ?? []) {
    const cut = dim.indexOf(SEP)
    const key = cut < 0 ? show(dim) : `${show(dim.slice(0, cut))}${dim.slice(cut)}`
    out.set(key, (out.get(key) ?? 0) + value)
  }
  return out
}

/** The stored key a channel grouping reads, and how a stored channel label shows under it. */
export function channelView(by: ChannelKey): { stored: StoredKey; show(label: string): string } {
  if (by === 'campaign' || by === 'referrer') return { stored: by, show: (label) => label }
  const [source, medium] = [(l: string) => l.split(PAIR)[0]!, (l: string) => l.split(PAIR)[1] ?? '']
  if (by === 'source') return { stored: 'source_medium', show: source }
  if (by === 'medium') return { stored: 'source_medium', show: medium }
  return { stored: 'source_medium', show: (label) => `${source(label)} / ${medium(label)}` }
}

/** Metric names, so the reads and the writer agree. */
export const metricName = {
  entered: (step: number) => `entered:${step}`,
  advanced: (step: number) => `advanced:${step}`,
  stay: (step: number) => `stay:${step}`,
  channel: (touch: Touch, by: StoredKey, step: NamedStep) => `ch:${touch}:${by}:${step}`,
  revenue: (touch: Touch, by: StoredKey) => `rev:${touch}:${by}`,
  stage: (touch: Touch, by: StoredKey) => `stage:${touch}:${by}`,
  segment: (touch: Touch, by: StoredKey) => `seg:${touch}:${by}`,
  toConvert: (touch: Touch, by: StoredKey, step: 'leads' | 'customers') => `ttc:${touch}:${by}:${step}`,
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
    for (const by of STORED_KEYS) {
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

// Small SVG charts (no library): the funnel as bars with the conversion between steps, trend lines and a
// histogram. Labels are text nodes, so channel or stage names from the API render as text only.
import { numberFormat, pct } from '../../ui/format'
import type { FunnelStage } from '../../api/types'
import { DEFINITIONS } from './definitions'

const W = 640

export function FunnelChart({ stages }: { stages: FunnelStage[] }) {
  const max = Math.max(1, ...stages.map((s) => Math.max(s.entered, s.current)))
  const rowH = 44
  const label = 120
  const span = W - label - 90
  return (
    <svg class="chart funnel-chart" viewBox={`0 0 ${W} ${stages.length * rowH + 8}`} role="img" aria-label="Funnel: people who entered each step in the range">
      {stages.map((s, i) => {
        const y = i * rowH + 4
        const w = Math.max(2, (s.entered / max) * span)
        const cw = Math.max(s.current ? 2 : 0, (s.current / max) * span)
        return (
          <g>
            <text x={label - 8} y={y + 17} text-anchor="end" class="chart-label">{s.stage}</text>
            <rect x={label} y={y + 2} width={w} height={20} rx={3} class="bar-entered"><title>{`${s.stage}: ${numberFormat.format(s.entered)} entered — ${DEFINITIONS.entered}`}</title></rect>
            <rect x={label} y={y + 24} width={cw} height={6} rx={2} class="bar-current"><title>{`${s.stage}: ${numberFormat.format(s.current)} now — ${DEFINITIONS.current}`}</title></rect>
            <text x={label + w + 6} y={y + 17} class="chart-value">{numberFormat.format(s.entered)}</text>
            {s.conversionToNext != null && (
              <text x={label + span + 88} y={y + 40} text-anchor="end" class="chart-note">
                {`↓ ${pct(s.conversionToNext)}`}
                <title>{DEFINITIONS.conversionToNext}</title>
              </text>
            )}
          </g>
        )
      })}
    </svg>
  )
}

export type Series = { key: string; label: string; values: Array<number | null> }

/** Lines over shared x labels; each series gets its own class (colour) and a legend entry. */
export function LineChart({ labels, series, id }: { labels: string[]; series: Series[]; id: string }) {
  const H = 200
  const pad = { l: 40, r: 10, t: 10, b: 24 }
  const all = series.flatMap((s) => s.values.filter((v): v is number => v != null))
  const max = Math.max(1, ...all)
  const x = (i: number) => pad.l + (labels.length < 2 ? 0 : (i / (labels.length - 1)) * (W - pad.l - pad.r))
  const y = (v: number) => pad.t + (1 - v / max) * (H - pad.t - pad.b)
  const ticks = [0, Math.round(max / 2), max]
  const every = Math.max(1, Math.ceil(labels.length / 6))
  return (
    <figure class="chart-figure" id={id}>
      <svg class="chart line-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={series.map((s) => s.label).join(', ')}>
        {ticks.map((t) => (
          <g>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} class="grid" />
            <text x={pad.l - 6} y={y(t) + 4} text-anchor="end" class="chart-axis">{numberFormat.format(t)}</text>
          </g>
        ))}
        {labels.map((l, i) => (i % every === 0 ? <text x={x(i)} y={H - 6} text-anchor="middle" class="chart-axis">{l.slice(5)}</text> : null))}
        {series.map((s, n) => {
          const points = s.values.map((v, i) => (v == null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean)
          return <polyline class={`line line-${n}`} points={points.join(' ')}><title>{s.label}</title></polyline>
        })}
      </svg>
      <figcaption class="legend">
        {series.map((s, n) => (
          <span class={`key key-${n}`}>{s.label}</span>
        ))}
      </figcaption>
    </figure>
  )
}

export function Histogram({ bins, label }: { bins: Array<{ days: string; count: number }>; label: string }) {
  const H = 160
  const pad = { l: 8, b: 22, t: 16 }
  const max = Math.max(1, ...bins.map((b) => b.count))
  const slot = (W - pad.l * 2) / Math.max(1, bins.length)
  return (
    <svg class="chart histogram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {bins.map((b, i) => {
        const h = (b.count / max) * (H - pad.b - pad.t)
        const x = pad.l + i * slot
        return (
          <g>
            <rect x={x + 4} y={H - pad.b - h} width={slot - 8} height={h} rx={2} class="bar-entered"><title>{`${b.days} days: ${numberFormat.format(b.count)}`}</title></rect>
            <text x={x + slot / 2} y={H - pad.b - h - 4} text-anchor="middle" class="chart-value">{b.count ? numberFormat.format(b.count) : ''}</text>
            <text x={x + slot / 2} y={H - 6} text-anchor="middle" class="chart-axis">{`${b.days} d`}</text>
          </g>
        )
      })}
    </svg>
  )
}

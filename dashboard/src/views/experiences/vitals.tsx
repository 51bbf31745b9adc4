// Web vitals (p75) per arm and page, from the SDK's `Web Vitals` events; Google's good / poor thresholds.
import { errorText } from '../../api/client'
import type { ExperienceResult, VitalsReport, VitalsRow } from '../../api/types'
import { Dash, numberFormat, plural } from '../../ui/format'

type Metric = 'LCP' | 'CLS' | 'INP'
const ms = (n: number) => `${numberFormat.format(Math.round(n))} ms`
const METRICS: Array<[Metric, number, number, (n: number) => string]> = [['LCP', 2500, 4000, ms], ['CLS', 0.1, 0.25, (n) => n.toFixed(3)], ['INP', 200, 500, ms]]

/** One cell; when other experiences split an arm and page into several rows, p75s are count-weighted (≈). */
function Cell({ metric: [m, good, poor, fmt], rows }: { metric: (typeof METRICS)[number]; rows: VitalsRow[] }) {
  const parts = rows.filter((r) => r[m]?.p75 != null && r[m].count > 0)
  const n = parts.reduce((t, r) => t + r[m].count, 0)
  if (!n) return <td class="num"><Dash /></td>
  const value = parts.reduce((t, r) => t + (r[m].p75 ?? 0) * r[m].count, 0) / n
  const rating = value <= good ? 'good' : value > poor ? 'poor' : 'ni'
  return (
    <td class={`num vital-${rating}`} title={`${m} p75 over ${plural(n, 'sample')}: ${rating === 'ni' ? 'needs improvement' : rating}`}>
      {parts.length > 1 ? '≈ ' : ''}{fmt(value)}
    </td>
  )
}

export function Vitals({ expId, result, report, error }: { expId: string; result: ExperienceResult | undefined; report: VitalsReport | null; error: unknown }) {
  const head = <h2>Page experience (web vitals)</h2>
  if (error) return <>{head}<p class="error" id="exp-vitals-error" role="alert">{`Could not load web vitals: ${errorText(error)}`}</p></>
  const names = new Map((result?.variants ?? []).map((a) => [a.id, a.name]))
  const groups = new Map<string, { arm: string; page: string; list: VitalsRow[] }>()
  for (const p of report?.pages ?? []) {
    const pair = String(p.experiences).split(',').map((e) => e.trim()).find((e) => e.startsWith(`${expId}:`))
    if (!pair) continue
    const arm = pair.slice(expId.length + 1)
    const key = `${arm}\u0000${p.page}`
    if (!groups.has(key)) groups.set(key, { arm, page: String(p.page), list: [] })
    groups.get(key)!.list.push(p)
  }
  const ids = ['control', ...names.keys()]
  const rank = (arm: string) => (ids.includes(arm) ? ids.indexOf(arm) : ids.length)
  const rows = [...groups.values()].sort((a, b) => rank(a.arm) - rank(b.arm) || a.arm.localeCompare(b.arm) || a.page.localeCompare(b.page))
  if (!rows.length) return <>{head}<p class="muted" id="exp-vitals-empty">No web-vitals samples for this experience yet (the SDK reports them from /sdk-vitals.js after visitors leave a page).</p></>
  return (
    <>
      {head}
      <div class="table-wrap">
        <table class="compact" id="exp-vitals-table">
          <thead><tr><th>Variant</th><th>Page</th>{['LCP p75', 'CLS p75', 'INP p75', 'Samples'].map((h) => <th class="num">{h}</th>)}</tr></thead>
          <tbody>
            {rows.map(({ arm, page, list }) => (
              <tr data-variant-id={arm}>
                <th scope="row">{arm === 'control' ? 'Control' : names.get(arm) || arm}</th>
                <td>{page}</td>
                {METRICS.map((m) => <Cell metric={m} rows={list} />)}
                <td class="num">{numberFormat.format(list.reduce((t, r) => t + (r.LCP?.count || 0), 0))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

// Results: per arm exposures, conversions, rate, lift vs control, p-value and a plain-language verdict for a
// date range, and web vitals (p75) per arm and page. A new range aborts the requests of the previous one.
import { useState } from 'hono/jsx/dom'
import { errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { Arm, ExperienceResult, VitalsReport } from '../../api/types'
import { Badge, Dash, numberFormat, pct } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { href } from '../../router'
import { Vitals } from './vitals'

const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`)

/** Local dates as an ISO range; `to` is exclusive, so the whole end day counts. */
function rangeOf(from: string, to: string) {
  const range: { from?: string; to?: string } = {}
  if (from) range.from = new Date(`${from}T00:00:00`).toISOString()
  if (to) {
    const end = new Date(`${to}T00:00:00`)
    end.setDate(end.getDate() + 1)
    range.to = end.toISOString()
  }
  return range
}

export function ResultsView({ siteId, expId }: { siteId: string; expId: string }) {
  const site = useSite(siteId)
  const [dates, setDates] = useState({ from: '', to: '' })
  const [range, setRange] = useState<{ from?: string; to?: string }>({})
  const [rangeError, setRangeError] = useState('')
  const key = [siteId, expId, JSON.stringify(range)]
  const results = useLoad((signal) => (site ? api.results(siteId, range, signal) : Promise.reject(new Error(NO_SITE))), key)
  // Web vitals load alongside; their failure shows in their own card only.
  const vitals = useLoad((signal) => (site ? api.vitals(siteId, range, signal) : Promise.resolve(null as VitalsReport | null)), key)
  const apply = (event: Event) => {
    event.preventDefault()
    if (dates.from && dates.to && dates.from > dates.to) return setRangeError('The start date is after the end date.')
    setRangeError('')
    setRange(rangeOf(dates.from, dates.to))
  }
  const result = results.data?.experiences.find((x) => x.id === expId)
  const error = rangeError || (results.error ? errorText(results.error) : '')
  const crumbs = <> / <a class="crumb-exps" href={href.tab(siteId, 'experiences')}>Experiences</a></>
  return (
    <SiteFrame view="results" siteId={siteId} tab="experiences" heading="Results" crumbs={crumbs}>
      <form id="exp-range" class="toolbar" onSubmit={apply}>
        <div class="field"><label for="exp-results-from">From</label><input id="exp-results-from" type="date" value={dates.from} onInput={(e: Event) => setDates({ ...dates, from: (e.target as HTMLInputElement).value })} /></div>
        <div class="field"><label for="exp-results-to">To</label><input id="exp-results-to" type="date" value={dates.to} onInput={(e: Event) => setDates({ ...dates, to: (e.target as HTMLInputElement).value })} /></div>
        <button type="submit" id="exp-results-apply">Apply</button>
        <a id="exp-results-edit" class="button-link" href={href.experience(siteId, expId)}>Edit experience</a>
      </form>
      <p id="exp-results-error" class="error" role="alert" hidden={!error}>{error}</p>
      <div id="exp-results" class="card" aria-busy={results.loading ? 'true' : undefined}>
        {result ? <ResultTable r={result} /> : results.data ? <p class="empty">No experience with this id on this site.</p> : null}
      </div>
      <div id="exp-vitals" class="card">
        {vitals.loading && !vitals.data ? null : <Vitals expId={expId} result={result} report={vitals.data ?? null} error={vitals.error} />}
      </div>
    </SiteFrame>
  )
}

const Lift = ({ arm, control }: { arm: Arm; control: Arm }) =>
  arm.lift == null ? (
    <span class="muted" title={control.exposures ? 'Control has no conversions yet' : 'No control exposures'}>n/a</span>
  ) : (
    <span class={arm.lift > 0 ? 'pos' : arm.lift < 0 ? 'neg' : 'muted'}>{`${arm.lift > 0 ? '+' : arm.lift < 0 ? '−' : ''}${pct(Math.abs(arm.lift), 0)}`}</span>
  )

/** "Deal converts 33% better than control (p = 0.003)" or "Not enough evidence yet …". */
export function verdict(v: Arm, r: ExperienceResult): string {
  if (!r.control.exposures) return `Not enough evidence yet for ${v.name}: no visitor is in the control group${r.controlPercent ? '' : ' (control is 0%)'}, so there is nothing to compare with.`
  if (v.significant && v.pValue != null) {
    const size = v.lift == null ? '' : `${pct(Math.abs(v.lift), 0)} `
    return `${v.name} converts ${size}${v.lift != null && v.lift < 0 ? 'worse' : 'better'} than control (${pText(v.pValue)}).`
  }
  const detail = [v.lift != null && `${v.lift >= 0 ? '+' : '−'}${pct(Math.abs(v.lift), 0)} vs control`, v.pValue != null && pText(v.pValue)].filter(Boolean)
  return `Not enough evidence yet for ${v.name}${detail.length ? ` (${detail.join(', ')})` : ''}.`
}

function ResultTable({ r }: { r: ExperienceResult }) {
  const num = (n: number) => <td class="num">{numberFormat.format(n)}</td>
  const row = (arm: Arm, control: boolean) => (
    <tr class={control ? 'arm arm-control' : 'arm'} data-variant-id={arm.id}>
      <th scope="row">{arm.name}{control ? <span class="muted">{` (${r.controlPercent}% held out)`}</span> : null}</th>
      {num(arm.exposures)}
      {num(arm.conversions)}
      <td class="num">{pct(arm.conversionRate)}</td>
      <td class="num">{control ? <span class="muted">baseline</span> : <Lift arm={arm} control={r.control} />}</td>
      <td class="num">{control || arm.pValue == null ? <Dash /> : arm.pValue < 0.001 ? '< 0.001' : arm.pValue.toFixed(3)}</td>
      <td>{!control && arm.significant ? <span class="badge significant">significant</span> : null}</td>
    </tr>
  )
  return (
    <>
      <div class="card-head">
        <h2>{r.name} <Badge name={r.status} prefix="status" /></h2>
        <span class="muted">{r.goal ? `Goal: ${r.goal}` : 'No goal event: conversions are not counted. Set one in the editor.'}</span>
      </div>
      <div class="table-wrap">
        <table class="compact" id="exp-results-table">
          <thead>
            <tr><th>Arm</th>{['Exposures', 'Conversions', 'Conversion rate', 'Lift vs control', 'p-value'].map((h) => <th class="num">{h}</th>)}<th>Significance</th></tr>
          </thead>
          <tbody>{row(r.control, true)}{r.variants.map((v) => row(v, false))}</tbody>
        </table>
      </div>
      <ul class="verdicts">{r.variants.map((v) => <li class={v.significant ? 'win' : undefined}>{verdict(v, r)}</li>)}</ul>
      <p class="muted hint">Two-sided two-proportion z-test against control; significant when p &lt; 0.05. Exposures count each visitor once.</p>
    </>
  )
}

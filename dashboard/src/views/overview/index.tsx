// The landing view of a site: headline numbers with deltas against the previous period, the funnel, trends,
// channels (first/last touch, grouping, sortable), the channel × stage / segment matrix, time to convert,
// experiments and messages for one date range. A new range aborts the requests of the previous one.
import { useState } from 'hono/jsx/dom'
import { errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { ChannelGrouping, Channels, ChannelTouch, Trends } from '../../api/types'
import { dateFormat, pct } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { DEFINITIONS, type Term } from './definitions'
import { delta, instantsOf, isDate, lastDays, previousPeriod, todayIn, type Dates } from './range'
import { MessagesCard } from './messages'
import { channelColumns, ExperimentsCard, FunnelCard, MatrixCard, TimeToConvertCard, TrendsCard } from './sections'
import { Num, SortableTable } from './table'

const PRESETS = [7, 30, 90] as const

const sum = (values: Array<number | null>) => (values.length > 0 && values.every((v) => v == null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0))
const trendTotals = (t: Trends) => ({
  newLeads: sum(t.points.map((p) => p.newLeads)),
  mqls: sum(t.points.map((p) => p.mqls)),
  customers: sum(t.points.map((p) => p.customers)),
  churned: sum(t.points.map((p) => p.churned)),
})
const channelTotals = (c: Channels) => ({ visitors: sum(c.channels.map((r) => r.visitors)), revenue: sum(c.channels.map((r) => r.revenue)) })

export function OverviewView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const timeZone = site?.settings.timeZone
  const [range, setRange] = useState<Dates>(() => lastDays(30, todayIn(timeZone)))
  const [draft, setDraft] = useState<Dates>(range)
  const [compare, setCompare] = useState(true)
  const [touch, setTouch] = useState<ChannelTouch>('first')
  const [by, setBy] = useState<ChannelGrouping>('source_medium')
  const [interval, setInterval] = useState<'day' | 'week'>('day')
  const [rangeError, setRangeError] = useState('')
  const previous = previousPeriod(range)
  const need = <T,>(load: () => Promise<T>) => (site ? load() : Promise.reject(new Error(NO_SITE)))

  const main = useLoad(
    (signal) =>
      need(() =>
        Promise.all([
          api.funnel(siteId, range, signal),
          api.trends(siteId, { ...range, interval }, signal),
          api.messages(siteId, range, signal),
          api.results(siteId, instantsOf(range, timeZone), signal),
          compare ? api.trends(siteId, { ...previous, interval }, signal) : Promise.resolve(null),
        ]),
      ),
    [siteId, range.from, range.to, interval, compare],
  )
  const channel = useLoad(
    (signal) =>
      need(() =>
        Promise.all([
          api.channels(siteId, { ...range, touch, by }, signal),
          api.timeToConvert(siteId, { ...range, touch, by }, signal),
          compare ? api.channels(siteId, { ...previous, touch, by }, signal) : Promise.resolve(null),
        ]),
      ),
    [siteId, range.from, range.to, touch, by, compare],
  )

  const apply = (event: Event) => {
    event.preventDefault()
    if (!isDate(draft.from) || !isDate(draft.to)) return setRangeError('Pick a start and an end date.')
    if (draft.from > draft.to) return setRangeError('The start date is after the end date.')
    setRangeError('')
    setRange({ ...draft })
  }
  const preset = (days: number) => {
    const next = lastDays(days, todayIn(timeZone))
    setDraft(next)
    setRange(next)
    setRangeError('')
  }
  const [funnel, trends, messages, results, trendsBefore] = main.data ?? []
  const [channels, ttc, channelsBefore] = channel.data ?? []
  const error = rangeError || (main.error ? errorText(main.error) : '') || (channel.error ? errorText(channel.error) : '')
  const now = trends && channels ? { ...trendTotals(trends), ...channelTotals(channels) } : null
  const before = trendsBefore && channelsBefore ? { ...trendTotals(trendsBefore), ...channelTotals(channelsBefore) } : null
  const velocity = trends?.leadVelocity.at(-1)
  const noData = funnel && channels && trends && funnel.stages.every((s) => !s.entered && !s.current) && channels.channels.length === 0 && trends.points.every((p) => !p.visitors)
  const input = (key: keyof Dates) => (e: Event) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value })

  return (
    <SiteFrame view="overview" siteId={siteId} tab="overview" heading="Overview">
      <form id="ov-range" class="toolbar" onSubmit={apply}>
        <div class="field"><label for="ov-from">From</label><input id="ov-from" type="date" value={draft.from} onInput={input('from')} /></div>
        <div class="field"><label for="ov-to">To</label><input id="ov-to" type="date" value={draft.to} onInput={input('to')} /></div>
        <button type="submit" id="ov-apply">Apply</button>
        {PRESETS.map((d) => (
          <button type="button" class="ghost" data-days={String(d)} onClick={() => preset(d)}>{`Last ${d} days`}</button>
        ))}
        <label class="inline" title={DEFINITIONS.delta}>
          <input id="ov-compare" type="checkbox" checked={compare} onChange={(e: Event) => setCompare((e.target as HTMLInputElement).checked)} /> Compare with {previous.from} – {previous.to}
        </label>
      </form>
      <p id="ov-error" class="error" role="alert" hidden={!error}>{error}</p>
      <p class="muted" id="ov-asof">
        {funnel ? `${funnel.from} – ${funnel.to} (${funnel.timeZone}) · ${funnel.asOf ? `roll-ups as of ${dateFormat.format(new Date(funnel.asOf))}` : 'roll-ups not complete yet'}` : 'Loading…'}
      </p>
      {noData && (
        <p class="card empty" id="ov-empty">
          No data for this site in this range yet. Once the script tag is on your pages, visits, leads and customers show up here.
        </p>
      )}
      <div class="kpis" id="ov-kpis" aria-busy={main.loading || channel.loading ? 'true' : undefined}>
        <Kpi id="visitors" label="Visitors" term="visitors" now={now?.visitors} before={before?.visitors} />
        <Kpi id="newLeads" label="New leads" term="newLeads" now={now?.newLeads} before={before?.newLeads} />
        <Kpi id="mqls" label="MQLs" term="trendMqls" now={now?.mqls} before={before?.mqls} />
        <Kpi id="customers" label="Customers" term="trendCustomers" now={now?.customers} before={before?.customers} />
        <Kpi id="churned" label="Churned" term="churned" now={now?.churned} before={before?.churned} lowerIsBetter />
        <Kpi id="revenue" label="Revenue" term="revenue" now={now?.revenue} before={before?.revenue} kind="money" />
        <div class="kpi" data-kpi="leadVelocity">
          <span class="kpi-label">Lead velocity {velocity ? `(${velocity.month})` : ''}</span>
          <Num term="leadVelocity" value={velocity?.rate ?? null} kind="rate" />
        </div>
      </div>
      {funnel && <FunnelCard funnel={funnel} />}
      {trends && <TrendsCard trends={trends} interval={interval} setInterval={setInterval} />}
      <div class="card" id="ov-channels">
        <div class="card-head">
          <h2>Channels</h2>
          <label class="inline">
            Touch{' '}
            <select id="ov-touch" value={touch} onChange={(e: Event) => setTouch((e.target as HTMLSelectElement).value as ChannelTouch)}>
              <option value="first">First touch</option>
              <option value="last">Last touch</option>
            </select>
          </label>
          <label class="inline">
            Group by{' '}
            <select id="ov-by" value={by} onChange={(e: Event) => setBy((e.target as HTMLSelectElement).value as ChannelGrouping)}>
              <option value="source_medium">Source / medium</option>
              <option value="source">Source</option>
              <option value="medium">Medium</option>
              <option value="campaign">Campaign</option>
              <option value="referrer">Referrer</option>
            </select>
          </label>
        </div>
        {channels && (
          <SortableTable id="ov-channels-table" caption="Channels" rows={channels.channels} columns={channelColumns(by)} empty="No visitors from any channel in this range." filename={`channels-${touch}-${by}.csv`} />
        )}
      </div>
      {channels && <MatrixCard channels={channels} />}
      {ttc && <TimeToConvertCard ttc={ttc} />}
      {results && <ExperimentsCard siteId={siteId} results={results.experiences} />}
      {messages && <MessagesCard messages={messages} />}
    </SiteFrame>
  )
}

type KpiProps = { id: string; label: string; term: Term; now: number | null | undefined; before: number | null | undefined; kind?: 'money'; lowerIsBetter?: boolean }

function Kpi({ id, label, term, now, before, kind, lowerIsBetter }: KpiProps) {
  const change = delta(now, before)
  const good = change == null || change === 0 ? 'muted' : (change > 0) !== !!lowerIsBetter ? 'pos' : 'neg'
  return (
    <div class="kpi" data-kpi={id}>
      <span class="kpi-label">{label}</span>
      <Num term={term} value={now ?? null} kind={kind} />
      {before !== undefined && (
        <span class={`kpi-delta ${good}`} title={`${DEFINITIONS.delta} Before: ${before ?? '—'}`} data-before={before == null ? '' : String(before)}>
          {change == null ? (before === 0 && now ? 'new' : '—') : `${change >= 0 ? '+' : '−'}${pct(Math.abs(change))}`}
        </span>
      )}
    </div>
  )
}

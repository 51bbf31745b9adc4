// The overview's cards: funnel, trends, channels, channel × stage / segment matrix, time to convert,
// experiments (messages: messages.tsx). Each shows its own empty state; every number carries its definition.
import { useState } from 'hono/jsx/dom'
import type { ChannelRow, Channels, ExperienceResult, Funnel, TimeToConvert, Trends } from '../../api/types'
import { href } from '../../router'
import { FunnelChart, Histogram, LineChart, type Series } from './charts'
import { DEFINITIONS, type Term } from './definitions'
import { Num, SortableTable, type Column } from './table'

export const Info = ({ term }: { term: Term }) => (
  <abbr class="info" title={DEFINITIONS[term]} aria-label={DEFINITIONS[term]}>ⓘ</abbr>
)

export function FunnelCard({ funnel }: { funnel: Funnel }) {
  const empty = funnel.stages.every((s) => !s.entered && !s.current)
  const rows = funnel.stages
  const columns: Array<Column<(typeof rows)[number]>> = [
    { key: 'stage', label: 'Step', kind: 'text', value: (s) => s.stage },
    { key: 'entered', label: 'Entered', term: 'entered', value: (s) => s.entered },
    { key: 'current', label: 'Now in step', term: 'current', value: (s) => s.current },
    { key: 'conversionToNext', label: 'To next step', term: 'conversionToNext', kind: 'rate', value: (s) => s.conversionToNext },
    { key: 'medianDaysInStage', label: 'Median days', term: 'medianDaysInStage', kind: 'days', value: (s) => s.medianDaysInStage },
  ]
  return (
    <div class="card" id="ov-funnel">
      <h2>Funnel <span class="muted sub">({funnel.preset} preset)</span> <Info term="entered" /></h2>
      {empty ? <p class="empty">No one reached a funnel step in this range yet. Install the script tag and visits will show here.</p> : <FunnelChart stages={funnel.stages} />}
      {Object.keys(funnel.afterJourney).length > 0 && (
        <p class="after-journey" title={DEFINITIONS.afterJourney}>
          After the journey: <Num term="afterJourney" value={funnel.afterJourney.at_risk ?? 0} /> at risk · <Num term="afterJourney" value={funnel.afterJourney.lost ?? 0} /> lost
        </p>
      )}
      <SortableTable id="ov-funnel-table" caption="Funnel steps" rows={empty ? [] : rows} columns={columns} empty="No funnel numbers for this range." filename="funnel.csv" />
    </div>
  )
}

export function TrendsCard({ trends, interval, setInterval }: { trends: Trends; interval: 'day' | 'week'; setInterval: (i: 'day' | 'week') => void }) {
  const labels = trends.points.map((p) => p.start)
  const people: Series[] = [
    { key: 'newLeads', label: 'New leads', values: trends.points.map((p) => p.newLeads) },
    { key: 'mqls', label: 'MQLs', values: trends.points.map((p) => p.mqls) },
    { key: 'customers', label: 'Customers', values: trends.points.map((p) => p.customers) },
    { key: 'churned', label: 'Churned', values: trends.points.map((p) => p.churned) },
  ].filter((s) => s.values.some((v) => v != null))
  const empty = trends.points.every((p) => !p.visitors && !p.newLeads && !p.mqls && !p.customers && !p.churned)
  const columns: Array<Column<(typeof trends.points)[number]>> = [
    { key: 'start', label: interval === 'week' ? 'Week of' : 'Day', kind: 'text', value: (p) => p.start },
    { key: 'visitors', label: 'Visitors', term: 'trendVisitors', value: (p) => p.visitors },
    { key: 'newLeads', label: 'New leads', term: 'newLeads', value: (p) => p.newLeads },
    { key: 'mqls', label: 'MQLs', term: 'trendMqls', value: (p) => p.mqls },
    { key: 'customers', label: 'Customers', term: 'trendCustomers', value: (p) => p.customers },
    { key: 'churned', label: 'Churned', term: 'churned', value: (p) => p.churned },
  ]
  return (
    <div class="card" id="ov-trends">
      <div class="card-head">
        <h2>Trends <Info term="trendVisitors" /></h2>
        <label class="inline">
          Interval{' '}
          <select id="ov-interval" value={interval} onChange={(e: Event) => setInterval((e.target as HTMLSelectElement).value as 'day' | 'week')}>
            <option value="day">Daily</option>
            <option value="week">Weekly</option>
          </select>
        </label>
      </div>
      {empty ? (
        <p class="empty">No visits or stage changes in this range.</p>
      ) : (
        <div class="split">
          <LineChart id="ov-visitors-chart" labels={labels} series={[{ key: 'visitors', label: 'Visitors', values: trends.points.map((p) => p.visitors) }]} />
          <LineChart id="ov-people-chart" labels={labels} series={people} />
        </div>
      )}
      <h3>Lead velocity <Info term="leadVelocity" /></h3>
      <SortableTable
        id="ov-velocity"
        caption="Lead velocity per month"
        rows={trends.leadVelocity.filter((m) => m.mqls || m.previousMqls)}
        columns={[
          { key: 'month', label: 'Month', kind: 'text', value: (m) => m.month },
          { key: 'mqls', label: 'Qualified', term: 'leadVelocity', value: (m) => m.mqls },
          { key: 'previousMqls', label: 'Month before', term: 'leadVelocity', value: (m) => m.previousMqls },
          { key: 'rate', label: 'Velocity', term: 'leadVelocity', kind: 'rate', value: (m) => m.rate },
        ]}
        empty="No qualified leads in these months."
        filename="lead-velocity.csv"
      />
      <details>
        <summary>Numbers per {interval}</summary>
        <SortableTable id="ov-trends-table" caption="Trends" rows={empty ? [] : trends.points} columns={columns} empty="Nothing to list." filename="trends.csv" />
      </details>
    </div>
  )
}

export const channelColumns = (by: string): Array<Column<ChannelRow>> => [
  { key: 'channel', label: by === 'referrer' ? 'Referrer' : 'Channel', kind: 'text', value: (r) => r.channel },
  { key: 'visitors', label: 'Visitors', term: 'visitors', value: (r) => r.visitors },
  { key: 'leads', label: 'Leads', term: 'leads', value: (r) => r.leads },
  { key: 'mqls', label: 'MQLs', term: 'mqls', value: (r) => r.mqls },
  { key: 'customers', label: 'Customers', term: 'customers', value: (r) => r.customers },
  { key: 'revenue', label: 'Revenue', term: 'revenue', kind: 'money', value: (r) => r.revenue },
  { key: 'visitorToLead', label: 'Visitor → lead', term: 'visitorToLead', kind: 'rate', value: (r) => r.rates.visitorToLead },
  { key: 'leadToMql', label: 'Lead → MQL', term: 'leadToMql', kind: 'rate', value: (r) => r.rates.leadToMql },
  { key: 'mqlToCustomer', label: 'MQL → customer', term: 'mqlToCustomer', kind: 'rate', value: (r) => r.rates.mqlToCustomer },
  { key: 'visitorToCustomer', label: 'Visitor → customer', term: 'visitorToCustomer', kind: 'rate', value: (r) => r.rates.visitorToCustomer },
]

export function MatrixCard({ channels }: { channels: Channels }) {
  const [of, setOf] = useState<'stages' | 'segments'>('stages')
  const keys = [...new Set(channels.channels.flatMap((r) => Object.keys(r[of])))].sort()
  const rows = channels.channels.filter((r) => Object.keys(r[of]).length > 0)
  const columns: Array<Column<ChannelRow>> = [
    { key: 'channel', label: 'Channel', kind: 'text', value: (r) => r.channel },
    ...keys.map((k): Column<ChannelRow> => ({ key: `${of}:${k}`, label: k, term: of, value: (r) => r[of][k] ?? 0 })),
  ]
  return (
    <div class="card" id="ov-matrix">
      <div class="card-head">
        <h2>Channel × {of === 'stages' ? 'lifecycle stage' : 'RFM segment'} <Info term={of} /></h2>
        <label class="inline">
          Show{' '}
          <select id="ov-matrix-of" value={of} onChange={(e: Event) => setOf((e.target as HTMLSelectElement).value as 'stages' | 'segments')}>
            <option value="stages">Current stage</option>
            <option value="segments">RFM segment of customers</option>
          </select>
        </label>
      </div>
      <SortableTable id="ov-matrix-table" caption="Channel by stage" rows={rows} columns={columns} empty={of === 'stages' ? 'No one was first seen in this range.' : 'No one became a customer in this range.'} filename={`channel-${of}.csv`} />
    </div>
  )
}

export function TimeToConvertCard({ ttc }: { ttc: TimeToConvert }) {
  const [step, setStep] = useState<'toLead' | 'toCustomer'>('toLead')
  const dist = ttc[step]
  return (
    <div class="card" id="ov-ttc">
      <div class="card-head">
        <h2>Time to convert <Info term={step} /></h2>
        <label class="inline">
          From first touch to{' '}
          <select id="ov-ttc-step" value={step} onChange={(e: Event) => setStep((e.target as HTMLSelectElement).value as 'toLead' | 'toCustomer')}>
            <option value="toLead">lead</option>
            <option value="toCustomer">customer</option>
          </select>
        </label>
      </div>
      {!dist ? (
        <p class="empty">This funnel preset has no such step.</p>
      ) : dist.count === 0 ? (
        <p class="empty">No one reached this step in the range.</p>
      ) : (
        <>
          <p class="stats">
            <Num term={step} value={dist.count} /> people · median <Num term={step} value={dist.median} kind="days" /> · p75 <Num term={step} value={dist.p75} kind="days" /> · p90{' '}
            <Num term={step} value={dist.p90} kind="days" />
          </p>
          <Histogram bins={dist.histogram} label="Days from first touch, histogram" />
        </>
      )}
      <SortableTable
        id="ov-ttc-table"
        caption="Time to convert per channel"
        rows={dist?.channels ?? []}
        columns={[
          { key: 'channel', label: 'Channel', kind: 'text', value: (r) => r.channel },
          { key: 'count', label: 'People', term: step, value: (r) => r.count },
          { key: 'median', label: 'Median', term: step, kind: 'days', value: (r) => r.median },
          { key: 'p75', label: 'p75', term: step, kind: 'days', value: (r) => r.p75 },
          { key: 'p90', label: 'p90', term: step, kind: 'days', value: (r) => r.p90 },
        ]}
        empty="No channel to show."
        filename={`time-to-${step === 'toLead' ? 'lead' : 'customer'}.csv`}
      />
    </div>
  )
}

type Arm = ExperienceResult['control']
export function ExperimentsCard({ siteId, results }: { siteId: string; results: ExperienceResult[] }) {
  const rows = results.flatMap((r) => [r.control, ...r.variants].map((arm: Arm & { lift?: number | null; pValue?: number | null }) => ({ exp: r, arm })))
  return (
    <div class="card" id="ov-experiments">
      <h2>Experiments <Info term="experiences" /></h2>
      <SortableTable
        id="ov-experiments-table"
        caption="Experiment results"
        rows={rows}
        columns={[
          { key: 'experience', label: 'Experience', kind: 'text', value: (r) => r.exp.name },
          { key: 'arm', label: 'Arm', kind: 'text', value: (r) => r.arm.name },
          { key: 'exposures', label: 'Exposures', term: 'experiences', value: (r) => r.arm.exposures },
          { key: 'conversions', label: 'Conversions', term: 'experiences', value: (r) => r.arm.conversions },
          { key: 'rate', label: 'Rate', term: 'experiences', kind: 'rate', value: (r) => r.arm.conversionRate },
          { key: 'lift', label: 'Lift', term: 'experiences', kind: 'rate', value: (r) => r.arm.lift ?? null },
        ]}
        empty="No experience had exposures in this range."
        filename="experiments.csv"
      />
      {results.length > 0 && (
        <p class="hint">
          Details: {results.map((r, i) => <>{i ? ', ' : ''}<a href={href.results(siteId, r.id)}>{r.name}</a></>)}
        </p>
      )}
    </div>
  )
}

// One lead: score breakdown, stage history, RFM, traits, touches, messages and flow runs, and the event timeline.
import { useEffect, useRef } from 'hono/jsx/dom'
import { ApiError, errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { BreakdownItem, LeadDetail, LeadEvent, Rfm, TouchView } from '../../api/types'
import { Badge, Dash, dayDate, formatValue, LinkOrText, numberFormat, Pairs, shortDate, Signed, StageBadge, Time, type PairValue } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { go, href } from '../../router'
import { LeadActivity } from './activity'

export const scoreSplit = (lead: { fitScore: number; engagementScore: number }) =>
  `fit ${lead.fitScore ?? 0} · engagement ${lead.engagementScore ?? 0}`

const TOUCH_FIELDS = { source: 'Source', medium: 'Medium', campaign: 'Campaign', term: 'Term', content: 'Content', gclid: 'gclid', fbclid: 'fbclid', msclkid: 'msclkid' } as const
const EVENT_NAMES: Record<string, string> = { page: 'Page view', identify: 'Identify' }

export function LeadDetailPanel({ siteId, leadId }: { siteId: string; leadId: string }) {
  const lead = useLoad((signal) => api.lead(siteId, leadId, signal), [siteId, leadId])
  const title = useRef<HTMLHeadingElement>(null)
  const panel = useRef<HTMLElement>(null)
  const close = () => go(href.tab(siteId, 'leads'))
  useEffect(() => {
    if (!lead.data) return
    title.current?.focus({ preventScroll: true })
    if (matchMedia('(max-width: 960px)').matches) panel.current?.scrollIntoView({ block: 'start' })
  }, [lead.data])
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(document.activeElement instanceof HTMLInputElement)) close()
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [siteId])
  const error = lead.error
  const data = lead.loading ? undefined : lead.data
  const heading = data ? data.email || 'Anonymous visitor' : error ? (error instanceof ApiError && error.status === 404 ? 'Lead not found' : 'Could not load this lead') : 'Loading…'
  return (
    <aside id="lead-detail" class="card detail" aria-labelledby="lead-title" aria-busy={lead.loading ? 'true' : undefined} ref={panel}>
      <div class="detail-head">
        <h2 id="lead-title" tabindex={-1} ref={title}>
          {heading}
        </h2>
        <button type="button" id="lead-close" class="ghost" aria-label="Close lead details" onClick={close}>
          ✕
        </button>
      </div>
      <p id="lead-error" class="error" role="alert" hidden={!error}>
        {error ? errorText(error) : ''}
      </p>
      {data ? <LeadBody lead={data} siteId={siteId} /> : null}
    </aside>
  )
}

function LeadBody({ lead, siteId }: { lead: LeadDetail; siteId: string }) {
  return (
    <>
      <Pairs
        id="lead-summary"
        empty=""
        entries={[
          ['Stage', <StageBadge stage={lead.stage} />],
          ['Score', <span><strong>{String(lead.score ?? 0)}</strong><span class="muted">{` (${scoreSplit(lead)})`}</span></span>],
          ['RFM', lead.rfm?.segment ? <RfmBadge rfm={lead.rfm} /> : null],
          ['Purchases', lead.purchases ? String(lead.purchases) : null],
          ['Revenue', lead.revenue ? numberFormat.format(lead.revenue) : null],
          ['Sessions', String(lead.sessions ?? 0)],
          ['Events', String(lead.eventCount ?? 0)],
          ['First seen', <Time iso={lead.firstSeen} />],
          ['Last seen', <Time iso={lead.lastSeen} />],
          ['User id', lead.userId],
          ['Visitor ids', lead.anonymousIds.join(', ')],
        ]}
      />
      <h3>Score breakdown</h3>
      <div id="lead-breakdown">
        <Breakdown items={lead.scoreBreakdown} />
      </div>
      <h3>Stage history</h3>
      <ol id="lead-stages" class="plain history">
        {lead.stageHistory.length ? (
          lead.stageHistory.map((h) => (
            <li>
              {h.from ? <StageBadge stage={h.from} /> : <Dash />} → <StageBadge stage={h.to} /> <Time iso={h.at} format={shortDate} />
            </li>
          ))
        ) : (
          <li class="muted">No stage changes yet.</li>
        )}
      </ol>
      <LeadActivity siteId={siteId} leadId={lead.id} />
      <h3>Traits</h3>
      <Pairs id="lead-traits" entries={Object.entries(lead.traits ?? {}).map(([k, v]) => [k, v == null ? null : formatValue(v)])} empty="No traits yet." />
      <h3>First touch</h3>
      <TouchPairs id="lead-first-touch" touch={lead.firstTouch} />
      <h3>Last touch</h3>
      <TouchPairs id="lead-last-touch" touch={lead.lastTouch} />
      <h3>Events</h3>
      <ol id="lead-events" class="timeline">
        {lead.events.length ? lead.events.map((event) => <EventItem event={event} />) : <li class="muted">No events.</li>}
      </ol>
    </>
  )
}

const RfmBadge = ({ rfm }: { rfm: Rfm }) => (
  <span>
    <Badge name={rfm.segment} prefix="seg" />{' '}
    <span class="muted" title="Recency · frequency · monetary, 1–5">{`R${rfm.recency} F${rfm.frequency} M${rfm.monetary}`}</span>
  </span>
)

function TouchPairs({ id, touch }: { id: string; touch: TouchView | null }) {
  const entries: Array<[string, PairValue]> = !touch
    ? []
    : [
        ...Object.entries(TOUCH_FIELDS).map(([key, label]): [string, PairValue] => {
          const value = touch[key as keyof typeof TOUCH_FIELDS]
          return [label, value == null ? null : formatValue(value)]
        }),
        ['Referrer', touch.referrer && <LinkOrText url={touch.referrer} />],
        ['Landing page', touch.landingPage && <LinkOrText url={touch.landingPage} />],
        ['At', touch.at && <Time iso={touch.at} />],
      ]
  return <Pairs id={id} entries={entries} empty="None recorded." />
}

function Breakdown({ items }: { items: BreakdownItem[] }) {
  if (!items.length) return <p class="muted">No points yet.</p>
  return (
    <table class="compact">
      <thead>
        <tr>
          <th>Rule</th>
          <th>Kind</th>
          <th class="num">Points</th>
          <th>When</th>
          <th>Expires</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr data-rule-id={item.ruleId} data-event-id={item.eventId ?? undefined}>
            <td>{item.rule || item.ruleId || '—'}</td>
            <td>
              {item.kind ? (
                <span class={`badge kind-${item.kind === 'fit' ? 'fit' : 'engagement'}`} title={item.kind}>
                  {item.kind === 'fit' ? 'fit' : 'eng'}
                </span>
              ) : (
                <Dash />
              )}
            </td>
            <td class="num">
              <Signed value={item.points} />
            </td>
            <td class="nowrap">
              <Time iso={item.at} format={dayDate} />
            </td>
            <td class="nowrap">{item.expiresAt ? <Time iso={item.expiresAt} format={dayDate} /> : <Dash />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function EventItem({ event }: { event: LeadEvent }) {
  const data = event.type === 'identify' ? event.traits : event.properties
  const hasData = !!data && typeof data === 'object' && Object.keys(data).length > 0
  return (
    <li class="event" data-event-id={event.id}>
      <div class="event-head">
        <span class={`badge type-${/^[a-z]+$/.test(event.type) ? event.type : 'other'}`}>{String(event.type)}</span>
        <span class="event-name">{event.name || EVENT_NAMES[event.type] || '—'}</span>
        <Time iso={event.timestamp} />
      </div>
      {event.url ? (
        <div class="event-url">
          <LinkOrText url={event.url} />
        </div>
      ) : null}
      {hasData ? (
        <details>
          <summary>{event.type === 'identify' ? 'Traits' : 'Properties'}</summary>
          <pre>{JSON.stringify(data, null, 2)}</pre>
        </details>
      ) : null}
    </li>
  )
}

// Leads: filter by email, stage, minimum score, first-touch source and known/anonymous, sorted by last seen or
// score, a page at a time ("Load more"); a row opens the lead's details.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { Lead, LeadFilter, TouchView } from '../../api/types'
import { Dash, StageBadge, Time } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { go, href } from '../../router'
import { LeadDetailPanel, scoreSplit } from './detail'

const DEFAULT_STAGES = ['visitor', 'returning', 'lead', 'mql', 'sql', 'customer', 'repeat', 'at_risk', 'lost']
const NO_FILTER: Required<LeadFilter> = { email: '', stage: '', minScore: '', source: '', known: '', sort: 'lastSeen', order: 'desc' }
const SORTS = [
  ['lastSeen:desc', 'Last seen, newest first'],
  ['lastSeen:asc', 'Last seen, oldest first'],
  ['score:desc', 'Score, highest first'],
  ['score:asc', 'Score, lowest first'],
] as const
const active = (filter: Required<LeadFilter>): LeadFilter =>
  Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v))

export const TouchSummary = ({ touch }: { touch: TouchView | null }) =>
  touch ? (
    <span class="touch">
      {`${touch.source || '—'} / ${touch.medium || '—'}`}
      {touch.campaign ? <span class="muted">{` · ${touch.campaign}`}</span> : null}
    </span>
  ) : (
    <Dash />
  )

export function LeadsView({ siteId, leadId }: { siteId: string; leadId: string | null }) {
  const site = useSite(siteId)
  const [draft, setDraft] = useState(NO_FILTER)
  const [filter, setFilter] = useState<LeadFilter>({})
  const leads = useLoad(
    (signal) => (site ? api.leads(siteId, filter, undefined, signal) : Promise.resolve({ leads: [], total: 0, nextCursor: null })),
    [siteId, JSON.stringify(filter)],
  )
  const [more, setMore] = useState<{ busy: boolean; error: string }>({ busy: false, error: '' })
  const loadMore = async () => {
    const page = leads.data
    if (!page?.nextCursor || more.busy) return
    setMore({ busy: true, error: '' })
    try {
      const next = await api.leads(siteId, filter, page.nextCursor)
      leads.set({ leads: page.leads.concat(next.leads), total: next.total, nextCursor: next.nextCursor })
      setMore({ busy: false, error: '' })
    } catch (error) {
      setMore({ busy: false, error: errorText(error) })
    }
  }
  // The preset names the stages; without it the default ones stay in the filter.
  const scoring = useLoad((signal) => (site ? api.scoring(siteId, signal) : Promise.reject(new Error(NO_SITE))), [siteId])
  const stages = scoring.data?.stages?.length ? scoring.data.stages : DEFAULT_STAGES
  const lastOpened = useRef<string | null>(null)
  useEffect(() => {
    if (leadId) lastOpened.current = leadId
    else if (lastOpened.current) {
      // Keyboard users land back on the row they had opened.
      document.querySelector<HTMLElement>(`#leads-body tr[data-lead-id="${CSS.escape(lastOpened.current)}"] a`)?.focus()
      lastOpened.current = null
    }
  }, [leadId])
  const apply = (next: Required<LeadFilter>) => {
    setDraft(next)
    setFilter(active(next))
    // The open lead may not match the new filter: close it so the URL and the list agree.
    if (leadId) go(href.tab(siteId, 'leads'))
  }
  const bind = (key: keyof LeadFilter) => ({
    value: draft[key],
    onInput: (e: Event) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value }),
  })
  const list = leads.data?.leads ?? []
  const filtered = Object.keys(filter).some((key) => key !== 'sort' && key !== 'order')
  return (
    <SiteFrame view="leads" siteId={siteId} tab="leads" heading="Leads">
      <form id="leads-filter" class="toolbar" role="search" onSubmit={(e: Event) => (e.preventDefault(), apply(draft))}>
        <div class="field">
          <label for="leads-email">Email</label>
          <input id="leads-email" name="email" type="search" placeholder="ada@example.com" autocomplete="off" {...bind('email')} />
        </div>
        <div class="field">
          <label for="leads-stage">Stage</label>
          <select id="leads-stage" name="stage" {...bind('stage')}>
            <option value="">Any stage</option>
            {stages.map((stage) => (
              <option selected={stage === draft.stage}>{stage}</option>
            ))}
          </select>
        </div>
        <div class="field short">
          <label for="leads-min-score">Min score</label>
          <input id="leads-min-score" name="minScore" type="number" inputmode="numeric" placeholder="50" {...bind('minScore')} />
        </div>
        <div class="field">
          <label for="leads-source">
            Source <span class="muted">(first touch)</span>
          </label>
          <input id="leads-source" name="source" type="search" placeholder="google" autocomplete="off" {...bind('source')} />
        </div>
        <div class="field">
          <label for="leads-known">Who</label>
          <select id="leads-known" name="known" {...bind('known')}>
            <option value="" selected={draft.known === ''}>Everyone</option>
            <option value="true" selected={draft.known === 'true'}>Known (email or user id)</option>
            <option value="false" selected={draft.known === 'false'}>Anonymous</option>
          </select>
        </div>
        <div class="field">
          <label for="leads-sort">Sort</label>
          <select
            id="leads-sort"
            name="sort"
            onChange={(e: Event) => {
              const [sort = 'lastSeen', order = 'desc'] = (e.target as HTMLSelectElement).value.split(':')
              apply({ ...draft, sort, order })
            }}
          >
            {SORTS.map(([value, label]) => (
              <option value={value} selected={value === `${draft.sort}:${draft.order}`}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" id="leads-apply">
          Filter
        </button>
        <button type="button" id="leads-clear" class="ghost" onClick={() => apply(NO_FILTER)}>
          Clear
        </button>
      </form>
      <div class="split">
        <div class="table-wrap">
          <p id="leads-error" class="error" role="alert" hidden={site && !leads.error ? true : false}>
            {!site ? NO_SITE : leads.error ? errorText(leads.error) : ''}
          </p>
          <p id="leads-empty" class="empty" hidden={!site || leads.loading || list.length > 0}>
            {filtered ? 'No leads match these filters.' : 'No leads yet. They appear once the site’s script tag sends events.'}
          </p>
          <table id="leads-table" hidden={list.length === 0} aria-busy={leads.loading ? 'true' : undefined}>
            <thead>
              <tr>
                <th>Lead</th>
                <th>Stage</th>
                <th class="num">Score</th>
                <th class="num">Sessions</th>
                <th class="num">Events</th>
                <th>First touch</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody id="leads-body">
              {list.map((lead) => (
                <LeadRow siteId={siteId} lead={lead} selected={lead.id === leadId} />
              ))}
            </tbody>
          </table>
          <p id="leads-count" class="muted" hidden={!leads.data || list.length === 0}>
            {`Showing ${list.length} of ${leads.data?.total ?? 0} leads`}
          </p>
          <p id="leads-more-error" class="error" role="alert" hidden={!more.error}>
            {more.error}
          </p>
          <button type="button" id="leads-more" class="ghost" hidden={!leads.data?.nextCursor} disabled={more.busy} onClick={loadMore}>
            {more.busy ? 'Loading…' : 'Load more'}
          </button>
        </div>
        {leadId && site ? <LeadDetailPanel siteId={siteId} leadId={leadId} /> : null}
      </div>
    </SiteFrame>
  )
}

function LeadRow({ siteId, lead, selected }: { siteId: string; lead: Lead; selected: boolean }) {
  const target = href.lead(siteId, lead.id)
  const onClick = (e: MouseEvent) => {
    if (!(e.target as Element).closest('a')) go(target)
  }
  return (
    <tr class={selected ? 'lead selected' : 'lead'} data-lead-id={lead.id} aria-current={selected ? 'true' : undefined} onClick={onClick}>
      <td>
        <a href={target} class={lead.email ? 'lead-link' : 'lead-link muted'}>
          {lead.email || 'anonymous'}
        </a>
      </td>
      <td>
        <StageBadge stage={lead.stage} />
      </td>
      <td class="num score" title={scoreSplit(lead)}>
        <strong>{String(lead.score ?? 0)}</strong>
        <small class="sub">{`fit ${lead.fitScore ?? 0} · eng ${lead.engagementScore ?? 0}`}</small>
      </td>
      <td class="num">{String(lead.sessions ?? 0)}</td>
      <td class="num">{String(lead.eventCount ?? 0)}</td>
      <td>
        <TouchSummary touch={lead.firstTouch} />
      </td>
      <td class="nowrap">
        <Time iso={lead.lastSeen} />
      </td>
    </tr>
  )
}

// Impact preview: 300 ms after the last draft change, POST …/rules/preview with the whole draft; a newer
// draft aborts the request still in flight.
import { useEffect, useState } from 'hono/jsx/dom'
import { ApiError, errorText, isAbort } from '../../api/client'
import { api } from '../../api/endpoints'
import type { RuleDraft, RulesPreview } from '../../api/types'
import { numberFormat, plural, Signed, StageBadge } from '../../ui/format'
import { useDebounced, useLatestSignal } from '../../ui/hooks'
import { href } from '../../router'

/** `refresh` changes when the thresholds or preset were saved: the same draft then previews differently. */
type Props = { siteId: string; drafts: RuleDraft[]; dirty: boolean; stages: readonly string[]; refresh: number }
type State = { result: RulesPreview | null; error: string; busy: boolean }

export function ImpactPreview({ siteId, drafts, dirty, stages, refresh }: Props) {
  const body = useDebounced(dirty ? JSON.stringify(drafts) : '', 300)
  const [state, setState] = useState<State>({ result: null, error: '', busy: false })
  const next = useLatestSignal()
  useEffect(() => {
    const signal = next()
    if (!body) return setState({ result: null, error: '', busy: false })
    const rules = JSON.parse(body) as RuleDraft[]
    setState((s) => ({ ...s, busy: true }))
    api.previewRules(siteId, rules, signal).then(
      (result) => signal.aborted || setState({ result, error: '', busy: false }),
      (error: unknown) => {
        if (signal.aborted || isAbort(error)) return
        // rules.2.points → “Rule name” points: message
        const issues = error instanceof ApiError
          ? error.issues.map(({ path, message }) => {
              const [, index, rest] = /^rules\.(\d+)\.?(.*)$/.exec(path) ?? []
              const rule = index === undefined ? undefined : rules[Number(index)]
              return `${rule ? `“${rule.name}” ${rest}` : path}: ${message}`
            })
          : []
        setState({ result: null, error: error instanceof ApiError ? [error.message, ...issues].join(' · ') : errorText(error), busy: false })
      },
    )
  }, [siteId, body, refresh])
  const busy = dirty && (state.busy || body !== JSON.stringify(drafts))
  const { result, error } = state
  return (
    <aside id="preview" class="card detail" aria-labelledby="preview-title" aria-busy={busy ? 'true' : undefined}>
      <h2 id="preview-title">Impact preview</h2>
      <p id="preview-changed" role="status">
        {!dirty ? (
          'No unsaved changes. Edit the rules to see their impact on existing leads before saving.'
        ) : error ? (
          'Preview unavailable.'
        ) : result ? (
          <>
            <strong>{plural(result.changed, 'lead')}</strong>
            {` of ${numberFormat.format(result.leadsConsidered)} would change score or stage${result.sampled ? ' (estimated from a sample)' : ''}.`}
          </>
        ) : (
          'Computing the impact…'
        )}
      </p>
      <p id="preview-error" class="error" hidden={!dirty || !error}>
        {error}
      </p>
      {dirty && result && !error ? <Outcome siteId={siteId} result={result} stages={stages} /> : <ol id="preview-leads" class="plain changes" aria-label="Leads that would change" />}
    </aside>
  )
}

function Outcome({ siteId, result, stages }: { siteId: string; result: RulesPreview; stages: readonly string[] }) {
  const { before, after, changed } = result
  // Stage changes first, then leads whose score alone moves, each list largest move first.
  const leads = [...result.leads, ...result.scoreChanges]
  const all = [...new Set([...stages, ...Object.keys(before), ...Object.keys(after)])]
  return (
    <>
      <table id="preview-stages" class="compact">
        <thead>
          <tr>
            <th>Stage</th>
            <th class="num">Before</th>
            <th class="num">After</th>
            <th class="num">Change</th>
          </tr>
        </thead>
        <tbody>
          {all.map((stage) => {
            const [b, a] = [before[stage], after[stage]].map((n) => Number(n) || 0) as [number, number]
            return (
              <tr data-stage={stage} class={a === b ? 'same' : undefined}>
                <td><StageBadge stage={stage} /></td>
                <td class="num">{numberFormat.format(b)}</td>
                <td class="num">{numberFormat.format(a)}</td>
                <td class="num"><Signed value={a - b} zero="·" /></td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <ol id="preview-leads" class="plain changes" aria-label="Leads that would change">
        {leads.map((lead) => (
          <li data-lead-id={lead.id}>
            <a href={href.lead(siteId, lead.id)} class={lead.email ? 'lead-link' : 'lead-link muted'}>
              {lead.email || lead.id}
            </a>
            <span class="nowrap">
              {`${lead.scoreBefore} → `}
              <strong>{String(lead.scoreAfter)}</strong> <Signed value={lead.scoreAfter - lead.scoreBefore} />
            </span>
            <span class="nowrap">
              {lead.stageBefore !== lead.stageAfter ? <><StageBadge stage={lead.stageBefore} />{' → '}</> : null}
              <StageBadge stage={lead.stageAfter} />
            </span>
          </li>
        ))}
        {changed > leads.length ? <li class="muted">{`…and ${plural(changed - leads.length, 'more lead')}.`}</li> : null}
      </ol>
    </>
  )
}

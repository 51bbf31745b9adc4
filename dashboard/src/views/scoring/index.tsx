// Scoring: the rules are edited as a draft, previewed against existing leads, then saved as a diff
// (DELETEs, then PUT/POST in draft order, one call per rule); a failed call keeps the rest of the draft.
import { useEffect, useState } from 'hono/jsx/dom'
import { ApiError, errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { ErrorIssue, RescoreSummary, Rule, ScoringConfig } from '../../api/types'
import { Badge, Dash, plural, Signed } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { announce } from '../../ui/toast'
import { describeCounts, draftChanges, draftStatus, fromRule, matchSummary, nextKey, type DraftItem } from './draft'
import { ImpactPreview } from './preview'
import { RuleEditor } from './rule-editor'
import { ThresholdsForm } from './thresholds'

type Editing = { key: number | 'new'; apiError: { message: string; issues: ErrorIssue[] } | null } | null
type Status = { kind: 'ok' | 'error' | 'muted'; text: string } | null

export function ScoringView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const [rules, setRules] = useState<Rule[]>([])
  const [draft, setDraft] = useState<DraftItem[]>([])
  const [editing, setEditing] = useState<Editing>(null)
  const [saving, setSaving] = useState(false)
  const [status, setStatus] = useState<Status>(null)
  const loaded = useLoad((signal) => (site ? api.rules(siteId, signal) : Promise.reject(new Error(NO_SITE))), [siteId])
  const scoring = useLoad((signal) => (site ? api.scoring(siteId, signal) : Promise.reject(new Error(NO_SITE))), [siteId])
  useEffect(() => {
    if (!loaded.data) return
    setRules(loaded.data.rules)
    setDraft(loaded.data.rules.map(fromRule))
  }, [loaded.data])
  const changes = describeCounts(draftChanges(draft, rules))
  const dirty = !!changes
  // Unsaved rule edits are lost with the page: ask first.
  useEffect(() => {
    if (!dirty) return
    const guard = (e: BeforeUnloadEvent) => e.preventDefault()
    addEventListener('beforeunload', guard)
    return () => removeEventListener('beforeunload', guard)
  }, [dirty])

  const edit = (next: DraftItem[]) => {
    setDraft(next)
    if (!saving) setStatus(null)
  }
  const focusAdd = () => queueMicrotask(() => document.getElementById('rule-add')?.focus())
  const editingItem = editing && editing.key !== 'new' ? draft.find((d) => d.key === editing.key) : undefined

  async function save() {
    if (saving) return
    setSaving(true)
    setStatus({ kind: 'muted', text: 'Saving…' })
    const done = { added: 0, changed: 0, removed: 0 }
    const items = draft.map((d) => ({ ...d }))
    let rescore: RescoreSummary | undefined
    let failure: unknown
    let failedKey: number | null = null
    try {
      for (const rule of rules.filter((r) => !items.some((d) => d.id === r.id))) {
        await api.deleteRule(siteId, rule.id).catch((error: unknown) => {
          if (!(error instanceof ApiError && error.status === 404)) throw error
        })
        done.removed++
      }
      for (const item of items) {
        const state = draftStatus(item, rules)
        if (!state) continue
        failedKey = item.key
        const saved = await (item.id ? api.replaceRule(siteId, item.id, item.input) : api.createRule(siteId, item.input))
        failedKey = null
        item.id = saved.id
        done[state === 'new' ? 'added' : 'changed']++
        rescore = saved.rescore ?? rescore
      }
    } catch (error) {
      failure = error
    }
    let fresh = rules
    try {
      fresh = (await api.rules(siteId)).rules
    } catch (error) {
      failure ??= error
    }
    setSaving(false)
    setRules(fresh)
    const summary = describeCounts(Object.entries(done).map(([word, n]) => [n, word]))
    if (failure) {
      setDraft(items)
      const failed = items.find((d) => d.key === failedKey)
      setStatus({ kind: 'error', text: `${summary ? `Partly saved (${summary}). ` : ''}Could not save “${failed?.input.name ?? 'the rules'}”: ${errorText(failure)}` })
      if (failed && failure instanceof ApiError && failure.status === 400) setEditing({ key: failed.key, apiError: { message: failure.message, issues: failure.issues } })
      return
    }
    setDraft(fresh.map(fromRule))
    setEditing(null)
    const rescored = !rescore
      ? 'Existing leads are being re-scored.'
      : rescore.mode === 'queued'
        ? `Re-scoring ${plural(rescore.leads, 'lead')} in the background: scores update in a few moments.`
        : `Re-scored ${plural(rescore.leads, 'lead')}.`
    setStatus({ kind: 'ok', text: `Rules saved (${summary}). ${rescored}` })
    announce('Rules saved.')
  }

  const discard = () => {
    edit(rules.map(fromRule))
    setEditing(null)
    announce('Changes discarded.')
  }
  const [stages, setStages] = useState<string[]>([])
  const [configVersion, setConfigVersion] = useState(0)
  const onScoring = (config: ScoringConfig) => {
    setStages(config.stages)
    setConfigVersion((v) => v + 1)
    scoring.set(config)
  }
  useEffect(() => setStages(scoring.data?.stages ?? []), [scoring.data])

  return (
    <SiteFrame view="scoring" siteId={siteId} tab="scoring" heading="Scoring">
      <p id="scoring-error" class="error" role="alert" hidden={!!site && !loaded.error}>
        {!site ? NO_SITE : loaded.error ? `Could not load the rules: ${errorText(loaded.error)}` : ''}
      </p>
      <div class="split scoring" hidden={!site}>
        <div>
          <div class="card">
            <div class="card-head">
              <h2>Score rules</h2>
              <button type="button" id="rule-add" class="ghost small" inert={saving} onClick={() => setEditing({ key: 'new', apiError: null })}>
                + Add rule
              </button>
            </div>
            <p id="rules-empty" class="empty" hidden={draft.length > 0 || loaded.loading}>
              No rules yet: every lead scores 0. Add one to start.
            </p>
            <div class="table-wrap">
              <table id="rules-table" class="compact" hidden={!draft.length} inert={saving}>
                <thead>
                  <tr>
                    <th>Rule</th>
                    <th class="num">Points</th>
                    <th class="num">Limit</th>
                    <th class="num">Expires</th>
                    <th>On</th>
                    <th aria-label="Actions"></th>
                  </tr>
                </thead>
                <tbody id="rules-body">
                  {draft.map((item) => (
                    <RuleRow
                      item={item}
                      status={draftStatus(item, rules)}
                      selected={editing?.key === item.key}
                      onToggle={(enabled) => edit(draft.map((d) => (d === item ? { ...d, input: { ...d.input, enabled } } : d)))}
                      onEdit={() => setEditing({ key: item.key, apiError: null })}
                      onRemove={() => {
                        edit(draft.filter((d) => d !== item))
                        if (editing?.key === item.key) setEditing(null)
                        announce(`Removed “${item.input.name}” from the draft. Discard to undo.`)
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            {editing && (editing.key === 'new' || editingItem) ? (
              <div inert={saving}>
                <RuleEditor
                  key={`${String(editing.key)}:${editing.apiError ? 'failed' : ''}`}
                  initial={editingItem?.input ?? null}
                  apiError={editing.apiError}
                  onApply={(input) => {
                    edit(editingItem ? draft.map((d) => (d === editingItem ? { ...d, input } : d)) : [...draft, { key: nextKey(), id: null, input }])
                    setEditing(null)
                    focusAdd()
                  }}
                  onCancel={() => {
                    setEditing(null)
                    focusAdd()
                  }}
                />
              </div>
            ) : null}
            <div class="savebar">
              <button type="button" id="rules-save" disabled={!dirty || saving} onClick={save}>
                Save rules
              </button>{' '}
              <button type="button" id="rules-discard" class="ghost" disabled={!dirty || saving} onClick={discard}>
                Discard changes
              </button>{' '}
              <span id="rules-dirty" class="muted">{changes ? `Unsaved: ${changes}` : 'All rules saved.'}</span>
            </div>
            <div id="rules-status" role="status">
              {status ? <p class={status.kind}>{status.text}</p> : null}
            </div>
          </div>
          <ThresholdsForm siteId={siteId} config={scoring.data} loadError={scoring.error && site ? errorText(scoring.error) : ''} onSaved={onScoring} />
        </div>
        <ImpactPreview siteId={siteId} drafts={draft.map((d) => d.input)} dirty={dirty && !saving} stages={stages} refresh={configVersion} />
      </div>
    </SiteFrame>
  )
}

type RowProps = { item: DraftItem; status: string; selected: boolean; onToggle: (enabled: boolean) => void; onEdit: () => void; onRemove: () => void }

function RuleRow({ item, status, selected, onToggle, onEdit, onRemove }: RowProps) {
  const { name, match, points, limit, expiresDays, enabled } = item.input
  const fit = match.type === 'identify'
  const classes = ['rule', status && `draft-${status}`, selected && 'selected', enabled === false && 'disabled'].filter(Boolean).join(' ')
  return (
    <tr class={classes} data-rule-id={item.id ?? undefined}>
      <td>
        <div class="rule-name">
          {name} <Badge name={fit ? 'fit' : 'engagement'} prefix="kind" />
          {status ? <span class="badge draft">{status}</span> : null}
        </div>
        <div class="rule-match muted">{matchSummary(match)}</div>
      </td>
      <td class="num"><Signed value={points} /></td>
      <td class="num">
        {fit ? <span class="muted" title="Fit rules count once while the traits match">once</span> : limit ? `×${limit}` : <Dash />}
      </td>
      <td class="num nowrap">{expiresDays ? `${expiresDays} d` : <Dash />}</td>
      <td>
        <input type="checkbox" class="rule-enabled" checked={enabled !== false} aria-label={`Enabled: ${name}`}
          onChange={(e: Event) => onToggle((e.target as HTMLInputElement).checked)} />
      </td>
      <td class="actions nowrap">
        <button type="button" class="ghost small rule-edit" aria-label={`Edit ${name}`} onClick={onEdit}>Edit</button>{' '}
        <button type="button" class="ghost small rule-remove" aria-label={`Remove ${name}`} onClick={onRemove}>Remove</button>
      </td>
    </tr>
  )
}

// The rule editor: one rule of the draft, checked here before it joins the draft, and showing the API's
// issues (match.where.1.value → that condition's value) when saving it failed.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import type { ConditionOp, ErrorIssue, RuleDraft } from '../../api/types'
import { useFocusInvalid, FieldError, fieldOf, invalid, placeIssues, type FieldErrors } from '../../ui/forms'
import { formOf, nextKey, OPS, readRuleForm, type RuleForm } from './draft'

const FIELD_KEYS = ['name', 'points', 'limit', 'expiresDays', 'match.type', 'match.path', 'match.event', 'match.where']

/** match.where.1.value → that condition's key; the rest by the longest known prefix. */
const issueField = (path: string) => (/^match\.where\.\d+\.(field|value|op)$/.test(path) ? path : fieldOf(path, FIELD_KEYS))

type Props = {
  /** The rule being edited, or null for a new one. */
  initial: RuleDraft | null
  /** A 400 from saving this rule. */
  apiError: { message: string; issues: ErrorIssue[] } | null
  onApply: (input: RuleDraft) => void
  onCancel: () => void
}

export function RuleEditor({ initial, apiError, onApply, onCancel }: Props) {
  const [form, setForm] = useState<RuleForm>(() => formOf(initial))
  const placed = apiError ? placeIssues(apiError.issues, issueField) : null
  const [errors, setErrors] = useState<FieldErrors>(placed?.fields ?? {})
  const [boxMessage, setBoxMessage] = useState<string>(apiError?.message ?? '')
  const ref = useRef<HTMLFormElement>(null)
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest' })
    const first = ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? ref.current?.querySelector<HTMLElement>('#rule-name')
    first?.focus({ preventScroll: true })
  }, [])
  useFocusInvalid(ref, errors)
  const set = (patch: Partial<RuleForm>) => setForm({ ...form, ...patch })
  const text = (key: 'name' | 'path' | 'event' | 'points' | 'limit' | 'expires') => ({
    value: form[key],
    onInput: (e: Event) => set({ [key]: (e.target as HTMLInputElement).value }),
  })
  const setCond = (i: number, patch: Partial<RuleForm['where'][number]>) => set({ where: form.where.map((c, j) => (j === i ? { ...c, ...patch } : c)) })
  const apply = (event: Event) => {
    event.preventDefault()
    const { input, errors: found } = readRuleForm(form, initial ? initial.enabled !== false : true)
    setErrors(found)
    const n = Object.keys(found).length
    setBoxMessage(n ? `Check the highlighted field${n > 1 ? 's' : ''}.` : '')
    if (!n) onApply(input)
  }
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') onCancel()
  }
  const fit = form.type === 'identify'
  const rest = placed?.rest ?? []
  return (
    <form id="rule-form" class="editor" novalidate onSubmit={apply} onKeyDown={onKey} ref={ref}>
      <h3 id="rule-form-title">{initial ? `Edit “${initial.name}”` : 'New rule'}</h3>
      <div class="fields">
        <div class="field grow">
          <label for="rule-name">Name</label>
          <input id="rule-name" autocomplete="off" maxlength={200} required {...text('name')} {...invalid(errors, 'name', 'rule-name')} />
          <FieldError errors={errors} name="name" id="rule-name" />
        </div>
        <div class="field short">
          <label for="rule-type">When</label>
          <select id="rule-type" value={form.type} onChange={(e: Event) => set({ type: (e.target as HTMLSelectElement).value as RuleForm['type'] })}>
            <option value="page" selected={form.type === 'page'}>Page view</option>
            <option value="track" selected={form.type === 'track'}>Event (track)</option>
            <option value="identify" selected={form.type === 'identify'}>Traits (identify)</option>
          </select>
          <FieldError errors={errors} name="match.type" id="rule-type" />
        </div>
        <div class="field grow" id="rule-path-field" hidden={form.type !== 'page'}>
          <label for="rule-path">
            Path <span class="muted">(glob, <code>*</code> = anything)</span>
          </label>
          <input id="rule-path" placeholder="/pricing*" autocomplete="off" {...text('path')} {...invalid(errors, 'match.path', 'rule-path')} />
          <FieldError errors={errors} name="match.path" id="rule-path" />
        </div>
        <div class="field grow" id="rule-event-field" hidden={form.type !== 'track'}>
          <label for="rule-event">Event name</label>
          <input id="rule-event" placeholder="Signed Up" autocomplete="off" {...text('event')} {...invalid(errors, 'match.event', 'rule-event')} />
          <FieldError errors={errors} name="match.event" id="rule-event" />
        </div>
      </div>
      <fieldset class="conds">
        <legend>
          Conditions <span class="muted">(all must hold)</span>
        </legend>
        <div id="rule-where">
          {form.where.map((c, i) => (
            <div class="cond" key={c.key}>
              <input class="cond-field" aria-label="Field" placeholder={fit ? 'traits.budget' : 'properties.plan'} autocomplete="off" value={c.field}
                onInput={(e: Event) => setCond(i, { field: (e.target as HTMLInputElement).value })} {...invalid(errors, `match.where.${i}.field`)} />
              <select class="cond-op" aria-label="Operator" value={c.op} onChange={(e: Event) => setCond(i, { op: (e.target as HTMLSelectElement).value as ConditionOp })}>
                {OPS.map((o) => <option selected={o === c.op}>{o}</option>)}
              </select>
              <input class="cond-value" aria-label="Value" placeholder="value" hidden={c.op === 'exists'} value={c.value}
                onInput={(e: Event) => setCond(i, { value: (e.target as HTMLInputElement).value })} {...invalid(errors, `match.where.${i}.value`)} />
              <button type="button" class="ghost small cond-remove" aria-label="Remove condition" onClick={() => set({ where: form.where.filter((_, j) => j !== i) })}>
                ✕
              </button>
              <FieldError errors={errors} name={`match.where.${i}.field`} />
              <FieldError errors={errors} name={`match.where.${i}.value`} />
            </div>
          ))}
        </div>
        <button type="button" id="rule-where-add" class="ghost small" onClick={() => set({ where: [...form.where, { key: nextKey(), field: '', op: 'eq', value: '' }] })} {...invalid(errors, 'match.where')}>
          + Condition
        </button>
        <FieldError errors={errors} name="match.where" />
      </fieldset>
      <div class="fields">
        <div class="field short">
          <label for="rule-points">Points</label>
          <input id="rule-points" type="number" min="-1000" max="1000" required {...text('points')} {...invalid(errors, 'points', 'rule-points')} />
          <FieldError errors={errors} name="points" id="rule-points" />
        </div>
        <div class="field short engagement-only" hidden={fit}>
          <label for="rule-limit">
            Limit <span class="muted">(per lead)</span>
          </label>
          <input id="rule-limit" type="number" min="1" placeholder="none" {...text('limit')} {...invalid(errors, 'limit', 'rule-limit')} />
          <FieldError errors={errors} name="limit" id="rule-limit" />
        </div>
        <div class="field short engagement-only" hidden={fit}>
          <label for="rule-expires">
            Expires <span class="muted">(days)</span>
          </label>
          <input id="rule-expires" type="number" min="1" placeholder="never" {...text('expires')} {...invalid(errors, 'expiresDays', 'rule-expires')} />
          <FieldError errors={errors} name="expiresDays" id="rule-expires" />
        </div>
      </div>
      <p id="rule-kind-hint" class="muted hint">
        {fit
          ? 'Fit rule: counts once while the lead’s traits satisfy the conditions.'
          : 'Engagement rule: points for each matching event, up to the limit per lead; they lapse after the expiry.'}
      </p>
      <div id="rule-error" class="error" role="alert" hidden={!boxMessage && !rest.length}>
        {boxMessage ? <p>{boxMessage}</p> : null}
        {rest.length ? <ul>{rest.map((i) => <li><strong>{`${i.path || 'Request'}: `}</strong>{i.message}</li>)}</ul> : null}
      </div>
      <button type="submit" id="rule-apply">
        {initial ? 'Apply changes' : 'Add to draft'}
      </button>{' '}
      <button type="button" id="rule-cancel" class="ghost" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}

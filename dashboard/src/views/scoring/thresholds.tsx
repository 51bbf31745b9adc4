// Thresholds, stage preset and lifecycle events: PUT …/scoring (what is not sent keeps its value).
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { ApiError } from '../../api/client'
import { api } from '../../api/endpoints'
import type { ScoringConfig, ScoringInput } from '../../api/types'
import { useFocusInvalid, ErrorBox, FieldError, fieldOf, invalid, placeIssues, problemOf, type FieldErrors, type Problem } from '../../ui/forms'
import { plural, StageBadge } from '../../ui/format'

/** API path → [input id, label, kind]. */
const FIELDS = {
  preset: ['scoring-preset', 'Stage preset', 'select'],
  'thresholds.interest': ['threshold-interest', 'Interest ≥', 'number'],
  'thresholds.mql': ['threshold-mql', 'MQL ≥', 'number'],
  'thresholds.sql': ['threshold-sql', 'SQL ≥', 'number'],
  purchaseEvents: ['scoring-purchase', 'Purchase events', 'list'],
  salesEvents: ['scoring-sales', 'Sales events', 'list'],
  referralEvents: ['scoring-referral', 'Referral events', 'list'],
  revenueProperty: ['scoring-revenue', 'Revenue property', 'text'],
  atRiskDays: ['scoring-at-risk', 'At risk after', 'number'],
  lostDays: ['scoring-lost', 'Lost after', 'number'],
} as const
type Path = keyof typeof FIELDS
const PATHS = Object.keys(FIELDS) as Path[]
const MIN: Partial<Record<Path, number>> = { atRiskDays: 1, lostDays: 1 }

const dig = (object: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], object)
const valuesOf = (config: ScoringConfig) =>
  Object.fromEntries(PATHS.map((path) => {
    const value = dig(config, path)
    return [path, Array.isArray(value) ? value.join(', ') : String(value ?? '')]
  })) as Record<Path, string>

function readForm(values: Record<Path, string>) {
  const body: Record<string, unknown> & { thresholds: Record<string, number> } = { thresholds: {} }
  const errors: FieldErrors = {}
  for (const path of PATHS) {
    const text = values[path].trim()
    const kind = FIELDS[path][2]
    let value: unknown = text
    if (kind === 'number') {
      value = Number(text)
      const min = MIN[path] ?? 0
      if (!text || !Number.isInteger(value) || (value as number) < min) errors[path] = `Enter a whole number of at least ${min}.`
    } else if (kind === 'list') value = text.split(',').map((name) => name.trim()).filter(Boolean)
    const [key = '', sub] = path.split('.')
    if (sub) body.thresholds[sub] = value as number
    else body[key] = value
  }
  if (!Object.keys(errors).length && (body.thresholds.sql ?? 0) <= (body.thresholds.mql ?? 0)) errors['thresholds.sql'] = 'SQL must be greater than MQL.'
  return { body: body as ScoringInput, errors }
}

type Props = { siteId: string; config: ScoringConfig | undefined; loadError: string; onSaved: (config: ScoringConfig) => void }

export function ThresholdsForm({ siteId, config, loadError, onSaved }: Props) {
  const [values, setValues] = useState<Record<Path, string> | null>(config ? valuesOf(config) : null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [problem, setProblem] = useState<Problem>(null)
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  const ref = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (config) setValues(valuesOf(config))
  }, [config])
  useFocusInvalid(ref, errors)
  const v = values ?? ({} as Record<Path, string>)
  const submit = async (event: Event) => {
    event.preventDefault()
    setErrors({})
    setProblem(null)
    setStatus('')
    const { body, errors: found } = readForm(v)
    if (Object.keys(found).length) return setErrors(found)
    setBusy(true)
    try {
      const saved = await api.saveScoring(siteId, body)
      onSaved(saved)
      setStatus(`Saved. ${plural(saved.restaged ?? 0, 'lead')} changed stage.`)
    } catch (error) {
      const placed = error instanceof ApiError ? placeIssues(error.issues, (p) => fieldOf(p, PATHS)) : null
      setErrors(placed?.fields ?? {})
      setProblem(problemOf(error, placed?.rest))
    } finally {
      setBusy(false)
    }
  }
  const input = (path: Path, extra: Record<string, unknown> = {}) => {
    const [id, label, kind] = FIELDS[path]
    return (
      <div class={`field ${kind === 'number' ? 'short' : ''}`}>
        <label for={id}>{label}{path === 'atRiskDays' || path === 'lostDays' ? <span class="muted"> (days)</span> : null}</label>
        <input id={id} type={kind === 'number' ? 'number' : 'text'} value={v[path] ?? ''} {...extra} {...invalid(errors, path, id)}
          onInput={(e: Event) => setValues({ ...v, [path]: (e.target as HTMLInputElement).value })} />
        <FieldError errors={errors} name={path} id={id} />
      </div>
    )
  }
  return (
    <form id="scoring-form" class="card" novalidate onSubmit={submit} ref={ref}>
      <h2>Thresholds &amp; stages</h2>
      <div class="fields">
        <div class="field">
          <label for="scoring-preset">Stage preset</label>
          <select id="scoring-preset" value={v.preset} onChange={(e: Event) => setValues({ ...v, preset: (e.target as HTMLSelectElement).value })}>
            <option value="default" selected={v.preset === 'default'}>Default (lead → customer)</option>
            <option value="aida" selected={v.preset === 'aida'}>AIDA</option>
            <option value="aarrr" selected={v.preset === 'aarrr'}>AARRR</option>
          </select>
          <FieldError errors={errors} name="preset" id="scoring-preset" />
        </div>
        {input('thresholds.interest')}
        {input('thresholds.mql')}
        {input('thresholds.sql')}
      </div>
      <div class="fields">
        {input('purchaseEvents', { placeholder: 'Purchased' })}
        {input('salesEvents', { placeholder: 'Demo Requested' })}
        {input('referralEvents', { placeholder: 'Referred Friend' })}
      </div>
      <div class="fields">
        {input('revenueProperty', { placeholder: 'revenue' })}
        {input('atRiskDays', { min: 1 })}
        {input('lostDays', { min: 1 })}
      </div>
      <p class="muted hint">
        Event lists are comma separated. Stages:{' '}
        <span id="scoring-stages">{(config?.stages ?? []).map((stage, i) => <>{i ? ' → ' : ''}<StageBadge stage={stage} /></>)}</span>
      </p>
      <ErrorBox id="scoring-form-error" problem={loadError ? { message: `Could not load the thresholds: ${loadError}` } : problem} />
      <button type="submit" id="scoring-save" disabled={busy || !config}>
        Save thresholds
      </button>{' '}
      <span id="scoring-status" class="muted" role="status">{status}</span>
    </form>
  )
}

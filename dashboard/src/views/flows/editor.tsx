// The flow editor (new and edit): name, trigger and filter, steps, goal, re-entry and policy as forms, or
// the raw JSON; the preview beside it; below, the flow's recent runs. The API's 400 issues are shown next
// to the field whose path they name (`steps.1.subject`), the rest in the error box.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { ApiError, errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { ErrorIssue } from '../../api/types'
import { ErrorBox, placeIssues, problemOf, type FieldErrors, type Problem } from '../../ui/forms'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { announce } from '../../ui/toast'
import { go, href } from '../../router'
import { bodyOf, draftOf, emptyDraft, keyOf, setIn, type Json, type Obj, type Path } from './draft'
import { TextIn, type Ed } from './fields'
import { PreviewPanel } from './preview'
import { FlowRuns } from './runs'
import { StepList } from './steps'
import { ExitFields, TriggerFields } from './trigger'

const DEFAULT_STAGES = ['visitor', 'lead', 'mql', 'sql', 'customer']

/** The draft as sent: an in-app call to action left with neither label nor link is dropped. */
function tidy(value: Json): Json {
  if (Array.isArray(value)) return value.map(tidy)
  if (!value || typeof value !== 'object') return value
  const entries = Object.entries(value)
    .filter(([key, v]) => !(key === 'cta' && v && typeof v === 'object' && Object.keys(v).length === 0))
    .map(([key, v]) => [key, tidy(v)])
  return Object.fromEntries(entries) as Obj
}

/** The field an issue path points at: the longest prefix of it that the form shows (`data-field`). */
const fieldIn = (form: HTMLElement | null) => (path: string) => {
  const parts = String(path ?? '').split('.')
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join('.')
    if (form?.querySelector(`[data-field="${CSS.escape(key)}"]`)) return key
  }
  return null
}

export function FlowEditor({ siteId, flowId }: { siteId: string; flowId: string | null }) {
  const site = useSite(siteId)
  const scoring = useLoad((signal) => api.scoring(siteId, signal), [siteId])
  const current = useLoad((signal) => (!site ? Promise.reject(new Error(NO_SITE)) : flowId ? api.flow(siteId, flowId, signal) : Promise.resolve(null)), [siteId, flowId])
  const [draft, setDraft] = useState<Obj | null>(null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [problem, setProblem] = useState<Problem>(null)
  const [busy, setBusy] = useState(false)
  const [raw, setRaw] = useState<string | null>(null)
  const form = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (current.data !== undefined && !draft) setDraft(current.data ? draftOf(current.data) : emptyDraft())
    if (current.error) setProblem({ message: `Could not load this flow: ${errorText(current.error)}` })
  }, [current.data, current.error])
  // After a failed save or preview (not while a marked field is being fixed), focus the first marked field.
  const [failures, setFailures] = useState(0)
  useEffect(() => {
    if (failures) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  }, [failures])

  const d = draft ?? emptyDraft()
  const set = (path: Path, value: Json | undefined) => {
    setDraft((prev) => setIn(prev ?? emptyDraft(), path, value))
    // An edited field drops its error (and the parts under it); the box goes once no field is marked.
    const key = keyOf(path)
    const left = Object.fromEntries(Object.entries(errors).filter(([k]) => k !== key && !k.startsWith(`${key}.`)))
    if (Object.keys(left).length === Object.keys(errors).length) return
    setErrors(left)
    if (!Object.keys(left).length && !problem?.issues?.length) setProblem(null)
  }
  const ed: Ed = { draft: d, errors, set }
  const body = bodyOf(tidy(d) as Obj)
  const stages = scoring.data?.stages ?? DEFAULT_STAGES

  /** A failed save or preview: issues go next to their fields, the rest into the box. */
  const showIssues = (error: unknown, issues: readonly ErrorIssue[]) => {
    const placed = placeIssues(issues, fieldIn(form.current))
    setErrors(placed.fields)
    setFailures((n) => n + 1)
    const n = Object.keys(placed.fields).length
    setProblem(placed.rest.length || !n ? problemOf(error, placed.rest) : { message: `${error instanceof ApiError ? error.message : 'Check the form.'} Check the ${n} highlighted field${n > 1 ? 's' : ''}.` })
  }

  const save = async (event: Event) => {
    event.preventDefault()
    if (raw !== null && !applyRaw()) return
    setBusy(true)
    setProblem(null)
    try {
      const saved = await (flowId ? api.replaceFlow(siteId, flowId, body as Record<string, unknown>) : api.createFlow(siteId, body))
      setErrors({})
      announce(`Flow “${saved.name}” saved${saved.enabled ? ' and enabled' : ''}.`)
      go(href.tab(siteId, 'flows'))
    } catch (error) {
      if (error instanceof ApiError) showIssues(error, error.issues)
      else setProblem(problemOf(error))
    } finally {
      setBusy(false)
    }
  }

  const remove = async () => {
    if (!flowId || !confirm(`Delete the flow “${String(d.name)}”? Its runs stop and pending messages are not sent.`)) return
    try {
      await api.deleteFlow(siteId, flowId)
      announce('Flow deleted.')
      go(href.tab(siteId, 'flows'))
    } catch (error) {
      setProblem(problemOf(error))
    }
  }

  /** Raw JSON back into the form; false (and the parse error shown) when it is not a JSON object. */
  const applyRaw = (): boolean => {
    try {
      const parsed = JSON.parse(raw ?? '') as Json
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('The flow must be a JSON object.')
      setDraft(parsed as Obj)
      setRaw(null)
      return true
    } catch (error) {
      setProblem({ message: `Invalid JSON: ${(error as Error).message}` })
      return false
    }
  }

  const heading = flowId ? 'Edit flow' : 'New flow'
  const crumbs = <> / <a class="crumb-flows" href={href.tab(siteId, 'flows')}>Flows</a></>
  const ready = !!draft && !current.error
  return (
    <SiteFrame view="flow" siteId={siteId} tab="flows" heading={heading} crumbs={crumbs}
      title={current.data ? `${current.data.name} · ${site?.name ?? siteId}` : undefined}>
      <div class="split flow-split">
        <form id="flow-form" class="card" novalidate onSubmit={save} ref={form} aria-busy={ready ? undefined : 'true'}>
          <div class="fields name-row">
            <TextIn ed={ed} at={['name']} label="Name" maxlength={200} class="grow" placeholder="Pricing follow-up" />
            <div class="field short-wide">
              <label class="inline toggle flow-enabled-toggle">
                <input type="checkbox" id="flow-enabled" checked={d.enabled === true} onChange={(e: Event) => ed.set(['enabled'], (e.target as HTMLInputElement).checked)} />
                Enabled
              </label>
            </div>
            <div class="field short-wide raw-toggle">
              <button type="button" class="ghost small" id="flow-raw-toggle" onClick={() => (raw === null ? setRaw(JSON.stringify(body, null, 2)) : applyRaw())}>
                {raw === null ? 'Edit as JSON' : 'Back to the form'}
              </button>
            </div>
          </div>
          {raw !== null ? (
            <div class="field">
              <label for="flow-raw">Flow JSON <span class="muted">(as the API takes it)</span></label>
              <textarea id="flow-raw" class="mono" rows={24} value={raw} onInput={(e: Event) => setRaw((e.target as HTMLTextAreaElement).value)} />
            </div>
          ) : ready ? (
            <>
              <TriggerFields ed={ed} stages={stages} />
              <fieldset class="group" id="flow-steps-group">
                <legend>Steps <span class="muted">(in order; a branch picks then or else for each lead)</span></legend>
                <StepList ed={ed} at={['steps']} />
              </fieldset>
              <ExitFields ed={ed} />
            </>
          ) : (
            <p class="muted">Loading…</p>
          )}
          <ErrorBox id="flow-error" problem={problem} />
          <div class="savebar">
            <button type="submit" id="flow-save" disabled={busy || !ready}>{flowId ? 'Save flow' : 'Create flow'}</button>
            <a id="flow-cancel" class="button-link" href={href.tab(siteId, 'flows')}>Cancel</a>
            {flowId ? <button type="button" class="ghost danger" id="flow-delete" onClick={remove}>Delete</button> : null}
          </div>
        </form>
        <PreviewPanel siteId={siteId} draft={body} onIssues={showIssues} />
      </div>
      {flowId && current.data ? (
        <section class="card" id="flow-runs-card" aria-labelledby="flow-runs-title">
          <div class="card-head">
            <h2 id="flow-runs-title">Recent runs</h2>
            <button type="button" class="ghost small" id="flow-runs-reload" onClick={current.reload}>Refresh</button>
          </div>
          <FlowRuns siteId={siteId} runs={current.data.runs} steps={current.data.steps} />
        </section>
      ) : null}
    </SiteFrame>
  )
}

// Flows: each flow's numbers (enrolled, active, completed, exited by goal, messages per step), enable or
// disable it (a PUT of the whole flow, the switch disabled until it is saved), open it in the editor, create one from scratch or from a ready-made
// template (created disabled).
import { useState } from 'hono/jsx/dom'
import { errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { Flow } from '../../api/types'
import { numberFormat } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { href } from '../../router'
import { draftOf, stepLabel } from './draft'

/** The flow as its PUT body: the definition plus name and enabled, without the server's own fields. */
const inputOf = (flow: Flow, enabled: boolean): Record<string, unknown> => ({ ...draftOf(flow), enabled })

/** "1 · email “Welcome”: 3 sent", an A/B variant as "(B)". */
const perStep = (flow: Flow) =>
  Object.entries(flow.stats?.messagesPerStep ?? {})
    .map(([key, counts]) => {
      const [path, variant] = key.split('#')
      const ab = variant === undefined ? '' : ` (${String.fromCharCode(65 + Number(variant))})`
      return `${stepLabel(flow.steps, path ?? key)}${ab}: ${numberFormat.format(counts.sent ?? 0)} sent`
    })
    .join(' · ')

export function FlowsView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const flows = useLoad((signal) => (site ? api.flows(siteId, signal) : Promise.reject(new Error(NO_SITE))), [siteId])
  const templates = useLoad((signal) => (site ? api.flowTemplates(siteId, signal) : Promise.resolve({ templates: [] })), [siteId])
  const [template, setTemplate] = useState('')
  const [error, setError] = useState('')
  const [saving, setSaving] = useState<string | null>(null)
  const act = (work: () => Promise<unknown>) => () => {
    setError('')
    work().then(flows.reload, (e: unknown) => setError(errorText(e)))
  }
  /**
   * Sends the state the switch now shows (not the list's, which a reload may not have refreshed yet), keeps
   * the switch disabled until the answer, and shows the saved flow at once; the reload then brings its numbers.
   */
  const toggle = (flow: Flow) => (event: Event) => {
    const enabled = (event.target as HTMLInputElement).checked
    const shown = flows.data
    setError('')
    setSaving(flow.id)
    api
      .replaceFlow(siteId, flow.id, inputOf(flow, enabled))
      .then(
        (saved) => shown && flows.set({ ...shown, flows: shown.flows.map((f) => (f.id === saved.id ? { ...f, enabled: saved.enabled } : f)) }),
        (e: unknown) => setError(errorText(e)),
      )
      .finally(() => {
        setSaving(null)
        flows.reload()
      })
  }
  const list = flows.data?.flows ?? []
  const shown = error || (flows.error ? errorText(flows.error) : '')
  return (
    <SiteFrame view="flows" siteId={siteId} tab="flows" heading="Flows">
      <form
        class="toolbar"
        id="flow-from-template"
        onSubmit={(e: Event) => {
          e.preventDefault()
          if (template) act(() => api.createFlowFromTemplate(siteId, template))()
        }}
      >
        <div class="field">
          <label for="flow-template">Create from template</label>
          <select id="flow-template" value={template} onChange={(e: Event) => setTemplate((e.target as HTMLSelectElement).value)}>
            <option value="">Pick a template…</option>
            {(templates.data?.templates ?? []).map((t) => (
              <option value={t.id} title={t.description}>{`${t.name} — ${t.description}`}</option>
            ))}
          </select>
        </div>
        <button type="submit" id="flow-create" disabled={!template}>Create (disabled)</button>
        <a class="button-link primary" id="flow-new" href={href.newFlow(siteId)}>New flow</a>
      </form>
      <p id="flows-error" class="error" role="alert" hidden={!shown}>{shown}</p>
      <div class="table-wrap">
        {flows.data && list.length === 0 ? (
          <p class="empty" id="flows-empty">No flows yet. Create one from a template above, or start a new one.</p>
        ) : (
          <table id="flows-table" aria-busy={flows.loading ? 'true' : undefined}>
            <thead>
              <tr>
                <th>Flow</th><th>Enabled</th><th class="num" title="Runs started, ever">Enrolled</th><th class="num" title="Runs waiting for their next step">Active</th>
                <th class="num" title="Runs that went through every step">Completed</th><th class="num" title="Runs ended because the lead reached the flow's goal">Exited by goal</th><th>Sent per step</th>
              </tr>
            </thead>
            <tbody id="flows-body">
              {list.map((flow) => (
                <tr data-flow-id={flow.id}>
                  <td class="flow-name"><a href={href.flow(siteId, flow.id)}>{flow.name}</a></td>
                  <td>
                    <input type="checkbox" class="flow-enabled" aria-label={`Enabled: ${flow.name}`} checked={flow.enabled} disabled={saving === flow.id} onChange={toggle(flow)} />
                  </td>
                  <td class="num">{numberFormat.format(flow.stats?.enrolled ?? 0)}</td>
                  <td class="num">{numberFormat.format(flow.stats?.active ?? 0)}</td>
                  <td class="num">{numberFormat.format(flow.stats?.completed ?? 0)}</td>
                  <td class="num">{numberFormat.format(flow.stats?.exitedByGoal ?? 0)}</td>
                  <td class="muted">{perStep(flow) || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </SiteFrame>
  )
}

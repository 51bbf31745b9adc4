// "Preview": the draft as it is now goes to POST …/flows/preview, which saves nothing and answers the leads
// it would enroll now and a replay of the last 30 days. A newer preview (or leaving) aborts the older one.
import { useState } from 'hono/jsx/dom'
import { ApiError, errorText, isAbort } from '../../api/client'
import { api } from '../../api/endpoints'
import type { ErrorIssue, FlowDraft, FlowPreview } from '../../api/types'
import { numberFormat } from '../../ui/format'
import { useLatestSignal } from '../../ui/hooks'
import { stepLabel } from './draft'

type Props = { siteId: string; draft: FlowDraft; onIssues: (error: unknown, issues: readonly ErrorIssue[]) => void }

export function PreviewPanel({ siteId, draft, onIssues }: Props) {
  const next = useLatestSignal()
  const [state, setState] = useState<{ result: FlowPreview | null; of: string; error: string; busy: boolean }>({ result: null, of: '', error: '', busy: false })
  const now = JSON.stringify(draft)
  const run = () => {
    const signal = next()
    setState((s) => ({ ...s, busy: true, error: '' }))
    api.previewFlow(siteId, draft, signal).then(
      (result) => {
        if (!signal.aborted) setState({ result, of: now, error: '', busy: false })
      },
      (error: unknown) => {
        if (signal.aborted || isAbort(error)) return
        setState((s) => ({ ...s, busy: false, error: error instanceof ApiError && error.issues.length ? 'Fix the highlighted fields, then preview again.' : errorText(error) }))
        if (error instanceof ApiError) onIssues(error, error.issues)
      },
    )
  }
  const { result, busy, error } = state
  const steps = (draft.steps ?? []) as unknown[]
  const perStep = Object.entries(result?.replay.messagesPerStep ?? {})
  return (
    <aside class="card" id="flow-preview" aria-busy={busy ? 'true' : undefined} aria-labelledby="flow-preview-title">
      <div class="card-head">
        <h2 id="flow-preview-title">Preview</h2>
        <button type="button" id="flow-preview-run" onClick={run}>{busy ? 'Previewing…' : 'Preview'}</button>
      </div>
      <p class="hint muted">What this draft would do on this site's leads. Nothing is saved or sent.</p>
      <p id="flow-preview-error" class="error" role="alert" hidden={!error}>{error}</p>
      {result ? (
        <div id="flow-preview-result">
          {state.of !== now ? <p class="stale" id="flow-preview-stale">The draft changed since this preview.</p> : null}
          <dl class="pairs">
            <dt>Would enroll now</dt>
            <dd><strong id="preview-enroll-now">{numberFormat.format(result.enrollNow.count)}</strong>{` of ${numberFormat.format(result.leadsConsidered)} leads`}</dd>
            <dt>{`Last ${result.replay.days} days`}</dt>
            <dd>
              {result.replay.supported ? (
                <span><strong id="preview-enrollments">{numberFormat.format(result.replay.enrollments)}</strong>{' runs · '}<strong id="preview-goal-exits">{numberFormat.format(result.replay.exitedByGoal)}</strong>{' goal exits'}</span>
              ) : (
                <span class="muted" id="preview-unsupported">{result.replay.note ?? 'Not replayed for this trigger.'}</span>
              )}
            </dd>
          </dl>
          {result.replay.supported ? (
            perStep.length ? (
              <table class="compact" id="preview-steps">
                <thead><tr><th>Step</th><th>Channel</th><th class="num">Messages</th></tr></thead>
                <tbody>
                  {perStep.map(([path, m]) => (
                    <tr data-step={path}><td>{stepLabel(steps, path)}</td><td>{m.channel}</td><td class="num">{numberFormat.format(m.count)}</td></tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted" id="preview-no-messages">No messages would have been sent in the replay.</p>
            )
          ) : null}
          {result.truncated ? <p class="muted">Large site: the preview read the most recent leads and events only.</p> : null}
        </div>
      ) : null}
    </aside>
  )
}

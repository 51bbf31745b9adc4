// A flow's recent runs (enrollments), newest first: the lead (linked to her page), when the run started,
// the step it is at, and how it ended.
import type { FlowRun } from '../../api/types'
import { Badge, Time } from '../../ui/format'
import { href } from '../../router'
import { stepLabel } from './draft'

export function FlowRuns({ siteId, runs, steps }: { siteId: string; runs: ReadonlyArray<FlowRun & { leadEmail?: string | null }>; steps: readonly unknown[] }) {
  if (runs.length === 0) return <p class="empty" id="flow-runs-empty">No runs yet: leads appear here once the enabled flow enrolls them.</p>
  return (
    <div class="table-wrap">
      <table id="flow-runs" class="compact">
        <thead><tr><th>Lead</th><th>Started</th><th>Step</th><th>Status</th><th>Next / ended</th></tr></thead>
        <tbody>
          {runs.map((run) => (
            <tr data-lead-id={run.leadId}>
              <td><a class="lead-link" href={href.lead(siteId, run.leadId)}>{run.leadEmail ?? 'Anonymous lead'}</a>{run.number > 1 ? <span class="muted">{` (run ${run.number})`}</span> : null}</td>
              <td class="nowrap"><Time iso={run.enrolledAt} /></td>
              <td>{run.step ? stepLabel(steps, run.step) : '—'}</td>
              <td><Badge name={run.status} prefix="run" />{run.status === 'exited' && run.exitReason ? <span class="muted">{` ${run.exitReason}`}</span> : null}</td>
              <td class="nowrap">{run.endedAt ? <Time iso={run.endedAt} /> : <Time iso={run.nextAt} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

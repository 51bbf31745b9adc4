// A lead's flow activity on her page: every message sent to her (any channel, with what she did with it)
// and her flow runs, each linked to its flow.
import { errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { MessageSummary } from '../../api/types'
import { Badge, Dash, shortDate, Time } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { href } from '../../router'
import { stepLabel } from '../flows/draft'

const CHANNELS: Record<string, string> = { email: 'Email', in_app: 'In-app', webhook: 'Webhook' }

/** When each thing happened to a message, in order: sent, shown, machine-opened, opened, clicked, dismissed. */
function Moments({ m }: { m: MessageSummary }) {
  const moments = [
    ['sent', m.sentAt],
    ['shown', m.shownAt],
    ['machine-opened', m.machineOpenedAt],
    ['opened', m.openedAt],
    ['clicked', m.clickedAt],
    ['dismissed', m.dismissedAt],
  ].filter((e): e is [string, string] => !!e[1])
  if (!moments.length) return <Dash />
  return (
    <ul class="plain moments">
      {moments.map(([what, at]) => (
        <li class={`moment-${what}`}>{`${what} `}<Time iso={at} format={shortDate} /></li>
      ))}
    </ul>
  )
}

export function LeadActivity({ siteId, leadId }: { siteId: string; leadId: string }) {
  const messages = useLoad((signal) => api.leadMessages(siteId, leadId, signal), [siteId, leadId])
  const runs = useLoad((signal) => api.leadRuns(siteId, leadId, signal), [siteId, leadId])
  const flows = useLoad((signal) => api.flows(siteId, signal), [siteId])
  const flowOf = (id: string | null) => flows.data?.flows.find((f) => f.id === id)
  const list = messages.data?.messages ?? []
  const runList = runs.data?.runs ?? []
  return (
    <>
      <h3>Messages</h3>
      {messages.error ? <p class="error" role="alert">{errorText(messages.error)}</p> : null}
      <div id="lead-messages" class="activity" aria-busy={messages.loading ? 'true' : undefined}>
        {messages.data && !list.length ? (
          <p class="muted">No messages yet.</p>
        ) : (
          <table class="compact">
            <thead><tr><th>Message</th><th>Status</th><th>When</th></tr></thead>
            <tbody>
              {list.map((m) => (
                <tr data-message-id={m.id}>
                  <td>
                    <span class="badge">{CHANNELS[m.channel] ?? m.channel}</span>{' '}
                    <span class="message-subject">{m.subject || m.title || (m.channel === 'webhook' ? m.to ?? '' : '(no subject)')}</span>
                    {m.flowId ? <div class="sub muted">{flowOf(m.flowId)?.name ?? 'Flow'}{m.variant != null ? ` · variant ${String.fromCharCode(65 + Number(m.variant))}` : ''}</div> : null}
                  </td>
                  <td><Badge name={m.status} prefix="status" />{m.reason ? <div class="sub muted">{m.reason}</div> : null}</td>
                  <td class="nowrap"><Moments m={m} />{!m.sentAt ? <div class="sub muted">created <Time iso={m.createdAt} format={shortDate} /></div> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <h3>Flow runs</h3>
      {runs.error ? <p class="error" role="alert">{errorText(runs.error)}</p> : null}
      <div id="lead-runs" class="activity">
        {runs.data && !runList.length ? (
          <p class="muted">Not in any flow.</p>
        ) : (
          <table class="compact">
            <thead><tr><th>Flow</th><th>Started</th><th>Step / status</th></tr></thead>
            <tbody>
              {runList.map((run) => {
                const flow = flowOf(run.flowId)
                return (
                  <tr data-flow-id={run.flowId}>
                    <td><a href={href.flow(siteId, run.flowId)}>{flow?.name ?? run.flowId}</a>{run.number > 1 ? <span class="muted">{` (run ${run.number})`}</span> : null}</td>
                    <td class="nowrap"><Time iso={run.enrolledAt} format={shortDate} /></td>
                    <td>
                      <Badge name={run.status} prefix="run" />
                      {run.exitReason ? <span class="muted">{` ${run.exitReason}`}</span> : null}
                      {run.step && flow ? <div class="sub muted">{stepLabel(flow.steps, run.step)}</div> : null}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </div>
    </>
  )
}

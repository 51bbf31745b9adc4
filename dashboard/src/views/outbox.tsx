// The outbox: every delivery (email, in-app, webhook) with its status; an email opens rendered in a fully
// sandboxed iframe (sandbox="", srcdoc: no scripts, no same-origin access). Below: the suppression list and
// dead letters (queue messages that failed every retry).
import { useState } from 'hono/jsx/dom'
import { errorText } from '../api/client'
import { api } from '../api/endpoints'
import { Badge, formatValue, Pairs, Time } from '../ui/format'
import { useLoad } from '../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../ui/layout'
import { PostalWarning } from './settings'

export function OutboxView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const need = <T,>(load: () => Promise<T>) => (site ? load() : Promise.reject(new Error(NO_SITE)))
  const messages = useLoad((signal) => need(() => api.messages_(siteId, signal)), [siteId])
  const suppressions = useLoad((signal) => need(() => api.suppressions(siteId, signal)), [siteId])
  const dead = useLoad((signal) => need(() => api.deadLetters(siteId, signal)), [siteId])
  const [open, setOpen] = useState<string | null>(null)
  const detail = useLoad((signal) => (open ? api.message(siteId, open, signal) : Promise.resolve(null)), [siteId, open])
  const list = messages.data?.messages ?? []
  const error = [messages.error, suppressions.error, dead.error].filter(Boolean).map(errorText)[0] ?? ''
  const m = detail.data
  return (
    <SiteFrame view="outbox" siteId={siteId} tab="outbox" heading="Outbox">
      <p id="outbox-error" class="error" role="alert" hidden={!error}>{error}</p>
      {site && !site.settings.postalAddress ? <PostalWarning /> : null}
      <div class="table-wrap">
        {messages.data && list.length === 0 ? (
          <p class="empty" id="outbox-empty">Nothing sent yet. Messages appear here as enabled flows fire.</p>
        ) : (
          <table id="outbox-table">
            <thead>
              <tr><th>Created</th><th>Channel</th><th>Status</th><th>To</th><th>Subject</th><th>Step</th></tr>
            </thead>
            <tbody id="outbox-body">
              {list.map((row) => (
                <tr data-message-id={row.id}>
                  <td class="nowrap"><Time iso={row.createdAt} /></td>
                  <td>{row.channel}</td>
                  <td><Badge name={row.status} prefix="status" />{row.reason ? <span class="muted"> {row.reason}</span> : null}</td>
                  <td>{row.to ?? '—'}</td>
                  <td><button type="button" class="ghost open-message" onClick={() => setOpen(row.id)}>{row.subject || '(no subject)'}</button></td>
                  <td>{[row.step, row.variant].filter(Boolean).join(' · ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {open && (
        <div class="card" id="message-detail">
          <div class="card-head">
            <h2>{m?.subject || 'Message'}</h2>
            <button type="button" class="ghost" id="message-close" onClick={() => setOpen(null)}>Close</button>
          </div>
          {detail.error ? <p class="error">{errorText(detail.error)}</p> : null}
          {m && (
            <>
              <Pairs entries={Object.entries(m.headers ?? {}).map(([k, v]): [string, string] => [k, String(v)])} empty="No headers." />
              {m.html != null ? (
                <iframe id="message-html" title="Rendered email" sandbox="" srcdoc={m.html} style="width:100%;min-height:420px;border:1px solid var(--line);border-radius:6px;background:#fff" />
              ) : (
                <pre class="message-content">{formatValue(m.content ?? m.text ?? '')}</pre>
              )}
            </>
          )}
        </div>
      )}
      <h2>Suppressed addresses</h2>
      <div class="table-wrap">
        {suppressions.data && suppressions.data.suppressions.length === 0 ? (
          <p class="empty" id="suppressions-empty">No suppressed addresses.</p>
        ) : (
          <table id="suppressions-table">
            <thead><tr><th>Email</th><th>Reason</th><th>Since</th></tr></thead>
            <tbody>
              {(suppressions.data?.suppressions ?? []).map((s) => (
                <tr><td>{s.email}</td><td>{s.reason}</td><td><Time iso={s.at} /></td></tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <h2>Dead letters</h2>
      <div class="table-wrap">
        {dead.data && dead.data.deadLetters.length === 0 ? (
          <p class="empty" id="dead-letters-empty">No dead letters: every queued job went through.</p>
        ) : (
          <table id="dead-letters-table">
            <thead><tr><th>When</th><th>Kind</th><th class="num">Attempts</th><th>Body</th></tr></thead>
            <tbody>
              {(dead.data?.deadLetters ?? []).map((d) => (
                <tr><td><Time iso={d.at} /></td><td>{d.kind}</td><td class="num">{d.attempts}</td><td><code>{formatValue(d.body)}</code></td></tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </SiteFrame>
  )
}

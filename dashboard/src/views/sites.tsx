// Sites: the list with each site's key and script tag to paste, and the form to add one.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { ApiError } from '../api/client'
import { api } from '../api/endpoints'
import type { Site, SiteInput } from '../api/types'
import { Dash } from '../ui/format'
import { useFocusInvalid, CopyButton, ErrorBox, Field, invalid, problemOf, splitList, type FieldErrors, type Problem } from '../ui/forms'
import { announce } from '../ui/toast'
import { href } from '../router'
import { session, useSession } from '../store'

const SITE_LABELS: Record<string, string> = { name: 'Name', origins: 'Allowed origins', origin: 'Edge origin', hostnames: 'Hostnames' }

/** "Allowed origins “ftp://x”: message": labels name the offending list entry. */
export function siteIssueLabel(lists: Record<string, string[]>) {
  return (path: string) => {
    const [field = '', index] = String(path ?? '').split('.')
    const entry = index === undefined ? undefined : lists[field]?.[Number(index)]
    return entry !== undefined ? `${SITE_LABELS[field]} “${entry}”` : (SITE_LABELS[field] ?? (path || 'Request'))
  }
}

/** Field errors from a 400's issues (first path segment), for inputs keyed by API field name. */
export const siteFieldErrors = (error: unknown): FieldErrors =>
  error instanceof ApiError ? Object.fromEntries(error.issues.map((i) => [String(i.path).split('.')[0], i.message]).reverse()) : {}

export function SitesView() {
  const { sites } = useSession()
  const [created, setCreated] = useState<string | null>(null)
  useEffect(() => {
    document.title = 'Sites · Cairn'
  }, [])
  useEffect(() => {
    if (created) document.querySelector<HTMLElement>(`tr.install[data-site-id="${CSS.escape(created)}"] .copy-snippet`)?.focus()
  }, [created])
  const list = sites ?? []
  return (
    <section id="sites-view" aria-labelledby="sites-title">
      <h1 id="sites-title">Sites</h1>
      <SiteForm onCreated={(site) => setCreated(site.id)} />
      <p id="sites-empty" class="empty" hidden={list.length > 0}>
        No sites yet. Add one above to get its script tag.
      </p>
      <div class="table-wrap">
        <table id="sites-table" hidden={list.length === 0}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Site key</th>
              <th>Allowed origins</th>
              <th>Edge origin</th>
              <th aria-label="Actions"></th>
            </tr>
          </thead>
          <tbody id="sites-body">{list.map((site) => <SiteRows site={site} />)}</tbody>
        </table>
      </div>
    </section>
  )
}

function SiteRows({ site }: { site: Site }) {
  const { snippet } = site
  const leads = href.tab(site.id, 'leads')
  return (
    <>
      <tr class="site" data-site-id={site.id}>
        <td>
          <a href={href.tab(site.id, 'overview')} class="site-name">
            {site.name}
          </a>
        </td>
        <td class="nowrap" data-label="Site key">
          <code class="site-key">{site.key}</code> <CopyButton text={site.key} label={`Copy site key of ${site.name}`} class="copy-key" />
        </td>
        <td data-label="Allowed origins">
          <ul class="plain">{site.origins.map((origin) => <li>{origin}</li>)}</ul>
        </td>
        <td data-label="Edge origin">{site.origin || <Dash />}</td>
        <td class="actions nowrap">
          <a href={href.tab(site.id, 'overview')} class="button-link">
            Overview
          </a>{' '}
          <a href={leads} class="button-link">
            Leads
          </a>{' '}
          <a href={href.tab(site.id, 'scoring')} class="button-link">
            Scoring
          </a>
        </td>
      </tr>
      <tr class="install" data-site-id={site.id}>
        <td colspan={5}>
          <div class="snippet">
            <pre>
              <code class="snippet-code">{snippet}</code>
            </pre>
            <CopyButton text={snippet} label={`Copy script tag of ${site.name}`} class="copy-snippet" />
          </div>
        </td>
      </tr>
    </>
  )
}

function SiteForm({ onCreated }: { onCreated: (site: Site) => void }) {
  const empty = { name: '', origins: '', origin: '' }
  const [values, setValues] = useState(empty)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [problem, setProblem] = useState<Problem>(null)
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const bind = (key: keyof typeof empty) => ({
    value: values[key],
    onInput: (e: Event) => setValues({ ...values, [key]: (e.target as HTMLInputElement).value }),
    ...invalid(errors, key),
  })
  const submit = async (event: Event) => {
    event.preventDefault()
    const origins = splitList(values.origins)
    const body: SiteInput = { name: values.name.trim(), origins, ...(values.origin.trim() ? { origin: values.origin.trim() } : {}) }
    setBusy(true)
    setProblem(null)
    setErrors({})
    try {
      const site = await api.createSite(body)
      session.putSite(site)
      setValues(empty)
      announce(`Site “${site.name}” created. Paste its script tag on your pages.`)
      onCreated(site)
    } catch (error) {
      setErrors(siteFieldErrors(error))
      setProblem(problemOf(error, undefined, siteIssueLabel({ origins })))
    } finally {
      setBusy(false)
    }
  }
  useFocusInvalid(form, errors)
  return (
    <form id="site-form" class="card" novalidate onSubmit={submit} ref={form}>
      <h2>Add a site</h2>
      <div class="fields">
        <Field id="site-name" label="Name">
          <input id="site-name" name="name" autocomplete="off" required {...bind('name')} />
        </Field>
        <Field id="site-origins" class="grow" label={<>Allowed origins <span class="muted">(comma or one per line)</span></>}>
          <textarea id="site-origins" name="origins" rows={2} placeholder="https://acme.test, https://www.acme.test" required {...bind('origins')} />
        </Field>
        <Field id="site-edge-origin" label={<>Edge origin <span class="muted">(optional)</span></>}>
          <input id="site-edge-origin" name="origin" type="url" placeholder="https://acme.test" autocomplete="off" {...bind('origin')} />
        </Field>
      </div>
      <ErrorBox id="site-error" problem={problem} />
      <button type="submit" id="site-create" disabled={busy}>
        Create site
      </button>
    </form>
  )
}

// Settings: a site's name, key, allowed origins, edge origin, hostnames, postal address (marketing email
// must carry it), email open / click tracking with the machine-open and link-scanner filters, whether
// visitors consent before tracking (edge mode), and whether it accepts automated traffic
// (PATCH /api/sites/:id), with ignored traffic counts.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { api } from '../api/endpoints'
import type { Site, SitePatch } from '../api/types'
import { useFocusInvalid, CopyButton, ErrorBox, FieldError, invalid, problemOf, splitList, type FieldErrors, type Problem } from '../ui/forms'
import { NO_SITE, SiteFrame, useSite } from '../ui/layout'
import { announce } from '../ui/toast'
import { session } from '../store'
import { siteFieldErrors, siteIssueLabel } from './sites'

const valuesOf = (site: Site | undefined) => ({
  name: site?.name ?? '',
  origins: (site?.origins ?? []).join('\n'),
  origin: site?.origin ?? '',
  hostnames: (site?.hostnames ?? []).join('\n'),
  postalAddress: site?.settings.postalAddress ?? '',
})

const count = (n: number | undefined) => (n ?? 0).toLocaleString('en')

type Tracking = { opens: boolean; clicks: boolean; filterScanners: boolean; filterMachineOpens: boolean }
/** The site's email tracking: opens and clicks off, the scanner and machine-open filters on, unless the site says otherwise. */
const trackingOf = (site: Site | undefined): Tracking => ({
  opens: site?.settings.emailTracking?.opens === true,
  clicks: site?.settings.emailTracking?.clicks === true,
  filterScanners: site?.settings.emailTracking?.filterScanners !== false,
  filterMachineOpens: site?.settings.emailTracking?.filterMachineOpens !== false,
})

/** A checkbox with its label and a help paragraph tied to it (aria-describedby). */
function Switch(props: { id: string; checked: boolean; disabled?: boolean; onChange: (checked: boolean) => void; label: string; help: string }) {
  return (
    <>
      <label class="check" for={props.id}>
        <input
          id={props.id}
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled ?? false}
          aria-describedby={`${props.id}-help`}
          onChange={(e: Event) => props.onChange((e.target as HTMLInputElement).checked)}
        />{' '}
        {props.label}
      </label>
      <p class="muted" id={`${props.id}-help`}>
        {props.help}
      </p>
    </>
  )
}

export function SettingsView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const [values, setValues] = useState(() => valuesOf(site))
  const [errors, setErrors] = useState<FieldErrors>({})
  const [problem, setProblem] = useState<Problem>(site ? null : { message: NO_SITE })
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  const [acceptAutomated, setAcceptAutomated] = useState(site?.settings.acceptAutomated === true)
  const [consentRequired, setConsentRequired] = useState(site?.settings.consentRequired === true)
  const [tracking, setTracking] = useState(() => trackingOf(site))
  const form = useRef<HTMLFormElement>(null)
  useEffect(() => {
    setValues(valuesOf(site))
    setAcceptAutomated(site?.settings.acceptAutomated === true)
    setConsentRequired(site?.settings.consentRequired === true)
    setTracking(trackingOf(site))
    setErrors({})
    setStatus('')
    setProblem(site ? null : { message: NO_SITE })
  }, [siteId])
  useFocusInvalid(form, errors)
  const toggle = (key: keyof Tracking) => (e: Event) => setTracking({ ...tracking, [key]: (e.target as HTMLInputElement).checked })
  const set = (key: keyof Tracking) => (checked: boolean) => setTracking({ ...tracking, [key]: checked })
  const bind = (key: keyof ReturnType<typeof valuesOf>) => ({
    value: values[key],
    onInput: (e: Event) => setValues({ ...values, [key]: (e.target as HTMLInputElement).value }),
    ...invalid(errors, key, `settings-${key}`),
  })
  const submit = async (event: Event) => {
    event.preventDefault()
    if (!site) return
    setErrors({})
    setProblem(null)
    setStatus('')
    const origins = splitList(values.origins)
    const hostnames = splitList(values.hostnames)
    const { postalAddress: _old, ...kept } = site.settings
    const postalAddress = values.postalAddress.trim()
    const body: SitePatch = { name: values.name.trim(), origins, hostnames, settings: { ...kept, acceptAutomated, consentRequired, emailTracking: tracking, ...(postalAddress ? { postalAddress } : {}) } }
    const origin = values.origin.trim()
    // An emptied edge origin is sent as null: it turns edge mode off.
    if (origin || site.origin) body.origin = origin || null
    if (!body.name) return setErrors({ name: 'Give the site a name.' })
    setBusy(true)
    try {
      const saved = await api.updateSite(siteId, body)
      session.putSite(saved)
      setValues(valuesOf(saved))
      setAcceptAutomated(saved.settings.acceptAutomated === true)
      setConsentRequired(saved.settings.consentRequired === true)
      setTracking(trackingOf(saved))
      setStatus('Saved.')
      announce('Site settings saved.')
    } catch (error) {
      setErrors(siteFieldErrors(error))
      setProblem(problemOf(error, undefined, siteIssueLabel({ origins, hostnames })))
    } finally {
      setBusy(false)
    }
  }
  return (
    <SiteFrame view="settings" siteId={siteId} tab="settings" heading="Settings">
      <form id="settings-form" class="card settings" novalidate onSubmit={submit} ref={form}>
        <label for="settings-name">Site name</label>
        <input id="settings-name" autocomplete="off" maxlength={200} required {...bind('name')} />
        <FieldError errors={errors} name="name" id="settings-name" />
        <label for="settings-key">
          Site key <span class="muted">(public, goes in the script tag)</span>
        </label>
        <div class="inline">
          <input id="settings-key" readonly value={site?.key ?? ''} />
          <span id="settings-copy">{site?.key ? <CopyButton text={site.key} label="Copy site key" class="copy-key" /> : null}</span>
        </div>
        <label for="settings-origins">
          Allowed origins <span class="muted">(one per line)</span>
        </label>
        <textarea id="settings-origins" rows={3} placeholder="https://acme.test" {...bind('origins')} />
        <label for="settings-origin">
          Edge origin <span class="muted">(optional: the site behind edge mode)</span>
        </label>
        <input id="settings-origin" type="url" placeholder="https://acme.test" autocomplete="off" {...bind('origin')} />
        <label for="settings-hostnames">
          Hostnames <span class="muted">(optional, one per line: routed through the Worker)</span>
        </label>
        <textarea id="settings-hostnames" rows={2} placeholder="www.acme.test" {...bind('hostnames')} />
        <label for="settings-postalAddress">Postal address (printed in every marketing email's footer)</label>
        <textarea id="settings-postalAddress" rows={2} maxlength={500} placeholder="Acme Inc., 1 Main Street, Springfield" {...bind('postalAddress')} />
        {site && !site.settings.postalAddress ? <PostalWarning /> : null}
        <fieldset class="group" id="settings-email-tracking">
          <legend>Email tracking</legend>
          <label class="check" for="settings-track-opens">
            <input id="settings-track-opens" type="checkbox" checked={tracking.opens} onChange={toggle('opens')} /> Track opens (a 1×1 image in
            each email)
          </label>
          <Switch
            id="settings-filter-machine-opens"
            checked={tracking.filterMachineOpens}
            disabled={!tracking.opens}
            onChange={set('filterMachineOpens')}
            label="Leave out machine opens"
            help="Apple Mail Privacy Protection loads every image of an email when it arrives, read or not. Those loads are counted apart (the overview shows them as machine opens) instead of as opens."
          />
          <label class="check" for="settings-track-clicks">
            <input id="settings-track-clicks" type="checkbox" checked={tracking.clicks} onChange={toggle('clicks')} /> Track clicks (links go
            through Cairn, then to their page)
          </label>
          <Switch
            id="settings-filter-scanners"
            checked={tracking.filterScanners}
            disabled={!tracking.clicks}
            onChange={set('filterScanners')}
            label="Leave out link scanners' clicks"
            help="Mail-security gateways follow every link of an email when it arrives. A hidden link only they follow marks the email, and clicks within a minute of it are not counted (the overview shows how many emails were scanned)."
          />
        </fieldset>
        <Switch
          id="settings-consent-required"
          checked={consentRequired}
          onChange={setConsentRequired}
          label="Visitors consent before tracking"
          help='For a script tag with data-consent="required": edge mode then remembers no visitor (no cookie, no exposure) until the SDK stored her id after a yes.'
        />
        <Switch
          id="settings-accept-automated"
          checked={acceptAutomated}
          onChange={setAcceptAutomated}
          label="Accept automated traffic"
          help="Store events and exposures from automated browsers (Playwright, Cypress, Selenium): for staging sites and your own end-to-end tests, off for production."
        />
        <p id="settings-ignored" class="muted">
          {`Ignored since the site was created: ${count(site?.ignored?.bots)} events from bots, ${count(site?.ignored?.automated)} from automated browsers.`}
        </p>
        <ErrorBox id="settings-error" problem={problem} />
        <div>
          <button type="submit" id="settings-save" disabled={busy || !site}>
            Save settings
          </button>{' '}
          <span id="settings-status" class="muted" role="status">
            {status}
          </span>
        </div>
      </form>
    </SiteFrame>
  )
}

/** Shown while the site has no postal address: emails carry a placeholder locally and fail in production. */
export const PostalWarning = () => (
  <p class="error" id="postal-warning" role="status">
    No postal address yet: flow emails show a placeholder in development and are not sent in production (marked failed,
    postal_address_missing). Add it in Settings.
  </p>
)

// The experience editor: audience, goal, control and variants, with the live preview beside it.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { ApiError, errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import { UTM_FIELDS, type UtmField } from '../../../../contract/campaign'
import { previewUrlFor } from '../../preview'
import { useFocusInvalid, ErrorBox, FieldError, invalid, placeIssues, problemOf, type FieldErrors, type Problem } from '../../ui/forms'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { announce } from '../../ui/toast'
import { go, href } from '../../router'
import { audienceOf, DEVICES, formOf, issueKey, readForm, type ExperienceForm } from './form'
import { LivePreview, type Visitor } from './live-preview'
import { Variants } from './variants'

const DEFAULT_STAGES = ['visitor', 'lead', 'mql', 'sql', 'customer']
/** Field keys the editor shows errors under; any other issue goes to the error box. */
const SHOWN = new Set(['name', 'priority', 'goal', 'control', 'match.path', 'match.referrer', 'match.country', 'match.stage', 'match.device', 'match.score', 'match.score.lte', 'match.utm', 'variants'])
const shownKey = (key: string) => (SHOWN.has(key) || /^(match\.utm|variants\.\d+)\./.test(key) ? key : null)

export function ExperienceEditor({ siteId, expId }: { siteId: string; expId: string | null }) {
  const site = useSite(siteId)
  const scoring = useLoad((signal) => api.scoring(siteId, signal), [siteId])
  const saved = useLoad((signal) => api.experiences(siteId, signal).then((r) => r.experiences), [siteId])
  const current = useLoad((signal) => (expId ? api.experience(siteId, expId, signal) : Promise.resolve(null)), [siteId, expId])
  const [form, setForm] = useState<ExperienceForm | null>(null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [problem, setProblem] = useState<Problem>(site ? null : { message: NO_SITE })
  const [statusText, setStatusText] = useState('')
  const [busy, setBusy] = useState(false)
  const [typedUrl, setTypedUrl] = useState<string | null>(null)
  const [visitor, setVisitor] = useState<Visitor>({ device: 'desktop', stage: '', score: '', country: '', referrer: '' })
  const ref = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (current.data !== undefined && !form) setForm(formOf(current.data))
    if (current.error) setProblem({ message: `Could not load this experience: ${errorText(current.error)}` })
  }, [current.data, current.error])
  useFocusInvalid(ref, errors)

  const heading = expId ? 'Edit experience' : 'New experience'
  const crumbs = <> / <a class="crumb-exps" href={href.tab(siteId, 'experiences')}>Experiences</a></>
  const f = form ?? formOf(null)
  const set = (patch: Partial<ExperienceForm>) => setForm({ ...f, ...patch })
  const bind = (key: 'name' | 'priority' | 'goal' | 'control' | 'path' | 'referrer' | 'country' | 'scoreGte' | 'scoreLte', field: string, id: string) => ({
    id,
    value: f[key],
    onInput: (e: Event) => set({ [key]: (e.target as HTMLInputElement).value }),
    ...invalid(errors, field, id),
  })
  const utm = (k: UtmField) => ({
    id: `exp-utm-${k}`,
    value: f.utm[k],
    onInput: (e: Event) => set({ utm: { ...f.utm, [k]: (e.target as HTMLInputElement).value } }),
    ...invalid(errors, `match.utm.${k}`, `exp-utm-${k}`),
  })
  const toggle = (list: string[], value: string, on: boolean) => (on ? [...list, value] : list.filter((v) => v !== value))
  const stages = [...new Set([...(scoring.data?.stages ?? DEFAULT_STAGES), ...f.stage])]
  const { body } = readForm(f)
  // The preview URL follows the audience until the marketer types one; it is on the site's own origin (the
  // dashboard may live on another host name).
  const pageOrigin = site?.origin ?? site?.origins.find((o) => !o.includes('*')) ?? location.origin
  const url = typedUrl ?? previewUrlFor(audienceOf(f), pageOrigin)

  const submit = async (event: Event) => {
    event.preventDefault()
    const { body, errors: found } = readForm(f)
    setErrors(found)
    setProblem(null)
    const n = Object.keys(found).length
    if (n) return setProblem({ message: `Check the highlighted field${n > 1 ? 's' : ''}.` })
    setBusy(true)
    setStatusText('Saving…')
    try {
      const result = await (expId ? api.replaceExperience(siteId, expId, body) : api.createExperience(siteId, body))
      announce(`Experience “${result.name}” saved.`)
      go(href.tab(siteId, 'experiences'))
    } catch (error) {
      setStatusText('')
      const placed = error instanceof ApiError ? placeIssues(error.issues, (p) => shownKey(issueKey(p, f))) : null
      setErrors(placed?.fields ?? {})
      setProblem(problemOf(error, placed?.rest))
    } finally {
      setBusy(false)
    }
  }

  return (
    <SiteFrame view="experience" siteId={siteId} tab="experiences" heading={heading} crumbs={crumbs}
      title={current.data ? `${current.data.name} · ${site?.name ?? siteId}` : undefined}>
      <div class="split exp-split">
        <form id="exp-form" class="card" novalidate onSubmit={submit} ref={ref}>
          <div class="fields">
            <div class="field grow"><label for="exp-name">Name</label><input maxlength={200} autocomplete="off" required {...bind('name', 'name', 'exp-name')} /><FieldError errors={errors} name="name" id="exp-name" /></div>
            <div class="field short"><label for="exp-status">Status</label>
              <select id="exp-status" value={f.status} onChange={(e: Event) => set({ status: (e.target as HTMLSelectElement).value as ExperienceForm['status'] })}>
                <option value="active" selected={f.status === 'active'}>Active</option><option value="paused" selected={f.status === 'paused'}>Paused</option>
              </select></div>
            <div class="field short"><label for="exp-priority">Priority</label><input type="number" min={-1000} max={1000} placeholder="0" {...bind('priority', 'priority', 'exp-priority')} /><FieldError errors={errors} name="priority" id="exp-priority" /></div>
          </div>
          <div class="fields">
            <div class="field"><label for="exp-goal">Goal event <span class="muted">(conversion)</span></label><input placeholder="Signed Up" autocomplete="off" {...bind('goal', 'goal', 'exp-goal')} /><FieldError errors={errors} name="goal" id="exp-goal" /></div>
            <div class="field short"><label for="exp-control">Control %</label><input type="number" min={0} max={100} placeholder="0" {...bind('control', 'control', 'exp-control')} /><FieldError errors={errors} name="control" id="exp-control" /></div>
          </div>
          <fieldset class="group">
            <legend>Audience <span class="muted">(all set conditions must hold; globs: <code>*</code> = anything)</span></legend>
            <div class="fields">
              <div class="field"><label for="exp-path">Path</label><input placeholder="/ or /pricing*" autocomplete="off" {...bind('path', 'match.path', 'exp-path')} /><FieldError errors={errors} name="match.path" id="exp-path" /></div>
              <div class="field"><label for="exp-referrer">Referrer host</label><input placeholder="*.google.*" autocomplete="off" {...bind('referrer', 'match.referrer', 'exp-referrer')} /><FieldError errors={errors} name="match.referrer" id="exp-referrer" /></div>
              <div class="field"><label for="exp-country">Countries <span class="muted">(comma separated)</span></label><input placeholder="FR, DE" autocomplete="off" {...bind('country', 'match.country', 'exp-country')} /><FieldError errors={errors} name="match.country" id="exp-country" /></div>
            </div>
            <div class="fields utm">
              {UTM_FIELDS.map((k) => (
                <div class="field">
                  <label for={`exp-utm-${k}`}>{`utm_${k}`}</label>
                  <input autocomplete="off" placeholder={k === 'campaign' ? 'black-friday' : undefined} {...utm(k)} />
                  <FieldError errors={errors} name={`match.utm.${k}`} id={`exp-utm-${k}`} />
                  {k === 'campaign' ? <FieldError errors={errors} name="match.utm" /> : null}
                </div>
              ))}
            </div>
            <div class="fields">
              <fieldset id="exp-stage" class="field checks" {...invalid(errors, 'match.stage')}>
                <legend>Stages</legend>
                {stages.map((stage) => (
                  <label><input type="checkbox" value={stage} checked={f.stage.includes(stage)} onChange={(e: Event) => set({ stage: toggle(f.stage, stage, (e.target as HTMLInputElement).checked) })} />{` ${stage}`}</label>
                ))}
                <FieldError errors={errors} name="match.stage" />
              </fieldset>
            </div>
            <div class="fields">
              <fieldset id="exp-device" class="field grow checks" {...invalid(errors, 'match.device')}>
                <legend>Devices</legend>
                {DEVICES.map((d) => (
                  <label><input type="checkbox" value={d} checked={f.device.includes(d)} onChange={(e: Event) => set({ device: toggle(f.device, d, (e.target as HTMLInputElement).checked) })} />{` ${d}`}</label>
                ))}
                <FieldError errors={errors} name="match.device" />
              </fieldset>
              <div class="field short"><label for="exp-score-gte">Score ≥</label><input type="number" {...bind('scoreGte', 'match.score', 'exp-score-gte')} /><FieldError errors={errors} name="match.score" id="exp-score-gte" /></div>
              <div class="field short"><label for="exp-score-lte">Score ≤</label><input type="number" {...bind('scoreLte', 'match.score.lte', 'exp-score-lte')} /><FieldError errors={errors} name="match.score.lte" id="exp-score-lte" /></div>
            </div>
          </fieldset>
          <Variants variants={f.variants} errors={errors} onChange={(variants) => set({ variants })} />
          <ErrorBox id="exp-error" problem={problem} />
          <div class="savebar">
            <button type="submit" id="exp-save" disabled={busy || !site || !form || !!current.error}>Save experience</button>{' '}
            <a id="exp-cancel" class="button-link" href={href.tab(siteId, 'experiences')}>Cancel</a>{' '}
            <span id="exp-status-text" class="muted" role="status">{statusText}</span>
          </div>
        </form>
        <LivePreview siteId={siteId} expId={expId} draft={body} url={url} onUrl={setTypedUrl} visitor={visitor} onVisitor={setVisitor} stages={stages} saved={saved.data ?? []} />
      </div>
    </SiteFrame>
  )
}

// Experiences: the list with status, priority, audience, variants, control and goal; pause/resume and delete.
import { useState } from 'hono/jsx/dom'
import { errorText } from '../../api/client'
import { api } from '../../api/endpoints'
import type { Audience, Experience, ExperienceDraft } from '../../api/types'
import { UTM_FIELDS } from '../../../../contract/campaign'
import { Badge, Dash } from '../../ui/format'
import { useLoad } from '../../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../../ui/layout'
import { announce } from '../../ui/toast'
import { href } from '../../router'

/** "utm_campaign = black-friday · path /" */
export function audienceSummary(m: Audience = {}): string {
  const score = m.score && [m.score.gte != null && `≥ ${m.score.gte}`, m.score.lte != null && `≤ ${m.score.lte}`].filter(Boolean).join(' ')
  return (
    [
      ...UTM_FIELDS.filter((f) => m.utm?.[f]).map((f) => `utm_${f} = ${m.utm?.[f]}`),
      m.path && `path ${m.path}`,
      m.referrer && `referrer ${m.referrer}`,
      m.stage && `stage ${m.stage.join(' / ')}`,
      score && `score ${score}`,
      m.device && m.device.join(' / '),
      m.country && m.country.join(', '),
    ]
      .filter(Boolean)
      .join(' · ') || 'Every visitor'
  )
}

/** The ExperienceInput of a saved experience (variant ids kept, so assignments stay). */
const inputOf = ({ id: _id, edited: _edited, createdAt: _c, updatedAt: _u, ...input }: Experience): ExperienceDraft => input

export function ExperiencesView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const list = useLoad((signal) => (site ? api.experiences(siteId, signal).then((r) => r.experiences) : Promise.reject(new Error(NO_SITE))), [siteId])
  const [error, setError] = useState('')
  const experiences = list.data ?? []

  const toggle = async (x: Experience) => {
    setError('')
    try {
      const saved = await api.replaceExperience(siteId, x.id, { ...inputOf(x), status: x.status === 'active' ? 'paused' : 'active' })
      list.set(experiences.map((e) => (e.id === x.id ? saved : e)))
      queueMicrotask(() => document.querySelector<HTMLElement>(`#exp-body tr[data-experience-id="${CSS.escape(x.id)}"] .exp-toggle`)?.focus())
      announce(`“${saved.name}” ${saved.status === 'active' ? 'resumed' : 'paused'}.`)
    } catch (failure) {
      setError(`Could not ${x.status === 'active' ? 'pause' : 'resume'} “${x.name}”: ${errorText(failure)}`)
    }
  }
  const remove = async (x: Experience) => {
    if (!confirm(`Delete the experience “${x.name}”? Its visitors get the page’s default content again.`)) return
    setError('')
    try {
      await api.deleteExperience(siteId, x.id)
      list.set(experiences.filter((e) => e.id !== x.id))
      announce(`Experience “${x.name}” deleted.`)
    } catch (failure) {
      setError(`Could not delete “${x.name}”: ${errorText(failure)}`)
    }
  }
  const message = error || (list.error ? errorText(list.error) : '')
  return (
    <SiteFrame view="experiences" siteId={siteId} tab="experiences" heading="Experiences">
      <div class="toolbar">
        <a id="exp-new" class="button-link primary" href={href.newExperience(siteId)}>+ New experience</a>
        <span class="muted">Who sees which headline, subheadline and CTA. Highest priority wins a slot.</span>
      </div>
      <p id="exp-list-error" class="error" role="alert" hidden={!message}>{message}</p>
      <p id="exp-empty" class="empty" hidden={!list.data || experiences.length > 0}>
        No experiences yet. Create one to personalize a page for an audience, e.g. visitors from a campaign.
      </p>
      <div class="table-wrap">
        <table id="exp-table" hidden={!experiences.length}>
          <thead>
            <tr><th>Experience</th><th>Status</th><th class="num">Priority</th><th>Audience</th><th class="num">Variants</th><th class="num">Control</th><th>Goal</th><th aria-label="Actions"></th></tr>
          </thead>
          <tbody id="exp-body">
            {experiences.map((x) => (
              <tr class={`experience status-${x.status}`} data-experience-id={x.id}>
                <td><a href={href.experience(siteId, x.id)} class="exp-link">{x.name}</a></td>
                <td><Badge name={x.status} prefix="status" /></td>
                <td class="num">{String(x.priority)}</td>
                <td class="audience">{audienceSummary(x.match)}</td>
                <td class="num">{String(x.variants.length)}</td>
                <td class="num">{`${x.control}%`}</td>
                <td>{x.goal || <Dash />}</td>
                <td class="actions nowrap">
                  <a href={href.experience(siteId, x.id)} class="button-link small exp-edit" aria-label={`Edit ${x.name}`}>Edit</a>{' '}
                  <a href={href.results(siteId, x.id)} class="button-link small exp-results-link" aria-label={`Results of ${x.name}`}>Results</a>{' '}
                  <button type="button" class="ghost small exp-toggle" aria-label={`${x.status === 'active' ? 'Pause' : 'Resume'} ${x.name}`} onClick={() => toggle(x)}>
                    {x.status === 'active' ? 'Pause' : 'Resume'}
                  </button>{' '}
                  <button type="button" class="ghost small exp-delete" aria-label={`Delete ${x.name}`} onClick={() => remove(x)}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </SiteFrame>
  )
}

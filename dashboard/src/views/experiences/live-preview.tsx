// Live preview: the draft rendered here (tokens filled from the preview URL, as the Worker would) and, from
// the API, what the saved experiences decide for that visitor. A newer visitor or draft aborts the request.
import { useEffect, useState } from 'hono/jsx/dom'
import { errorText, isAbort } from '../../api/client'
import { api } from '../../api/endpoints'
import type { Experience, ExperienceDraft } from '../../api/types'
import { escapeHtml, INLINE_TAGS, isSafeFragment, renderTokens, urlTokens } from '../../../../contract/slots'
import { audienceMisses, type PreviewVisitor } from '../../preview'
import { useDebounced, useLatestSignal } from '../../ui/hooks'

export type Visitor = { device: string; stage: string; score: string; country: string; referrer: string }

type Props = {
  siteId: string
  expId: string | null
  draft: ExperienceDraft
  url: string
  onUrl: (url: string) => void
  visitor: Visitor
  onVisitor: (visitor: Visitor) => void
  stages: readonly string[]
  saved: readonly Experience[]
}

const parseUrl = (text: string) => {
  try {
    const url = new URL(text.trim())
    return /^https?:$/.test(url.protocol) ? url : null
  } catch {
    return null
  }
}

/**
 * A mock hero: headline, subheadline, CTA, then any other slot. Slot values are HTML fragments (inline tags and
 * escaped visitor values): the one place this dashboard sets innerHTML.
 */
export function Hero({ id, slots, dimmed, label }: { id: string; slots: Record<string, string>; dimmed?: boolean; label: string }) {
  const part = (Tag: 'h2' | 'p' | 'button' | 'dd', name: string, fallback: string) =>
    slots[name] == null ? (
      <Tag class={`hero-${name}`}><span class="muted">{fallback}</span></Tag>
    ) : (
      <Tag class={`hero-${name}`} dangerouslySetInnerHTML={{ __html: slots[name] }} {...(Tag === 'button' ? { type: 'button', tabindex: -1 } : {})} />
    )
  const others = Object.keys(slots).filter((name) => !['headline', 'subheadline', 'cta'].includes(name))
  return (
    <div id={id} class={dimmed ? 'hero dimmed' : 'hero'} aria-label={label}>
      {part('h2', 'headline', 'Default headline')}
      {part('p', 'subheadline', 'Default subheadline')}
      {part('button', 'cta', 'Default CTA')}
      {others.length ? <dl class="pairs hero-more">{others.map((name) => <><dt>{name}</dt>{part('dd', name, '')}</>)}</dl> : null}
    </div>
  )
}

export function LivePreview({ siteId, expId, draft, url, onUrl, visitor, onVisitor, stages, saved }: Props) {
  const [chosen, setChosen] = useState(0)
  const ctx: PreviewVisitor = { ...visitor, url: parseUrl(url), country: visitor.country.trim().toUpperCase() }
  const variant = draft.variants[Math.min(chosen, draft.variants.length - 1)] ?? draft.variants[0]
  const misses = audienceMisses(draft.match, ctx)
  const unsafe: string[] = []
  const slots = Object.fromEntries(
    Object.entries(variant?.slots ?? {}).map(([name, content]) => {
      // Markup beyond the inline tags is shown as text: the Worker would reject it on save.
      if (!isSafeFragment(content)) return unsafe.push(name), [name, escapeHtml(content)]
      return [name, renderTokens(content, urlTokens(ctx.url?.href ?? '', ctx.country))]
    }),
  )
  const v = (key: keyof Visitor) => ({ value: visitor[key], onInput: (e: Event) => onVisitor({ ...visitor, [key]: (e.target as HTMLInputElement).value }) })
  return (
    <aside id="exp-preview-panel" class="card detail" aria-labelledby="exp-preview-title">
      <h2 id="exp-preview-title">Live preview</h2>
      <label for="exp-preview-url">Page URL</label>
      <input id="exp-preview-url" type="url" autocomplete="off" value={url} onInput={(e: Event) => onUrl((e.target as HTMLInputElement).value)} />
      <div class="fields tight">
        <div class="field">
          <label for="exp-preview-device">Device</label>
          <select id="exp-preview-device" {...v('device')}>
            {['desktop', 'mobile', 'tablet'].map((d) => <option selected={d === visitor.device}>{d}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="exp-preview-stage">Stage</label>
          <select id="exp-preview-stage" {...v('stage')}>
            <option value="">—</option>
            {stages.map((s) => <option selected={s === visitor.stage}>{s}</option>)}
          </select>
        </div>
        <div class="field"><label for="exp-preview-score">Score</label><input id="exp-preview-score" type="number" placeholder="0" {...v('score')} /></div>
        <div class="field"><label for="exp-preview-country">Country</label><input id="exp-preview-country" maxlength={2} placeholder="FR" autocomplete="off" {...v('country')} /></div>
        <div class="field"><label for="exp-preview-referrer">Referrer</label><input id="exp-preview-referrer" placeholder="https://www.google.com/" autocomplete="off" {...v('referrer')} /></div>
      </div>
      <h3>
        This draft{' '}
        <select id="exp-preview-variant" aria-label="Variant to preview" class="inline-select" onChange={(e: Event) => setChosen((e.target as HTMLSelectElement).selectedIndex)}>
          {draft.variants.map((x, i) => <option value={String(i)} selected={i === chosen}>{x.name || `Variant ${i + 1}`}</option>)}
        </select>
      </h3>
      <p id="exp-preview-match" role="status" class={misses.length ? 'match-no' : 'match-yes'}>
        {misses.length ? `✗ The draft’s audience does not match: ${misses.join('; ')}.` : '✓ The draft’s audience matches this visitor.'}
        {unsafe.length ? <span class="field-error unsafe">{`${unsafe.join(', ')}: only the inline tags ${INLINE_TAGS.join(', ')} are allowed.`}</span> : null}
      </p>
      <Hero id="exp-preview" slots={slots} dimmed={misses.length > 0} label="Draft preview" />
      <h3>
        Live now <span class="muted">(saved experiences)</span>
      </h3>
      <ServerDecision siteId={siteId} expId={expId} ctx={ctx} saved={saved} />
    </aside>
  )
}

function ServerDecision({ siteId, expId, ctx, saved }: { siteId: string; expId: string | null; ctx: PreviewVisitor; saved: readonly Experience[] }) {
  const query = useDebounced(
    ctx.url ? JSON.stringify({ url: ctx.url.href, device: ctx.device, stage: ctx.stage || undefined, score: ctx.score || undefined, referrer: ctx.referrer || undefined, country: /^[A-Z]{2}$/.test(ctx.country) ? ctx.country : undefined }) : '',
    300,
  )
  const [state, setState] = useState<{ text: string; slots: Record<string, string> | null; busy: boolean }>({ text: '', slots: null, busy: false })
  const next = useLatestSignal()
  useEffect(() => {
    const signal = next()
    if (!query) return setState({ text: `Enter a full URL, e.g. ${location.origin}/`, slots: null, busy: false })
    setState((s) => ({ ...s, busy: true }))
    api.previewDecision(siteId, JSON.parse(query), signal).then(
      (decision) => {
        if (signal.aborted) return
        const chosen = decision.experiences.map(({ id, variant }) => {
          const x = saved.find((e) => e.id === id)
          const arm = variant === 'control' ? 'control (default content)' : (x?.variants.find((v) => v.id === variant)?.name ?? variant)
          return `${x ? x.name : id}${id === expId ? ' (saved version)' : ''} → ${arm}`
        })
        setState({ text: chosen.length ? `Decided: ${chosen.join('; ')}.` : 'No saved experience matches: the page keeps its default content.', slots: decision.slots ?? {}, busy: false })
      },
      (error: unknown) => {
        if (!signal.aborted && !isAbort(error)) setState({ text: `Preview unavailable: ${errorText(error)}`, slots: null, busy: false })
      },
    )
  }, [siteId, query, saved])
  return (
    <div aria-busy={state.busy ? 'true' : undefined}>
      <p id="exp-preview-decision" class="muted">{state.text}</p>
      {state.slots ? <Hero id="exp-preview-server" slots={state.slots} label="What a visitor sees now" /> : <div id="exp-preview-server" class="hero" aria-label="What a visitor sees now" />}
    </div>
  )
}

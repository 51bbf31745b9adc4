// The experience editor's form values and their reading into an ExperienceInput (pure: no DOM, no fetch).
import type { Audience, Experience, ExperienceDraft } from '../../api/types'
import { UTM_FIELDS, type UtmField } from '../../../../contract/campaign'
import { splitList } from '../../ui/forms'

let lastKey = 0
const nextKey = () => ++lastKey

export type SlotForm = { key: number; name: string; content: string }
export type VariantForm = { key: number; id?: string; name: string; weight: string; slots: SlotForm[] }
export type ExperienceForm = {
  name: string
  status: 'active' | 'paused'
  priority: string
  goal: string
  control: string
  path: string
  referrer: string
  country: string
  utm: Record<UtmField, string>
  stage: string[]
  device: string[]
  scoreGte: string
  scoreLte: string
  variants: VariantForm[]
}

const text = (v: unknown) => (v == null ? '' : String(v))
export const DEVICES = ['mobile', 'tablet', 'desktop'] as const

export const slotForm = (name = '', content = ''): SlotForm => ({ key: nextKey(), name, content })
export const variantForm = (index: number): VariantForm => ({
  key: nextKey(),
  name: `Variant ${'ABCDEFGHIJ'[index] ?? index + 1}`,
  weight: '100',
  slots: [slotForm('headline'), slotForm('subheadline'), slotForm('cta')],
})

export function formOf(x: Experience | null): ExperienceForm {
  const m: Audience = x?.match ?? { path: '/' }
  return {
    name: x?.name ?? '',
    status: x?.status ?? 'active',
    priority: text(x?.priority),
    goal: text(x?.goal),
    control: text(x?.control),
    path: text(m.path),
    referrer: text(m.referrer),
    country: (m.country ?? []).join(', '),
    utm: Object.fromEntries(UTM_FIELDS.map((f) => [f, text(m.utm?.[f])])) as Record<UtmField, string>,
    stage: m.stage ?? [],
    device: m.device ?? [],
    scoreGte: text(m.score?.gte),
    scoreLte: text(m.score?.lte),
    variants: x?.variants.length
      ? x.variants.map((v) => ({ key: nextKey(), id: v.id, name: v.name, weight: text(v.weight), slots: Object.entries(v.slots).map(([n, c]) => slotForm(n, c)) }))
      : [variantForm(0)],
  }
}

/** The audience as typed so far (the live preview reads it on every keystroke). */
export function audienceOf(f: ExperienceForm): Audience {
  const int = (s: string) => (s.trim() === '' ? undefined : Number(s.trim()))
  const some = <T>(list: T[]) => (list.length ? list : undefined)
  const utm = Object.fromEntries(UTM_FIELDS.map((k) => [k, f.utm[k].trim()]).filter(([, glob]) => glob))
  const score = { gte: int(f.scoreGte), lte: int(f.scoreLte) }
  return {
    path: f.path.trim() || undefined,
    utm: Object.keys(utm).length ? utm : undefined,
    stage: some(f.stage),
    score: (score.gte ?? score.lte) !== undefined ? score : undefined,
    referrer: f.referrer.trim() || undefined,
    device: some(f.device) as Audience['device'],
    country: some(splitList(f.country).map((c) => c.toUpperCase())),
  }
}

/** Reads the editor into an ExperienceInput; `errors` (by field key) are found before asking the API. */
export function readForm(f: ExperienceForm): { body: ExperienceDraft; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const int = (s: string) => (s.trim() === '' ? undefined : Number(s.trim()))
  const variants = f.variants.map((v, i) => {
    const slots: Record<string, string> = {}
    v.slots.forEach((s, j) => {
      if (!s.name.trim() && s.content.trim()) errors[`variants.${i}.slotname.${j}`] = 'Name this slot, e.g. headline.'
      else if (s.name.trim() && s.content.trim()) slots[s.name.trim()] = s.content.trim()
    })
    return { ...(v.id ? { id: v.id } : {}), name: v.name.trim(), weight: v.weight === '' ? (undefined as unknown as number) : Number(v.weight), slots }
  })
  if (!f.name.trim()) errors.name = 'Give the experience a name.'
  const body: ExperienceDraft = {
    name: f.name.trim(),
    status: f.status,
    priority: int(f.priority),
    goal: f.goal.trim() || null,
    match: audienceOf(f),
    variants,
    control: int(f.control),
  }
  return { body, errors }
}

/** An API issue path as an editor field key: variants.0.slots.headline → that slot's content. */
export function issueKey(path: string, f: ExperienceForm): string {
  const [, index, part, slot] = /^variants\.(\d+)\.?(\w*)\.?(.*)$/.exec(String(path)) ?? []
  if (index === undefined) {
    if (path.startsWith('match.score')) return path === 'match.score.lte' ? 'match.score.lte' : 'match.score'
    return path.startsWith('match.') ? path.split('.').slice(0, path.startsWith('match.utm.') ? 3 : 2).join('.') : path.split('.')[0] || 'variants'
  }
  const variant = f.variants[Number(index)]
  if (!variant) return 'variants'
  if (part === 'weight' || part === 'name') return `variants.${index}.${part}`
  const j = slot ? variant.slots.findIndex((s) => s.name.trim() === slot) : -1
  return j >= 0 ? `variants.${index}.slot.${j}` : part === 'slots' ? `variants.${index}.slots` : `variants.${index}.name`
}

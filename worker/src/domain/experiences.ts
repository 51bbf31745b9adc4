// Experiences: who sees what. Audience matching, deterministic sticky bucketing with a held-out control,
// one experience per slot by priority, and dynamic text replacement with escaped, length-limited values.
import { z } from 'zod'
import { campaignOf, queryParams } from '../../../contract/campaign'
import { compileGlob, type GlobTest } from '../../../contract/glob'
import { INLINE_TAGS, isSafeFragment, renderTokens, urlTokens } from '../../../contract/slots'

export { cleanToken, escapeHtml, MAX_TOKEN_LENGTH } from '../../../contract/slots'

const Glob = z.string().trim().min(1).max(500)
const SlotName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'slot names use letters, digits, _ and -')

/**
 * Slot content is an HTML fragment: the marketer's text with a few inline tags (no attributes), and
 * `{{token|fallback}}` placeholders whose visitor-supplied values are HTML-escaped when rendered.
 */
export const SlotContent = z
  .string()
  .max(2000)
  .refine(isSafeFragment, {
    message: `slot content may only use the inline tags ${INLINE_TAGS.join(', ')} (no attributes)`,
  })

export const Audience = z
  .object({
    path: Glob.optional(),
    utm: z
      .object({ source: Glob, medium: Glob, campaign: Glob, term: Glob, content: Glob })
      .partial()
      .strict()
      .optional(),
    /** Lifecycle stages (server-side: read from the visitor's lead). */
    stage: z.array(z.string().min(1).max(40)).min(1).max(20).optional(),
    /** Score band (server-side only; never sent to the browser). */
    score: z
      .object({ gte: z.number().int().optional(), lte: z.number().int().optional() })
      .strict()
      .optional(),
    /** Referrer host glob, e.g. `*.google.*`. */
    referrer: Glob.optional(),
    device: z.array(z.enum(['mobile', 'tablet', 'desktop'])).min(1).optional(),
    /** ISO 3166-1 alpha-2 codes, from Cloudflare's request.cf.country. */
    country: z.array(z.string().regex(/^[A-Za-z]{2}$/).transform((c) => c.toUpperCase())).min(1).max(250).optional(),
  })
  .strict()
export type Audience = z.infer<typeof Audience>

export const VariantInput = z
  .object({
    id: z.string().regex(/^var_[A-Za-z0-9_]{1,40}$/).optional(),
    name: z.string().trim().min(1).max(200),
    weight: z.number().int().min(0).max(10_000),
    slots: z.record(SlotName, SlotContent).refine((slots) => Object.keys(slots).length > 0, { message: 'a variant fills at least one slot' }),
  })
  .strict()
export type VariantInput = z.infer<typeof VariantInput>
export type Variant = VariantInput & { id: string }

export const ExperienceInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    status: z.enum(['active', 'paused']).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    goal: z.string().trim().min(1).max(200).nullable().optional(),
    match: Audience,
    variants: z.array(VariantInput).min(1).max(10),
    control: z.number().int().min(0).max(100).optional(),
  })
  .strict()
  .refine((e) => e.variants.some((v) => v.weight > 0), { message: 'at least one variant needs a weight above 0', path: ['variants'] })
  .refine((e) => new Set(e.variants.map((v) => v.name)).size === e.variants.length, {
    message: 'variant names must be unique',
    path: ['variants'],
  })
export type ExperienceInput = z.infer<typeof ExperienceInput>

export type Experience = {
  id: string
  /** An experience edited after it started may disagree with earlier assignments: read them back. */
  edited: boolean
  name: string
  status: 'active' | 'paused'
  priority: number
  goal: string | null
  match: Audience
  variants: Variant[]
  control: number
}

/** What a decision can know about the request and the visitor. */
export type DecisionContext = {
  url: URL
  referrer: string | null
  device: 'mobile' | 'tablet' | 'desktop'
  country: string | null
  /** Null when there is no visitor id (variant API without aid, GPC): no bucketing, no control. */
  visitorId: string | null
  lead: { stage: string; score: number } | null
  /** Variants this visitor was already exposed to (sticky even after weights change). */
  exposed: Map<string, string>
}

export const CONTROL = 'control'

/** 32-bit FNV-1a: a stable, fast, well-spread hash for bucketing (GrowthBook uses the same family). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * The visitor's position in [0, 1) for an experience: the same visitor always lands in the same place.
 * Hashing the hash and keeping the low digits (GrowthBook's v2 scheme) spreads ids that differ only in
 * their last characters; FNV's high bits alone cluster them.
 */
export const bucketOf = (visitorId: string, experienceId: string) =>
  (fnv1a(String(fnv1a(`${experienceId}:${visitorId}`))) % 10_000) / 10_000


export function deviceOf(userAgent: string | undefined): DecisionContext['device'] {
  if (!userAgent) return 'desktop'
  if (/iPad|Tablet|PlayBook|Silk|(Android(?!.*Mobile))/i.test(userAgent)) return 'tablet'
  if (/Mobi|iPhone|iPod|Android|BlackBerry|IEMobile|Opera Mini/i.test(userAgent)) return 'mobile'
  return 'desktop'
}

/** An audience with its globs compiled (linear-time matchers): built when a configuration loads, not per decision. */
export type CompiledAudience = Omit<Audience, 'path' | 'utm' | 'referrer'> & {
  path?: GlobTest
  utm: Array<[field: string, glob: GlobTest]>
  referrer?: GlobTest
}

export function compileAudience(audience: Audience): CompiledAudience {
  return {
    ...audience,
    path: audience.path ? compileGlob(audience.path) : undefined,
    utm: Object.entries(audience.utm ?? {}).map(([field, glob]) => [field, compileGlob(glob)]),
    referrer: audience.referrer ? compileGlob(audience.referrer) : undefined,
  }
}

/** An experience ready for many decisions: its audience compiled. */
export type PreparedExperience = Experience & { audience: CompiledAudience }

export const prepareExperience = (experience: Experience): PreparedExperience => ({ ...experience, audience: compileAudience(experience.match) })

/** `params`: the page URL read once by the shared campaign parser (attribution reads it the same way). */
export const audienceMatches = (audience: Audience, ctx: DecisionContext, params?: Map<string, string>): boolean =>
  compiledAudienceMatches(compileAudience(audience), ctx, params)

function compiledAudienceMatches(audience: CompiledAudience, ctx: DecisionContext, params = queryParams(ctx.url.href)): boolean {
  if (audience.path && !audience.path(ctx.url.pathname)) return false
  if (audience.utm.length) {
    const campaign: Record<string, string | undefined> = campaignOf(params) ?? {}
    for (const [field, glob] of audience.utm) {
      const value = campaign[`utm_${field}`]
      if (!value || !glob(value)) return false
    }
  }
  if (audience.referrer) {
    let host = ''
    try {
      host = ctx.referrer ? new URL(ctx.referrer).hostname : ''
    } catch {}
    if (!host || !audience.referrer(host)) return false
  }
  if (audience.device && !audience.device.includes(ctx.device)) return false
  if (audience.country && (!ctx.country || !audience.country.includes(ctx.country.toUpperCase()))) return false
  if (audience.stage && !audience.stage.includes(ctx.lead?.stage ?? 'visitor')) return false
  if (audience.score) {
    const score = ctx.lead?.score ?? 0
    if (audience.score.gte !== undefined && score < audience.score.gte) return false
    if (audience.score.lte !== undefined && score > audience.score.lte) return false
  }
  return true
}

/** Whether deciding needs the visitor's lead (stage or score audiences). */
export const needsLead = (experiences: readonly Experience[]) => experiences.some((e) => !!(e.match.stage || e.match.score))

/** Whether deciding needs the visitor's earlier assignments (only edited experiences can move her). */
export const needsExposures = (experiences: readonly Experience[]) => experiences.some((e) => e.edited)

/** Variant for a visitor: control below `control`%, else by weight over the rest of [0, 1). */
export function chooseVariant(experience: Experience, ctx: DecisionContext): string {
  const sticky = ctx.exposed.get(experience.id)
  if (sticky && (sticky === CONTROL || experience.variants.some((v) => v.id === sticky && v.weight > 0))) return sticky
  const weighted = experience.variants.filter((v) => v.weight > 0)
  if (ctx.visitorId === null) return weighted.reduce((best, v) => (v.weight > best.weight ? v : best)).id
  const position = bucketOf(ctx.visitorId, experience.id)
  const control = experience.control / 100
  if (position < control) return CONTROL
  const total = weighted.reduce((sum, v) => sum + v.weight, 0)
  let edge = control
  for (const variant of weighted) {
    edge += ((1 - control) * variant.weight) / total
    if (position < edge) return variant.id
  }
  return weighted[weighted.length - 1]!.id
}

export type Decision = {
  slots: Record<string, string>
  experiences: Array<{ id: string; variant: string }>
}

/**
 * Decides a page: experiences by priority (then age), each slot filled by at most one experience. The
 * control group keeps the default content but still claims the experience's slots, so a lower-priority
 * experience cannot fill them and blur the comparison.
 */
export function decide(experiences: ReadonlyArray<Experience & { audience?: CompiledAudience }>, ctx: DecisionContext): Decision {
  const slots: Record<string, string> = {}
  const claimed = new Set<string>()
  const chosen: Decision['experiences'] = []
  const ordered = [...experiences].filter((e) => e.status === 'active').sort((a, b) => b.priority - a.priority)
  const params = queryParams(ctx.url.href)
  for (const experience of ordered) {
    if (!compiledAudienceMatches(experience.audience ?? compileAudience(experience.match), ctx, params)) continue
    const slotNames = new Set(experience.variants.flatMap((v) => Object.keys(v.slots)))
    if ([...slotNames].some((name) => claimed.has(name))) continue
    const variantId = chooseVariant(experience, ctx)
    for (const name of slotNames) claimed.add(name)
    chosen.push({ id: experience.id, variant: variantId })
    const variant = experience.variants.find((v) => v.id === variantId)
    if (!variant) continue // control: default content
    for (const [name, template] of Object.entries(variant.slots)) slots[name] = renderSlot(template, ctx)
  }
  return { slots, experiences: chosen }
}

/** Fills `{{token|fallback}}` placeholders from the page URL and country; visitor values are cleaned, clipped and escaped. */
export const renderSlot = (template: string, ctx: DecisionContext): string =>
  renderTokens(template, urlTokens(ctx.url.href, () => ctx.country))

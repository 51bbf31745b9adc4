// The dashboard's own preview helpers: a URL an audience matches, why a preview visitor misses an audience,
// and a served slot as plain text. The rules they apply (globs, campaign parsing) come from contract/.
import { parseCampaign, UTM_FIELDS } from '../../contract/campaign'
import { compileGlob } from '../../contract/glob'
import type { Audience } from './api/types'

/** A served slot (an HTML fragment) as plain text. */
export const plainText = (html: string) =>
  html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!)

const globTest = (glob: string, value: string) => compileGlob(glob)(value)

/** A URL on `origin` that the audience's path and campaign (UTM) globs match. */
export function previewUrlFor(match: Audience, origin: string): string {
  const url = new URL((match.path || '/').replace(/\*/g, '') || '/', origin)
  for (const f of UTM_FIELDS) {
    const glob = match.utm?.[f]
    if (glob) url.searchParams.set(`utm_${f}`, glob.replace(/\*/g, '') || 'any')
  }
  return url.href
}

export type PreviewVisitor = { url: URL | null; country: string; device: string; stage: string; score: string; referrer: string }

/** Why an audience would not match this preview visitor (empty: it matches). */
export function audienceMisses(m: Audience, ctx: PreviewVisitor): string[] {
  if (!ctx.url) return ['enter a full http(s) URL']
  const url = ctx.url
  const misses: string[] = []
  if (m.path && !globTest(m.path, url.pathname)) misses.push(`path ${url.pathname} is not ${m.path}`)
  // The campaign as the Worker reads it: any key case, first value wins, hash routes included.
  const campaign = parseCampaign(url.href) ?? {}
  for (const [f, glob] of Object.entries(m.utm ?? {})) {
    const got = campaign[`utm_${f}` as keyof typeof campaign]
    if (!got || !globTest(glob, got)) misses.push(got ? `utm_${f} “${got}” is not ${glob}` : `no utm_${f} (wants ${glob})`)
  }
  let host = ''
  try {
    host = new URL(ctx.referrer).hostname
  } catch {}
  if (m.referrer && !(host && globTest(m.referrer, host))) misses.push(`referrer ${host || 'none'} is not ${m.referrer}`)
  if (m.device && !m.device.includes(ctx.device as 'desktop')) misses.push(`device ${ctx.device} (wants ${m.device.join(' or ')})`)
  if (m.country && !m.country.includes(ctx.country)) misses.push(`country ${ctx.country || 'unknown'} (wants ${m.country.join(', ')})`)
  if (m.stage && !m.stage.includes(ctx.stage || 'visitor')) misses.push(`stage ${ctx.stage || 'visitor'} (wants ${m.stage.join(' or ')})`)
  const score = Number(ctx.score) || 0
  if (m.score && ((m.score.gte != null && score < m.score.gte) || (m.score.lte != null && score > m.score.lte))) misses.push(`score ${score} is out of range`)
  return misses
}

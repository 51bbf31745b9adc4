// Rules the dashboard shares with the Worker and the SDK: slot allowlist, HTML escaping, token cleaning and
// rendering, glob matching, campaign (UTM) keys. Kept in this one file until the shared `contract/` module
// lands; then this file re-exports from it (or its imports point there) and nothing else changes.
import type { Audience } from './api/types'

export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const
export type UtmKey = (typeof UTM_KEYS)[number]

/** The inline tags a slot may hold (no attributes); any other markup is rejected by the Worker on save. */
export const INLINE_TAGS = ['b', 'strong', 'em', 'i', 'u', 'br', 'small', 'mark', 'sup', 'sub', 'span'] as const
const INLINE_TAG = new RegExp(`<\\/?(${INLINE_TAGS.join('|')})\\s*\\/?>`, 'gi')
export const isAllowedSlot = (content: string) => !content.replace(INLINE_TAG, '').includes('<')

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

/** A served slot (an HTML fragment) as plain text. */
export const plainText = (html: string) =>
  html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!)

/** Case-insensitive glob where `*` is anything, as the Worker's audience and rule paths match. */
export const globTest = (glob: string, value: string) =>
  new RegExp(`^${glob.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(value)

export type TokenSource = { url: URL | null; country: string }

/** Same cleaning as the Worker: control characters dropped, spaces collapsed, 60 characters at most, escaped. */
export function tokenText(name: string, ctx: TokenSource): string {
  const key = name.toLowerCase()
  const raw = /^utm_(source|medium|campaign|term|content)$/.test(key)
    ? ctx.url?.searchParams.get(key)
    : key === 'country'
      ? ctx.country
      : key.startsWith('query.')
        ? ctx.url?.searchParams.get(name.slice(6))
        : ''
  // eslint-disable-next-line no-control-regex
  let text = (raw || '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim()
  if (text.length > 60) {
    const cut = text.slice(0, 60)
    text = (cut.lastIndexOf(' ') > 30 ? cut.slice(0, cut.lastIndexOf(' ')) : cut).trim()
  }
  return escapeHtml(text)
}

/** `{{utm_term|CRM}}` → the visitor's cleaned, escaped value, else the fallback. */
export const renderTokens = (template: string, ctx: TokenSource) =>
  template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|([^}]*))?\}\}/g, (_, name: string, fallback?: string) => tokenText(name, ctx) || (fallback ?? '').trim())

/** A URL on `origin` that the audience's path and campaign (UTM) globs match. */
export function previewUrlFor(match: Audience, origin: string): string {
  const url = new URL((match.path || '/').replace(/\*/g, '') || '/', origin)
  for (const f of UTM_KEYS) {
    const glob = match.utm?.[f]
    if (glob) url.searchParams.set(`utm_${f}`, glob.replace(/\*/g, '') || 'any')
  }
  return url.href
}

export type PreviewVisitor = TokenSource & { device: string; stage: string; score: string; referrer: string }

/** Why an audience would not match this preview visitor (empty: it matches). */
export function audienceMisses(m: Audience, ctx: PreviewVisitor): string[] {
  if (!ctx.url) return ['enter a full http(s) URL']
  const url = ctx.url
  const misses: string[] = []
  if (m.path && !globTest(m.path, url.pathname)) misses.push(`path ${url.pathname} is not ${m.path}`)
  for (const [f, glob] of Object.entries(m.utm ?? {})) {
    const got = url.searchParams.get(`utm_${f}`)
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

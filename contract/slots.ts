// Slot content: an HTML fragment of the marketer's text with a few bare inline tags, and `{{token|fallback}}`
// placeholders filled with visitor values that are cleaned, clipped and escaped. The Worker validates and
// renders it, edge mode and the SDK insert it as HTML, the dashboard previews it.
import { clipCodePoints, hasPlaceholder, queryParams } from './campaign.js'

/** The only markup a slot may hold: these tags, with no attributes. */
export const INLINE_TAGS = ['b', 'strong', 'em', 'i', 'u', 'br', 'small', 'mark', 'sup', 'sub', 'span'] as const
const INLINE_TAG = /<\/?(b|strong|em|i|u|br|small|mark|sup|sub|span)\s*\/?>/gi

/** Whether a fragment holds no markup but the allowed inline tags (anything else is shown as text). */
export const isSafeFragment = (html: string): boolean => !html.replace(INLINE_TAG, '').includes('<')

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/** Longest visitor-supplied value inserted into a slot, in code points. */
export const MAX_TOKEN_LENGTH = 60

/** Half of a surrogate pair on its own: not text, and HTML rewriters fail on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
/** Control characters (C0, DEL, C1) and bidirectional overrides, which could reorder the page's text. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

export const dropLoneSurrogates = (text: string): string => text.replace(LONE_SURROGATE, '')

/** A URL-supplied value made presentable: control characters dropped, spaces collapsed, clipped at a word. */
export function cleanToken(raw: string): string {
  const text = dropLoneSurrogates(raw).replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim()
  const cut = clipCodePoints(text, MAX_TOKEN_LENGTH)
  if (cut.length == text.length) return text
  const space = cut.lastIndexOf(' ')
  return (space > cut.length / 2 ? cut.slice(0, space) : cut).trim()
}

/** Token names a slot may use: utm_source … utm_content, query.NAME (any parameter), country. */
export type TokenSource = (name: string) => string | null | undefined

/** Tokens read from a page URL (one parser for attribution, audiences and tokens), plus `country`. */
/** `country`: the visitor's country, or a function asked only when a template uses `{{country}}`. */
export function urlTokens(href: string, country?: string | null | (() => string | null)): TokenSource {
  const params = queryParams(href)
  return (name) =>
    /^utm_(source|medium|campaign|term|content)$/.test(name)
      ? params.get(name)
      : name.startsWith('query.')
        ? params.get(name.slice(6))
        : name == 'country'
          ? typeof country == 'function'
            ? country()
            : country
          : undefined
}

const TOKEN = /\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|([^}]*))?\}\}/g

/**
 * Fills `{{token|fallback}}` placeholders: a value is cleaned, clipped and HTML-escaped; an empty one, or
 * an unexpanded ad placeholder (`{keyword}`), shows the fallback. The result is always well-formed text.
 */
export function renderTokens(template: string, tokens: TokenSource): string {
  const html = template.replace(TOKEN, (_, name: string, fallback?: string) => {
    const raw = tokens(name.trim().toLowerCase()) ?? ''
    const value = hasPlaceholder(raw) ? '' : cleanToken(raw)
    return value ? escapeHtml(value) : (fallback ?? '').trim()
  })
  return dropLoneSurrogates(html)
}

// `{{lead.traits.firstName|there}}` tokens: a dotted path into the scope, a fallback after `|`.
export type TokenScope = { lead: Record<string, unknown>; site?: Record<string, unknown> }

const TOKEN = /\{\{\s*([A-Za-z0-9_.$-]+)\s*(?:\|([^}]*))?\}\}/g

export const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

function lookup(scope: TokenScope, path: string): unknown {
  let value: unknown = scope
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/**
 * Replaces tokens; `html` escapes values AND fallbacks (both may come from a visitor or a marketer); `url`
 * percent-encodes them (a token inside a link's query or path stays one component).
 */
export function renderTokens(template: string, scope: TokenScope, mode: 'html' | 'text' | 'url'): string {
  return template.replace(TOKEN, (_, path: string, fallback: string | undefined) => {
    const value = lookup(scope, path)
    const text = value === undefined || value === null || value === '' || typeof value === 'object' ? (fallback ?? '').trim() : String(value)
    return mode === 'html' ? escapeHtml(text) : mode === 'url' ? encodeURIComponent(text) : text
  })
}

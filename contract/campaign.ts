// Campaign keys and the one way a URL is read for them, shared by the SDK (landing attribution), the
// Worker (attribution, audiences, slot tokens) and the dashboard (previews).

/** The UTM fields an audience or a slot token can name, without their `utm_` prefix. */
export const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const
export type UtmField = (typeof UTM_FIELDS)[number]

export type CampaignKey = `utm_${UtmField}` | 'gclid' | 'fbclid' | 'msclkid'
export const CAMPAIGN_KEYS = UTM_FIELDS.map((field) => 'utm_' + field).concat('gclid', 'fbclid', 'msclkid') as CampaignKey[]

/** The landing page's UTM parameters and click ids, keyed by their URL parameter names. */
export type Campaign = Partial<Record<CampaignKey, string>>

/** Longest campaign value kept, in code points. */
export const MAX_CAMPAIGN_VALUE = 200

/** The first `max` code points of `text`: a surrogate pair is never split. */
export const clipCodePoints = (text: string, max: number): string => Array.from(text).slice(0, max).join('')

/** An ad platform placeholder left unexpanded (Google Ads ValueTrack `{keyword}`, `{campaignid}`…). */
export const hasPlaceholder = (value: string): boolean => /\{[a-z_]+\}/.test(value)

const decode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {}
}

const queryOf = (text: string) => {
  const at = text.indexOf('?')
  return at < 0 ? '' : text.slice(at + 1)
}

/**
 * A URL's query parameters by lower-cased name, the query of a hash route (`#/lp?utm_campaign=…`)
 * included after the page's own: the first value of a name wins, and a value that is not valid UTF-8
 * once decoded (`caf%E9`) reads as empty, never as U+FFFD.
 */
export function queryParams(href: string): Map<string, string> {
  const params = new Map<string, string>()
  const hash = href.indexOf('#')
  const query = queryOf(hash < 0 ? href : href.slice(0, hash)) + '&' + (hash < 0 ? '' : queryOf(href.slice(hash + 1)))
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    const name = decode(eq < 0 ? pair : pair.slice(0, eq))?.toLowerCase()
    if (name && !params.has(name)) params.set(name, decode(eq < 0 ? '' : pair.slice(eq + 1)) || '')
  }
  return params
}

/** Campaign values present in a URL's parameters (placeholders count as absent). */
export function campaignOf(params: Map<string, string>): Campaign | undefined {
  let campaign: Campaign | undefined
  for (const key of CAMPAIGN_KEYS) {
    const value = params.get(key)
    if (value && !hasPlaceholder(value)) (campaign ||= {})[key] = clipCodePoints(value, MAX_CAMPAIGN_VALUE)
  }
  return campaign
}

/** UTM parameters and click ids of a URL, or undefined when it has none. */
export const parseCampaign = (href: string): Campaign | undefined => campaignOf(queryParams(href))

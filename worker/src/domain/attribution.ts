// Ad attribution: where a visit came from, read from the page URL (UTM, click ids) and the referrer.
export type Touch = {
  source: string
  medium: string
  campaign?: string
  term?: string
  content?: string
  gclid?: string
  fbclid?: string
  msclkid?: string
  referrer?: string
  landingPage?: string
  at: number
}

const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const
const CLICK_IDS = ['gclid', 'fbclid', 'msclkid'] as const
const CLICK_ID_SOURCE = { gclid: 'google', fbclid: 'facebook', msclkid: 'bing' } as const
const SEARCH_ENGINES = /(^|\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia|qwant|brave)\./
const MAX_VALUE = 200

const clip = (value: string | null | undefined) => (value ? value.slice(0, MAX_VALUE) : undefined)

function parseUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/**
 * The touch an event carries, or null when it carries no marketing signal (an internal navigation).
 * `campaign` is the SDK's copy of the session's landing parameters, used when the URL has none (SPA).
 */
export function touchFromEvent(input: {
  url?: string
  referrer?: string
  campaign?: Record<string, unknown>
  at: number
}): Touch | null {
  const page = parseUrl(input.url)
  const params = new Map<string, string>()
  page?.searchParams.forEach((value, key) => params.set(key.toLowerCase(), value))
  const hasUrlSignal = [...params.keys()].some((key) => key.startsWith('utm_') || (CLICK_IDS as readonly string[]).includes(key))
  if (!hasUrlSignal && input.campaign) {
    for (const [key, value] of Object.entries(input.campaign)) {
      if (typeof value !== 'string') continue
      const name = key.toLowerCase()
      params.set(name.startsWith('utm_') || (CLICK_IDS as readonly string[]).includes(name) ? name : `utm_${name}`, value)
    }
  }

  const touch: Partial<Touch> = { at: input.at }
  for (const field of UTM_FIELDS) {
    const value = clip(params.get(`utm_${field}`))
    if (value) touch[field] = value
  }
  for (const id of CLICK_IDS) {
    const value = clip(params.get(id))
    if (value) touch[id] = value
  }

  const referrer = parseUrl(input.referrer)
  const external = referrer && (!page || referrer.host !== page.host) ? referrer : undefined
  if (external) touch.referrer = clip(external.href)
  if (page) touch.landingPage = clip(page.origin + page.pathname)

  const clickId = CLICK_IDS.find((id) => touch[id])
  if (!touch.source) {
    if (clickId) touch.source = CLICK_ID_SOURCE[clickId]
    else if (external) touch.source = external.hostname.replace(/^www\./, '')
  }
  if (!touch.medium) {
    if (clickId) touch.medium = 'cpc'
    else if (touch.campaign || params.has('utm_source')) touch.medium = '(none)'
    else if (external) touch.medium = SEARCH_ENGINES.test(external.hostname) ? 'organic' : 'referral'
  }
  if (!touch.source) return null
  touch.medium ??= '(none)'
  return touch as Touch
}

/** First touch of a visitor with no marketing signal: she typed the address or used a bookmark. */
export function directTouch(url: string | undefined, at: number): Touch {
  const page = parseUrl(url)
  return { source: '(direct)', medium: '(none)', at, ...(page ? { landingPage: clip(page.origin + page.pathname) } : {}) }
}

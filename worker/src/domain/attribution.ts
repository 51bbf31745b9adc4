// Ad attribution: where a visit came from, read from the page URL (UTM, click ids) and the referrer.
import { campaignOf, clipCodePoints, queryParams, UTM_FIELDS, type Campaign } from '../../../contract/campaign'

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

const CLICK_IDS = ['gclid', 'fbclid', 'msclkid'] as const
const CLICK_ID_SOURCE = { gclid: 'google', fbclid: 'facebook', msclkid: 'bing' } as const
const SEARCH_ENGINES = /(^|\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia|qwant|brave)\./
const MAX_VALUE = 200
/** Analytics' convention for a campaign that names no source or medium. */
const NOT_SET = '(not set)'

const clip = (value: string | null | undefined) => (value ? clipCodePoints(value, MAX_VALUE) : undefined)

function parseUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

const withoutWww = (host: string) => host.toLowerCase().replace(/^www\./, '')

/** The site's own host names, from its origins (`https://*.acme.test` → acme.test) and edge hostnames. */
export const siteHosts = (site: { origins: readonly string[]; hostnames?: readonly string[] | null }): string[] =>
  [...site.origins, ...(site.hostnames ?? [])].map((entry) => entry.replace(/^[a-z]+:\/\/(\*\.)?/i, '').replace(/:\d+$/, ''))

/** Whether a host is one of the site's own (its `www.` form and any subdomain included). */
export function isOwnHost(host: string, ownHosts: readonly string[]): boolean {
  const candidate = withoutWww(host)
  return ownHosts.some((own) => {
    const base = withoutWww(own)
    return base !== '' && (candidate === base || candidate.endsWith(`.${base}`))
  })
}

/** The SDK's landing campaign, keyed by URL parameter names (older SDKs may omit the `utm_` prefix). */
function sdkCampaign(campaign: Record<string, unknown>): Campaign | undefined {
  const params = new Map<string, string>()
  for (const [key, value] of Object.entries(campaign)) {
    if (typeof value !== 'string') continue
    const name = key.toLowerCase()
    params.set(name.startsWith('utm_') || (CLICK_IDS as readonly string[]).includes(name) ? name : `utm_${name}`, value)
  }
  return campaignOf(params)
}

/**
 * The touch an event carries, or null when it carries no marketing signal (an internal navigation).
 * `campaign` is the SDK's copy of the session's landing parameters, used when the URL has none (SPA).
 * A referrer on the page's host or on one of `ownHosts` (the site's own domains) is not a referral.
 */
export function touchFromEvent(input: {
  url?: string
  referrer?: string
  campaign?: Record<string, unknown>
  at: number
  ownHosts?: readonly string[]
}): Touch | null {
  const page = parseUrl(input.url)
  const campaign = (page && campaignOf(queryParams(page.href))) || (input.campaign && sdkCampaign(input.campaign)) || {}

  const touch: Partial<Touch> = { at: input.at }
  for (const field of UTM_FIELDS) {
    const value = campaign[`utm_${field}`]
    if (value) touch[field] = value
  }
  for (const id of CLICK_IDS) {
    const value = campaign[id]
    if (value) touch[id] = value
  }
  const tagged = UTM_FIELDS.some((field) => touch[field])

  const referrer = parseUrl(input.referrer)
  const own = [...(input.ownHosts ?? []), ...(page ? [page.hostname] : [])]
  const external = referrer && referrer.hostname && !isOwnHost(referrer.hostname, own) ? referrer : undefined
  if (external) touch.referrer = clip(external.href)
  if (page) touch.landingPage = clip(page.origin + page.pathname)

  const clickId = CLICK_IDS.find((id) => touch[id])
  if (!touch.source) {
    if (clickId) touch.source = CLICK_ID_SOURCE[clickId]
    else if (external) touch.source = withoutWww(external.hostname)
    else if (tagged) touch.source = NOT_SET
  }
  if (!touch.medium) {
    if (clickId) touch.medium = 'cpc'
    else if (touch.campaign || campaign.utm_source) touch.medium = '(none)'
    else if (tagged) touch.medium = NOT_SET
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

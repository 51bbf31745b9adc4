// Where an event happened: page URL, referrer, title, and the landing's ad attribution.
import type { Campaign, CampaignKey, EventContext } from './types'

const CAMPAIGN_KEYS = 'utm_source utm_medium utm_campaign utm_term utm_content gclid fbclid msclkid'.split(
  ' ',
) as CampaignKey[]

/** UTM parameters and click ids of a URL (values clipped to 200 characters), or undefined when none. */
export function parseCampaign(url: string): Campaign | undefined {
  let campaign: Campaign | undefined
  try {
    const params = new URL(url).searchParams
    for (const key of CAMPAIGN_KEYS) {
      const value = params.get(key)
      if (value) (campaign ||= {})[key] = value.slice(0, 200)
    }
  } catch {}
  return campaign
}

/** What identifies a page for SPA page views: the hash does not count. */
export const pathKey = (location: { pathname: string; search: string }): string =>
  location.pathname + location.search

export function pageContext(referrer: string, campaign?: Campaign): EventContext {
  return {
    url: location.href,
    referrer,
    title: document.title,
    locale: navigator.language,
    screen: screen.width + 'x' + screen.height,
    campaign,
  }
}

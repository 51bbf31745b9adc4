// Where an event happened: page URL, referrer, title, and the landing's ad attribution.
import type { Campaign, EventContext } from './types.js'

export { parseCampaign } from '../../contract/campaign.js'

/** Tracking parameters: a router that strips them (replaceState) shows the same page. */
const TRACKING = /&(utm_\w*|gclid|fbclid|msclkid)(=[^&#]*)?/gi

/**
 * What identifies a page for SPA page views: path, query without tracking parameters, and a hash route
 * (`#/pricing`, `#!/signup`, its own query too); a `#section` anchor is the same page.
 */
export const pathKey = (location: { pathname: string; search: string; hash: string }): string =>
  (location.pathname + '&' + location.search.slice(1) + (/^#!?\//.test(location.hash) ? location.hash.replace('?', '&') : ''))
    .replace(TRACKING, '')
    // An empty query leaves its separator: `/?utm_campaign=x` and `/` are one page.
    .replace(/&(?=#|$)/g, '')

export function pageContext(url: string, referrer: string, campaign?: Campaign): EventContext {
  return {
    url,
    referrer,
    title: document.title,
    locale: navigator.language,
    screen: screen.width + 'x' + screen.height,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    campaign,
  }
}

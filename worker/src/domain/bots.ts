// Traffic rules: crawlers and monitors are answered 202 but not stored (counted as ignored bots), so they
// never become leads. Automated browsers (headless Chrome, Playwright, Selenium…) are ignored too unless
// the site accepts automated traffic (staging, end-to-end tests). Server-side HTTP clients (curl, python,
// node, Go) are people's backends, not bots: a site's backend may send events too.
import { isbot } from 'isbot'

/** Who sent a request, as far as its User-Agent tells. */
export type TrafficKind = 'person' | 'bot' | 'automated'

/** Server-side HTTP libraries: isbot lists them, but here they are a site's own backend sending events. */
const SERVER_SENDER =
  /^(curl|wget|node-fetch|node|undici|axios|got|python-requests|python-urllib|python-httpx|aiohttp|go-http-client|okhttp|java|apache-httpclient|ruby|faraday|php|guzzlehttp|libwww-perl|httpie|deno|bun|dart)\b/i

/** Browsers driven by a program: isbot calls them bots, a site may choose to accept them. */
const AUTOMATED_BROWSER = /headless|phantomjs|puppeteer|playwright|selenium|webdriver|cypress/i

export function classifyUserAgent(userAgent: string | undefined): TrafficKind {
  if (!userAgent) return 'person'
  const ua = userAgent.trim()
  if (SERVER_SENDER.test(ua)) return 'person'
  if (AUTOMATED_BROWSER.test(ua)) return 'automated'
  return isbot(ua) ? 'bot' : 'person'
}

/**
 * Why a request's events are dropped for a site, or null to store them. `automatedBrowser` is the SDK's own
 * report (`navigator.webdriver`): a driven desktop browser has an ordinary User-Agent.
 */
export function ignoredTraffic(
  userAgent: string | undefined,
  { acceptAutomated = false, automatedBrowser = false }: { acceptAutomated?: boolean; automatedBrowser?: boolean } = {},
): Exclude<TrafficKind, 'person'> | null {
  const kind = classifyUserAgent(userAgent)
  if (kind === 'bot') return 'bot'
  if ((kind === 'automated' || automatedBrowser) && !acceptAutomated) return 'automated'
  return null
}

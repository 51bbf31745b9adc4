// Traffic rules: automated clients are answered 202 but not stored (counted as `ignored`), so crawlers,
// uptime monitors and headless scrapers never become leads. The SDK itself refuses to send when
// `navigator.webdriver` is true, so automation-driven browsers are filtered on both sides. Server-side
// HTTP clients (curl, python, node) are not bots: a site's backend may send events too.
const BOT_USER_AGENT =
  /bot\b|bot\/|crawl|spider|slurp|headlesschrome|phantomjs|puppeteer|playwright|lighthouse|pagespeed|pingdom|uptimerobot|facebookexternalhit|prerender/i

export function isAutomatedUserAgent(userAgent: string | undefined): boolean {
  return !!userAgent && BOT_USER_AGENT.test(userAgent)
}

import { describe, expect, it } from 'vitest'
import { classifyUserAgent, ignoredTraffic } from './bots'

// Real User-Agent strings. Catches: a phone taken for a bot ("Cubot " once matched `bot\b`), a crawler
// or monitor let through, a backend HTTP client ignored, a headless browser not told apart from a crawler.
const CASES: [string, string, 'person' | 'bot' | 'automated'][] = [
  ['Cubot Rainbow 2 (Android)', 'Mozilla/5.0 (Linux; Android 7.0; Cubot Rainbow 2 Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.100 Mobile Safari/537.36', 'person'],
  ['iPhone Safari', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'person'],
  ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36', 'person'],
  ['Desktop Chrome', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'person'],
  ['Desktop Firefox', 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'person'],
  ['no User-Agent', '', 'person'],
  ['curl', 'curl/8.5.0', 'person'],
  ['node-fetch', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'person'],
  ['Node fetch (undici)', 'node', 'person'],
  ['python-requests', 'python-requests/2.31.0', 'person'],
  ['Go', 'Go-http-client/1.1', 'person'],
  ['axios', 'axios/1.6.8', 'person'],
  ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
  ['Googlebot smartphone', 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
  ['Bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bot'],
  ['Facebook preview', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'bot'],
  ['AhrefsBot', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'bot'],
  ['GPTBot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)', 'bot'],
  ['UptimeRobot', 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)', 'bot'],
  ['Pingdom', 'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)', 'bot'],
  ['Lighthouse', 'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse', 'bot'],
  ['Headless Chrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36', 'automated'],
  ['PhantomJS', 'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1', 'automated'],
]

describe('classifyUserAgent', () => {
  it.each(CASES)('%s', (_name, userAgent, expected) => {
    expect(classifyUserAgent(userAgent)).toBe(expected)
  })
})

// Catches: the site setting not consulted, the SDK's webdriver report ignored, or accepting automated
// traffic letting crawlers in too.
describe('ignoredTraffic', () => {
  const headless = CASES.find(([name]) => name === 'Headless Chrome')![1]
  const crawler = CASES.find(([name]) => name === 'Googlebot')![1]
  const phone = CASES.find(([name]) => name === 'Cubot Rainbow 2 (Android)')![1]
  it.each([
    [headless, {}, 'automated'],
    [headless, { acceptAutomated: true }, null],
    [phone, { automatedBrowser: true }, 'automated'],
    [phone, { automatedBrowser: true, acceptAutomated: true }, null],
    [phone, {}, null],
    [crawler, {}, 'bot'],
    [crawler, { acceptAutomated: true }, 'bot'],
    ['curl/8.5.0', {}, null],
  ] as const)('%s, %o → %s', (userAgent, options, expected) => {
    expect(ignoredTraffic(userAgent, options)).toBe(expected)
  })
})

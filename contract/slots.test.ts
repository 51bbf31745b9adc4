import { describe, expect, it } from 'vitest'
import { cleanToken, isSafeFragment, MAX_TOKEN_LENGTH, renderTokens, urlTokens } from './slots'

const render = (template: string, href: string) => renderTokens(template, urlTokens(href, 'DE'))
const isWellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)

/** A deterministic generator, so a failure names a reproducible token. */
function* hostileTokens(count: number): Generator<string> {
  let seed = 0x2545f491
  const next = () => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) >>> 0), seed)
  const pieces = ['😀', '👩‍👩‍👧', '\ud800', '\udfff', '<script>alert(1)</script>', '"', "'", '&amp;', '<b>', '\u0000', '\u001b[31m', '\u202e', '\u2028',
    'é', 'e\u0301', ' ', '\t', '\n', '{{utm_term}}', '{keyword}', '%', 'a'.repeat(59), 'x'.repeat(500), '中文', '}}', '|']
  for (let i = 0; i < count; i++) {
    let token = ''
    const parts = 1 + (next() % 8)
    for (let p = 0; p < parts; p++) token += pieces[next() % pieces.length]
    yield token
  }
}

/** Percent-encodes a token as a hostile link would, a lone surrogate as its (invalid) WTF-8 bytes. */
const encodeHostile = (token: string) =>
  Array.from(token, (c) => (/^[\ud800-\udfff]$/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('') + '%E9'.repeat(token.length % 2)

describe('cleanToken', () => {
  // Catches: a clip that cuts a surrogate pair in half (59 letters then an emoji made a lone surrogate).
  it('clips by code points, never inside a surrogate pair', () => {
    const clipped = cleanToken('a'.repeat(59) + '😀😀')
    expect(clipped).toBe('a'.repeat(59) + '😀')
    expect(isWellFormed(clipped)).toBe(true)
  })
  it('drops lone surrogates, control and bidi-override characters', () => {
    expect(cleanToken('a\ud800b\u0000c\u202ed')).toBe('ab c d')
  })
})

describe('renderTokens', () => {
  // Catches: U+FFFD shown for invalid UTF-8 (caf%E9) instead of the fallback.
  it('falls back on a value that is not valid UTF-8', () => {
    expect(render('{{utm_term|CRM}}', 'https://acme.test/?utm_term=caf%E9')).toBe('CRM')
    expect(render('{{utm_term|CRM}}', 'https://acme.test/?utm_term=caf%C3%A9')).toBe('café')
  })
  // Catches: "{keyword} …" served literally from a Google Ads final URL.
  it('treats an unexpanded ad placeholder as absent', () => {
    expect(render('{{utm_term|CRM}} for teams', 'https://acme.test/?utm_term={keyword}')).toBe('CRM for teams')
    expect(render('{{utm_campaign|Spring}}', 'https://acme.test/?utm_campaign=%7Bcampaignid%7D')).toBe('Spring')
  })
  // Catches: parameter names read case-sensitively, the last duplicate used, hash-route parameters ignored.
  it('reads the URL with the shared campaign parser', () => {
    expect(render('{{utm_campaign|x}}', 'https://acme.test/?UTM_CAMPAIGN=black-friday')).toBe('black-friday')
    expect(render('{{utm_campaign|x}}', 'https://acme.test/?utm_campaign=first&utm_campaign=second')).toBe('first')
    expect(render('{{utm_campaign|x}}', 'https://acme.test/#/lp?utm_campaign=spring')).toBe('spring')
    expect(render('{{query.plan|x}} {{country|y}}', 'https://acme.test/?Plan=pro')).toBe('pro DE')
  })

  // Catches: output that is not well-formed (lone surrogates), unescaped markup, or unbounded length.
  it('renders ~1,000 hostile tokens as well-formed, escaped, bounded fragments', () => {
    let count = 0
    for (const token of hostileTokens(1000)) {
      const href = 'https://acme.test/?utm_term=' + encodeHostile(token)
      for (const html of [render('<b>{{utm_term|Default}}</b>', href), renderTokens('<b>{{utm_term|Default}}</b>', () => token)]) {
        expect(isWellFormed(html), JSON.stringify(token)).toBe(true)
        expect(isSafeFragment(html), JSON.stringify(token)).toBe(true)
        expect(html).not.toMatch(/[\u0000-\u001f\u007f\u202e]/)
        const inner = html.slice(3, -4)
        // Escaped text: every & starts an entity we wrote.
        expect(inner.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toMatch(/[&<>"']/)
        const text = inner.replace(/&(amp|lt|gt|quot|#39);/g, '_')
        expect(Array.from(text).length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH)
        count++
      }
    }
    expect(count).toBe(2000)
  })
})

describe('isSafeFragment', () => {
  it('allows bare inline tags only', () => {
    expect(isSafeFragment('Save <b>20%</b><br/> on <em>CRM</em>')).toBe(true)
    expect(isSafeFragment('<b onclick="x">a</b>')).toBe(false)
    expect(isSafeFragment('<script>alert(1)</script>')).toBe(false)
    expect(isSafeFragment('<img src=x onerror=alert(1)>')).toBe(false)
  })
})

describe('urlTokens with a lazy country', () => {
  // Catches the visitor's country (request.cf, costly to materialize) looked up for templates that never use it.
  it('asks for the country only when a template names {{country}}', () => {
    let asked = 0
    const tokens = urlTokens('https://acme.test/?utm_term=crm', () => (asked++, 'FR'))
    expect(renderTokens('Best {{utm_term|CRM}} deal', tokens)).toBe('Best crm deal')
    expect(asked).toBe(0)
    expect(renderTokens('Hello {{country|there}}', tokens)).toBe('Hello FR')
    expect(asked).toBe(1)
    expect(renderTokens('Hi {{country|friend}}', urlTokens('https://acme.test/', () => null))).toBe('Hi friend')
  })
})

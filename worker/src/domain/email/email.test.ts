// Email rendering and signing: escaping, fallbacks, RFC 8058 headers, postal address rule, token forgery, machine opens.
import { describe, expect, it } from 'vitest'
import { POSTAL_PLACEHOLDER, renderEmail } from './render'
import { messageToken, unsubscribeToken, verifyMessageToken, verifyProviderWebhook, verifyUnsubscribeToken, webhookSignature } from './signing'
import { renderTokens } from './tokens'
import { isMachineOpen } from './machine-opens'

const base = {
  step: { type: 'email' as const, subject: 'Hi {{lead.traits.firstName|there}}', body: 'Hello {{lead.traits.firstName|there}},\n\nSee you.' },
  variant: null,
  site: { name: 'Acme', postalAddress: '1 Main St', from: 'Acme <hi@acme.test>' },
  to: 'ada@example.com',
  messageId: 'msg_abc123def456',
  unsubscribeUrl: 'https://cairn.test/u/tok?x=1&y=2',
  production: true,
}

describe('tokens', () => {
  // Catches a visitor-controlled trait injecting HTML, and fallbacks not applied to empty values.
  it('escapes values and fallbacks in HTML, not in text', () => {
    const scope = { lead: { traits: { firstName: '<script>x</script>' } } }
    expect(renderTokens('Hi {{lead.traits.firstName|there}}', scope, 'html')).toBe('Hi &lt;script&gt;x&lt;/script&gt;')
    expect(renderTokens('Hi {{lead.traits.firstName|there}}', scope, 'text')).toBe('Hi <script>x</script>')
    expect(renderTokens('Hi {{ lead.traits.nickname | there }}!', { lead: { traits: { nickname: '' } } }, 'html')).toBe('Hi there!')
    expect(renderTokens('{{lead.traits}}', { lead: { traits: { a: 1 } } }, 'text')).toBe('') // objects never print
  })
})

describe('links and tracking', () => {
  const body = 'Read https://acme.test/a?x=1&y=<2>. Then (https://acme.test/b).\nBye javascript:alert(1)'
  it('links body URLs (escaped, without closing punctuation) and adds no pixel unless asked', () => {
    // Catches: tracking by default, punctuation in links, unescaped hrefs, non-http schemes linked.
    const result = renderEmail({ ...base, step: { ...base.step, body }, scope: { lead: { traits: {} } } })
    if (!result.ok) throw new Error(result.reason)
    expect(result.content.html).toContain('<a href="https://acme.test/a?x=1&amp;y=">https://acme.test/a?x=1&amp;y=</a>&lt;2&gt;.')
    expect(result.content.html).toContain('(<a href="https://acme.test/b">https://acme.test/b</a>).')
    expect(result.content.html).not.toContain('href="javascript')
    expect(result.content.html).not.toContain('<img')
    expect(result.content.links).toEqual(['https://acme.test/a?x=1&y=', 'https://acme.test/b'])
  })

  it('with tracking, points links at the redirect by index and adds the pixel; the text part keeps plain URLs', () => {
    // Catches: the stored link list out of step with the redirect indexes, or tracking URLs in the text part.
    const tracking = { openUrl: 'https://cairn.test/o/T', clickUrl: (n: number) => `https://cairn.test/c/C/${n}` }
    const result = renderEmail({ ...base, step: { ...base.step, body }, scope: { lead: { traits: {} } }, tracking })
    if (!result.ok) throw new Error(result.reason)
    expect(result.content.html).toContain('<a href="https://cairn.test/c/C/0">https://acme.test/a?x=1&amp;y=</a>')
    expect(result.content.html).toContain('<a href="https://cairn.test/c/C/1">https://acme.test/b</a>')
    expect(result.content.html).toContain('<img src="https://cairn.test/o/T" width="1" height="1"')
    expect(result.content.text).toContain('Read https://acme.test/a?x=1&y=<2>.')
    expect(result.content.text).not.toContain('cairn.test/c/')
    expect(result.content.html).not.toContain('/999')
  })

  it('adds the hidden scanner link when asked: empty, not displayed, out of the tab order and the accessibility tree', () => {
    // Catches: a trap a person could see, tab to or hear (their clicks would be dropped), or one in the text part.
    const tracking = { openUrl: null, clickUrl: (n: number) => `https://cairn.test/c/C/${n}`, scannerUrl: 'https://cairn.test/c/C/999' }
    const result = renderEmail({ ...base, step: { ...base.step, body }, scope: { lead: { traits: {} } }, tracking })
    if (!result.ok) throw new Error(result.reason)
    expect(result.content.html).toContain('<a href="https://cairn.test/c/C/999" style="display:none;mso-hide:all" aria-hidden="true" tabindex="-1"></a>')
    expect(result.content.html.match(/cairn\.test\/c\/C\/\d+/g)).toEqual(['cairn.test/c/C/0', 'cairn.test/c/C/1', 'cairn.test/c/C/999'])
    expect(result.content.links).toHaveLength(2)
    expect(result.content.text).not.toContain('999')
  })

  it("links only the marketer's URLs: a lead's trait holding a URL stays text; tokens inside a URL are percent-encoded", () => {
    // Catches: a visitor-supplied trait (identify(null, {firstName: 'https://evil.test/login'})) becoming a link, and
    // a tracked redirect through this domain, in a site-branded email; a token breaking the URL it sits in.
    const tracking = { openUrl: null, clickUrl: (n: number) => `https://cairn.test/c/C/${n}` }
    const step = { ...base.step, body: 'Hi {{lead.traits.firstName|there}},\n\nYour page: https://acme.test/p?ref={{lead.traits.ref|a b}}&x=1.\n\n{{lead.traits.empty}}\nBye' }
    const scope = { lead: { traits: { firstName: 'https://evil.test/login', ref: 'Q&A/1' } } }
    const result = renderEmail({ ...base, step, scope, tracking })
    if (!result.ok) throw new Error(result.reason)
    expect(result.content.links).toEqual(['https://acme.test/p?ref=Q%26A%2F1&x=1'])
    expect(result.content.html).toContain('<p>Hi https://evil.test/login,</p>')
    expect(result.content.html).toContain('<a href="https://cairn.test/c/C/0">https://acme.test/p?ref=Q%26A%2F1&amp;x=1</a>.')
    expect(result.content.html).not.toContain('href="https://evil')
    expect(result.content.text).toContain('Your page: https://acme.test/p?ref=Q%26A%2F1&x=1.')
    // A fallback with a space stays inside its URL, encoded.
    const fallback = renderEmail({ ...base, step, scope: { lead: { traits: {} } } })
    if (!fallback.ok) throw new Error(fallback.reason)
    expect(fallback.content.links).toEqual(['https://acme.test/p?ref=a%20b&x=1'])
  })

  it('signs tokens per purpose: an open token neither clicks nor unsubscribes', async () => {
    // Catches one signature shared by every purpose (a pixel URL would then unsubscribe).
    const open = await messageToken('open', 'msg_abc123def456', 'secret')
    expect(await verifyMessageToken('open', open, 'secret')).toBe('msg_abc123def456')
    expect(await verifyMessageToken('click', open, 'secret')).toBeNull()
    expect(await verifyUnsubscribeToken(open, 'secret')).toBeNull()
    expect(await unsubscribeToken('msg_abc123def456', 'secret')).toBe(await messageToken('unsubscribe', 'msg_abc123def456', 'secret'))
  })
})

describe('renderEmail', () => {
  it('carries RFC 8058 headers, a footer link and the postal address', () => {
    // Catches a marketing email without one-click unsubscribe or without the address the law asks for.
    const result = renderEmail({ ...base, scope: { lead: { traits: { firstName: 'Ada & Co' } } } })
    if (!result.ok) throw new Error(result.reason)
    expect(result.subject).toBe('Hi Ada & Co')
    expect(result.content.headers['List-Unsubscribe']).toBe('<https://cairn.test/u/tok?x=1&y=2>')
    expect(result.content.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    expect(result.content.html).toContain('<p>Hello Ada &amp; Co,</p>')
    expect(result.content.html).toContain('href="https://cairn.test/u/tok?x=1&amp;y=2"')
    expect(result.content.html).toContain('1 Main St')
    expect(result.content.text).toContain('Unsubscribe: https://cairn.test/u/tok?x=1&y=2')
  })
  it('without a postal address: fails in production, a visible placeholder elsewhere', () => {
    // Catches a production send without the postal address, or a local send that hides the gap.
    const site = { ...base.site, postalAddress: undefined }
    expect(renderEmail({ ...base, site, scope: { lead: { traits: {} } } })).toMatchObject({ ok: false, reason: expect.stringContaining('postal_address_missing') })
    const dev = renderEmail({ ...base, site, production: false, scope: { lead: { traits: {} } } })
    expect(dev.ok && dev.content.html.includes(POSTAL_PLACEHOLDER.replace(/:/g, ':'))).toBe(true)
  })
  it('picks the subject of the lead\'s A/B variant and keeps headers on one line', () => {
    // Catches header injection through a subject token and the wrong variant's subject.
    const step = { type: 'email' as const, subjects: ['A {{lead.traits.x}}', 'B'], body: 'x' }
    const a = renderEmail({ ...base, step, variant: '0', scope: { lead: { traits: { x: 'one\r\nBcc: evil@x' } } } })
    expect(a.ok && a.subject).toBe('A one Bcc: evil@x')
    expect(renderEmail({ ...base, step, variant: '1', scope: { lead: { traits: {} } } })).toMatchObject({ subject: 'B' })
  })
})

describe('signing', () => {
  it('unsubscribe tokens verify, and a changed id or signature does not', async () => {
    // Catches forgeable tokens (unsubscribing someone else by editing the id).
    const token = await unsubscribeToken('msg_abc123def456', 'secret')
    expect(token).not.toContain('@')
    expect(await verifyUnsubscribeToken(token, 'secret')).toBe('msg_abc123def456')
    expect(await verifyUnsubscribeToken(token.replace('abc', 'abd'), 'secret')).toBeNull()
    expect(await verifyUnsubscribeToken(token, 'other-secret')).toBeNull()
    expect(await verifyUnsubscribeToken('msg_abc123def456.' + 'A'.repeat(43), 'secret')).toBeNull()
  })
  it('webhook signatures: Stripe-style for receivers, Svix-style from the provider with a freshness window', async () => {
    // Catches accepting an unsigned, tampered or replayed provider event.
    expect(await webhookSignature('{}', 's', 1_700_000_000_000)).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/)
    const secret = 'whsec_' + btoa('provider-secret')
    const now = 1_700_000_000_000
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('provider-secret'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const sign = async (body: string, ts: number) =>
      'v1,' + btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`id1.${ts}.${body}`)))))
    const ts = now / 1000
    const signature = await sign('{"a":1}', ts)
    expect(await verifyProviderWebhook({ id: 'id1', timestamp: String(ts), signature }, '{"a":1}', secret, now)).toBe(true)
    expect(await verifyProviderWebhook({ id: 'id1', timestamp: String(ts), signature }, '{"a":2}', secret, now)).toBe(false)
    expect(await verifyProviderWebhook({ id: 'id1', timestamp: String(ts), signature }, '{"a":1}', secret, now + 600_000)).toBe(false)
    expect(await verifyProviderWebhook({ id: 'id1', timestamp: String(ts), signature: null }, '{"a":1}', secret, now)).toBe(false)
  })
})

describe('machine opens', () => {
  it("tell a privacy proxy's pixel load (bare Mozilla/5.0, Apple's network) from a person's mail client", () => {
    // Catches: Apple Mail Privacy Protection's loads at delivery counted as opens, or real mail clients taken for it.
    expect(isMachineOpen('Mozilla/5.0', '104.28.1.2')).toBe(true)
    expect(isMachineOpen(' Mozilla/5.0 ', undefined)).toBe(true)
    expect(isMachineOpen(undefined, '17.58.101.7')).toBe(true)
    const people = [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Thunderbird/133.0',
      // Gmail's proxy fetches when the reader opens the email: a real open.
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      'Mozilla/5.0 (compatible)',
    ]
    for (const ua of people) expect(isMachineOpen(ua, '203.0.113.9'), ua).toBe(false)
    for (const ip of ['170.1.2.3', '117.1.2.3', '2620:149::1', '17.1.2']) expect(isMachineOpen('Mozilla/5.0 (Macintosh)', ip), ip).toBe(false)
    expect(isMachineOpen(undefined, undefined)).toBe(false)
  })
})

// Identifiers: random ones for new records, deterministic ones where concurrent requests must agree.
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

function encode(bytes: Uint8Array, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length]
  return out
}

/** A random id with a type prefix, e.g. `site_…`, `pk_…`. 22 base62 characters ≈ 130 bits. */
export function randomId(prefix: string, length = 22): string {
  return prefix + encode(crypto.getRandomValues(new Uint8Array(length)), length)
}

/** The lead id of a first-time visitor: a hash of (site, anonymous id), so two racing requests agree. */
export async function visitorLeadId(siteId: string, anonymousId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${siteId}\u0000${anonymousId}`))
  return 'ld_' + encode(new Uint8Array(digest), 22)
}

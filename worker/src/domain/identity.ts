// Identity verification (Intercom's model): the site's server signs the user id (or, without one, the
// email) with the site's identity secret; an identify carrying that HMAC-SHA256 is verified.

/** What an identify's signature covers: its user id, else its email as sent (trimmed). */
export function identityClaim(userId: string | null | undefined, email: unknown): string | null {
  if (userId) return userId
  return typeof email === 'string' && email.trim() ? email.trim() : null
}

const encoder = new TextEncoder()

const hexBytes = (hex: string): Uint8Array | null => {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16))
}

/** HMAC-SHA256(secret, claim), compared with the given hex signature in constant time. */
export async function isVerifiedIdentity(secret: string, claim: string, signature: string): Promise<boolean> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const expected = await crypto.subtle.sign('HMAC', key, encoder.encode(claim))
  const given = hexBytes(signature.trim())
  // Unequal lengths compare the expected value with itself, so timing never depends on the input.
  const same = given !== null && given.byteLength === expected.byteLength
  const equal = crypto.subtle.timingSafeEqual(same ? given : expected, expected)
  return same && equal
}

/** A new identity secret: 32 random bytes, hex. */
export function newIdentitySecret(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('')
}

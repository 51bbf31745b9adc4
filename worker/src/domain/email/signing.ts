// HMAC signatures: opaque unsubscribe tokens, signed webhooks to generic receivers, and the provider's
// (Svix-style) webhook signature on bounces and complaints. Verification is constant-time (subtle.verify).
const encoder = new TextEncoder()

const hmacKey = (secret: string | Uint8Array, usages: Array<'sign' | 'verify'>) =>
  crypto.subtle.importKey('raw', typeof secret === 'string' ? encoder.encode(secret) : secret, { name: 'HMAC', hash: 'SHA-256' }, false, usages)

const toBase64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

function fromBase64(value: string): Uint8Array | null {
  try {
    const padded = value.replace(/-/g, '+').replace(/_/g, '/')
    return Uint8Array.from(atob(padded + '='.repeat((4 - (padded.length % 4)) % 4)), (c) => c.charCodeAt(0))
  } catch {
    return null
  }
}

export const toHex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')

/** What a message token may do: each purpose signs differently, so an open token cannot unsubscribe. */
export type MessageTokenPurpose = 'unsubscribe' | 'open' | 'click'

/** `<message id>.<signature>`: names a message (no email, no site), unforgeable without the secret. */
export async function messageToken(purpose: MessageTokenPurpose, messageId: string, secret: string): Promise<string> {
  const key = await hmacKey(secret, ['sign'])
  return `${messageId}.${toBase64Url(await crypto.subtle.sign('HMAC', key, encoder.encode(`${purpose}:${messageId}`)))}`
}

/** The message id a token names, or null when the token is malformed or its signature is wrong. */
export async function verifyMessageToken(purpose: MessageTokenPurpose, token: string, secret: string): Promise<string | null> {
  const match = /^(msg_[A-Za-z0-9]{10,40})\.([A-Za-z0-9_-]{20,64})$/.exec(token)
  if (!match) return null
  const signature = fromBase64(match[2]!)
  if (!signature) return null
  const key = await hmacKey(secret, ['verify'])
  const ok = await crypto.subtle.verify('HMAC', key, signature, encoder.encode(`${purpose}:${match[1]}`))
  return ok ? match[1]! : null
}

export const unsubscribeToken = (messageId: string, secret: string) => messageToken('unsubscribe', messageId, secret)
export const verifyUnsubscribeToken = (token: string, secret: string) => verifyMessageToken('unsubscribe', token, secret)

/** `t=<unix seconds>,v1=<hex hmac of "t.body">` for generic webhook receivers (Stripe-style). */
export async function webhookSignature(body: string, secret: string, at: number): Promise<string> {
  const t = Math.floor(at / 1000)
  const key = await hmacKey(secret, ['sign'])
  return `t=${t},v1=${toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(`${t}.${body}`)))}`
}

/**
 * Svix-style provider webhook check (Resend signs this way): `svix-signature: v1,<base64 hmac of
 * "id.timestamp.body">`, secret `whsec_<base64>`; timestamps older than 5 minutes are refused.
 */
export async function verifyProviderWebhook(
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  secret: string,
  now: number,
): Promise<boolean> {
  const { id, timestamp, signature } = headers
  if (!id || !timestamp || !signature) return false
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > 300) return false
  const raw = secret.startsWith('whsec_') ? fromBase64(secret.slice(6)) : encoder.encode(secret)
  if (!raw) return false
  const key = await hmacKey(raw, ['verify'])
  const data = encoder.encode(`${id}.${timestamp}.${body}`)
  for (const part of signature.split(' ')) {
    const [version, value] = part.split(',')
    const bytes = version === 'v1' && value ? fromBase64(value) : null
    if (bytes && (await crypto.subtle.verify('HMAC', key, bytes, data))) return true
  }
  return false
}

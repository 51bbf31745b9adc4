// Random ids: event ids (the server's dedupe key), anonymous ids and tab ids.

/**
 * A v4 UUID. crypto.randomUUID only exists in secure contexts; plain-http pages get a Math.random one,
 * enough for ids that only need to be unique, never secret.
 */
export function uuid(): string {
  return (
    crypto.randomUUID?.() ??
    '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ ((Math.random() * 16) & (15 >> (+c / 4)))).toString(16))
  )
}

export const anonymousId = (): string => 'a_' + uuid()

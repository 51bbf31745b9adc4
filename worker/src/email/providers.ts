// Email providers behind one interface: the local outbox (nothing leaves), Cloudflare Email Service
// through the `send_email` binding, and a Resend-compatible HTTP API. Chosen from the environment.
import type { EmailContent } from '../domain/flows/messages'

export type OutgoingEmail = { id: string; to: string; subject: string; content: EmailContent }

export type SendResult =
  | { ok: true; providerId: string | null }
  /** `retry`: a transient failure (network, 429, 5xx); otherwise the message is failed for good. */
  | { ok: false; retry: boolean; reason: string }

export type EmailProvider = {
  name: 'outbox' | 'cloudflare' | 'resend'
  /** Whether sending the same message twice is safe (the provider dedupes): decides crash recovery. */
  idempotent: boolean
  send(email: OutgoingEmail): Promise<SendResult>
}

/** Development default: the rendered message stays in the D1 outbox only. */
export const outboxProvider: EmailProvider = {
  name: 'outbox',
  idempotent: true,
  send: async () => ({ ok: true, providerId: null }),
}

/** Headers the binding and Resend set themselves; passing them again is refused or duplicated. */
const OWN_HEADERS = new Set(['from', 'to', 'subject'])
const extraHeaders = (content: EmailContent) =>
  Object.fromEntries(Object.entries(content.headers).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase())))

export function cloudflareProvider(binding: SendEmail): EmailProvider {
  return {
    name: 'cloudflare',
    idempotent: false,
    async send(email) {
      try {
        const result = (await binding.send({
          from: email.content.from,
          to: email.to,
          subject: email.subject,
          html: email.content.html,
          text: email.content.text,
          headers: extraHeaders(email.content),
        })) as { messageId?: string } | undefined
        return { ok: true, providerId: result?.messageId ?? null }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        // Rejected addresses and policy errors do not get better with retries.
        return { ok: false, retry: !/invalid|not allowed|verified|reject/i.test(reason), reason: `cloudflare: ${reason}` }
      }
    },
  }
}

/** Resend's API (and compatible ones): `Idempotency-Key` makes a resend after a crash a no-op. */
export function resendProvider(apiKey: string, baseUrl: string, fetcher: typeof fetch = fetch): EmailProvider {
  return {
    name: 'resend',
    idempotent: true,
    async send(email) {
      let response: Response
      try {
        response = await fetcher(`${baseUrl.replace(/\/$/, '')}/emails`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': email.id },
          body: JSON.stringify({
            from: email.content.from,
            to: [email.to],
            subject: email.subject,
            html: email.content.html,
            text: email.content.text,
            headers: extraHeaders(email.content),
            tags: [{ name: 'cairn_message', value: email.id }],
          }),
        })
      } catch (error) {
        return { ok: false, retry: true, reason: `resend: ${error instanceof Error ? error.message : String(error)}` }
      }
      const text = await response.text()
      if (response.ok) {
        let id: string | null = null
        try {
          id = (JSON.parse(text) as { id?: string }).id ?? null
        } catch {}
        return { ok: true, providerId: id }
      }
      const retry = response.status === 429 || response.status >= 500
      return { ok: false, retry, reason: `resend: HTTP ${response.status} ${text.slice(0, 300)}` }
    },
  }
}

export type EmailEnv = { EMAIL?: SendEmail; EMAIL_PROVIDER?: string; RESEND_API_KEY?: string; RESEND_API_URL?: string }

/** A Resend key (a secret) wins; else the send_email binding unless EMAIL_PROVIDER says outbox; else outbox. */
export function chooseEmailProvider(env: EmailEnv): EmailProvider {
  if (env.RESEND_API_KEY) return resendProvider(env.RESEND_API_KEY, env.RESEND_API_URL || 'https://api.resend.com')
  if (env.EMAIL && env.EMAIL_PROVIDER !== 'outbox') return cloudflareProvider(env.EMAIL)
  return outboxProvider
}

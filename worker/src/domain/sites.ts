// Site configuration: what a marketer registers so a site can send events and be personalized.
import { z } from 'zod'
import { MessagePolicy } from './flows/schema'
import { TimeZone } from './metrics/days'

/** Text that ends up in an email header (From: the site's name or its sender): no CR, LF or other control character. */
const oneLine = (text: z.ZodString) => text.regex(/^[^\x00-\x1f\x7f]*$/, 'must be one line, without control characters')

const HttpOrigin = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/(\*\.)?[^/\s?#]+$/.test(value), {
    message: 'an origin is scheme://host[:port] with no path, e.g. https://acme.test or https://*.acme.test',
  })
  .transform((value) => value.toLowerCase())

const Hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+(:\d+)?$/, 'a hostname such as www.acme.test')

export const SiteSettings = z
  .object({
    /** Days of raw events kept before the daily roll-up prunes them. */
    retentionDays: z.number().int().min(1).max(3650).optional(),
    /** IANA time zone of the site's days in metrics (default UTC). */
    timeZone: TimeZone.optional(),
    /** Postal address printed in marketing email footers. */
    postalAddress: z.string().max(500).optional(),
    /** Sender of flow emails, e.g. "Acme <hello@acme.test>" (else EMAIL_FROM). */
    emailFrom: oneLine(z.string().trim().max(300)).optional(),
    /**
     * Open pixel (/o) and click redirects (/c) in flow emails: both off unless turned on here. With clicks on,
     * `filterScanners` (on unless turned off) adds a hidden link that only link scanners follow, and their
     * clicks do not count.
     */
    emailTracking: z
      .object({
        opens: z.boolean().default(false),
        clicks: z.boolean().default(false),
        filterScanners: z.boolean().default(true),
        /** With opens on: pixel loads by a privacy proxy (Apple Mail Privacy Protection) count apart, not as opens. */
        filterMachineOpens: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** Frequency caps and quiet hours for email and in-app messages (flows may override). */
    messagePolicy: MessagePolicy.optional(),
    /**
     * The site asks visitors' consent before tracking (its script tag has data-consent="required"): edge mode
     * then never gives a visitor an id of its own; it uses the cairn_aid cookie only once the SDK set it after
     * consent (a denial wipes it), so nobody is remembered or counted as exposed before saying yes.
     */
    consentRequired: z.boolean().optional(),
    /** Store events from automated browsers (webdriver, headless): for staging sites and end-to-end tests. */
    acceptAutomated: z.boolean().optional(),
    /** Identify events must carry a valid signature to identify a visitor (unsigned ones are only stored). */
    requireVerifiedIdentity: z.boolean().optional(),
  })
  .strict()
export type SiteSettings = z.infer<typeof SiteSettings>

/** The origin edge mode fetches pages from: an http(s) URL only (no `javascript:`, `file:`, `data:`…). */
const EdgeOrigin = z
  .string()
  .max(2000)
  .refine(
    (value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol)
      } catch {
        return false
      }
    },
    { message: 'the edge origin is an http(s) URL, e.g. https://www.acme.test' },
  )

export const CreateSite = z
  .object({
    name: oneLine(z.string().trim().min(1).max(200)),
    origins: z.array(HttpOrigin).min(1).max(50),
    origin: EdgeOrigin.optional(),
    hostnames: z.array(Hostname).max(50).optional(),
    settings: SiteSettings.optional(),
  })
  .strict()
export type CreateSite = z.infer<typeof CreateSite>

export const UpdateSite = CreateSite.partial()
  .extend({ origin: EdgeOrigin.nullable().optional() })
  .strict()
export type UpdateSite = z.infer<typeof UpdateSite>

/** Whether a browser Origin header is on the site's allowlist (exact, or `*.` wildcard for subdomains). */
export function isOriginAllowed(allowed: readonly string[], origin: string): boolean {
  const candidate = origin.toLowerCase()
  return allowed.some((entry) => {
    if (entry === candidate) return true
    const star = entry.indexOf('://*.')
    if (star < 0) return false
    const scheme = entry.slice(0, star + 3)
    const suffix = entry.slice(star + 4) // ".acme.test[:port]"
    return candidate.startsWith(scheme) && candidate.endsWith(suffix) && candidate.length > scheme.length + suffix.length
  })
}

/**
 * Where visitors' browsers load the SDK from: `PUBLIC_URL` (the public host) when configured, else the
 * origin the admin request came to (which also serves `/sdk.js`).
 */
export function publicBase(configured: string | undefined, requestUrl: string): string {
  if (configured) {
    try {
      const url = new URL(configured)
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin
    } catch {
      // A malformed PUBLIC_URL falls back to the request's origin rather than breaking every snippet.
    }
  }
  return new URL(requestUrl).origin
}

const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** The ready-to-paste install snippet: the queueing stub, then the async script tag. */
export const installSnippet = (base: string, siteKey: string) =>
  '<script>window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)}</script>\n' +
  `<script async src="${attribute(`${base}/sdk.js`)}" data-site="${attribute(siteKey)}"></script>`

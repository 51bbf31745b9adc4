// What flows read from the environment (secrets, provider, public URL) and from a site's settings.
import type { MessagePolicy } from '../../domain/flows/schema'
import type { SiteRow } from '../../db/schema'

/** Optional settings and secrets; secrets come from `wrangler secret put` (or .dev.vars locally). */
export type FlowEnv = {
  ENVIRONMENT?: string
  UNSUBSCRIBE_SECRET?: string
  PUBLIC_URL?: string
  EMAIL_FROM?: string
  EMAIL_PROVIDER?: string
  EMAIL?: SendEmail
  RESEND_API_KEY?: string
  RESEND_API_URL?: string
  EMAIL_WEBHOOK_SECRET?: string
  FLOW_WEBHOOK_SECRET?: string
}

export const flowEnv = (env: Env) => env as unknown as FlowEnv & Env

export const isProduction = (env: FlowEnv) => env.ENVIRONMENT === 'production'

/** The https base of email links (/u, /o, /c). */
export const publicUrl = (env: FlowEnv) => (env.PUBLIC_URL || 'http://127.0.0.1:8787').replace(/\/$/, '')

/** A site's email tracking as stored (a site saved before a switch existed has no value for it): its defaults. */
export function emailTrackingOf(site: SiteRow | undefined) {
  type Stored = { opens?: boolean; clicks?: boolean; filterScanners?: boolean; filterMachineOpens?: boolean }
  const tracking = (site?.settings as { emailTracking?: Stored } | undefined)?.emailTracking
  return {
    opens: tracking?.opens === true,
    clicks: tracking?.clicks === true,
    filterScanners: tracking?.filterScanners !== false,
    filterMachineOpens: tracking?.filterMachineOpens !== false,
  }
}

export function siteEmailSettings(site: SiteRow, env: FlowEnv) {
  const settings = site.settings as SiteRow['settings'] & { emailFrom?: string; messagePolicy?: MessagePolicy }
  return {
    name: site.name,
    postalAddress: settings.postalAddress,
    from: settings.emailFrom || env.EMAIL_FROM || `${site.name} <noreply@cairn.invalid>`,
    policy: settings.messagePolicy,
    tracking: emailTrackingOf(site),
  }
}

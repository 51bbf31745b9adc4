// The wire format of POST /v1/events (API.md): what the SDK sends and the Worker validates.
import type { Campaign } from './campaign.js'

export type Properties = Record<string, unknown>

export type EventType = 'page' | 'track' | 'identify'

export interface EventContext {
  url: string
  referrer?: string
  title?: string
  /** navigator.language */
  locale?: string
  /** "1280x720" */
  screen?: string
  /** The visitor's IANA time zone (Intl.DateTimeFormat().resolvedOptions().timeZone), e.g. "Europe/Paris". */
  timezone?: string
  /** Landing attribution of this page load, kept for later SPA page views. */
  campaign?: Campaign
}

export interface CairnEvent {
  id: string
  type: EventType
  event?: string
  properties?: Properties
  userId?: string
  traits?: Properties
  /** identify: HMAC-SHA256 (hex) of the user id, or of the email without one, by the site's identity secret. */
  verification?: string
  anonymousId: string
  timestamp: string
  context: EventContext
}

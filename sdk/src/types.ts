// Public types of the SDK and the POST /v1/events wire format (API.md).

export type Properties = Record<string, unknown>

/** What the visitor decided: 'pending' means opt-in mode without an answer yet. */
export type Consent = 'granted' | 'denied' | 'pending'

export type CampaignKey =
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_term'
  | 'utm_content'
  | 'gclid'
  | 'fbclid'
  | 'msclkid'

/** The landing page's UTM parameters and click ids, keyed by their URL parameter names. */
export type Campaign = Partial<Record<CampaignKey, string>>

export interface EventContext {
  url: string
  referrer?: string
  title?: string
  /** navigator.language */
  locale?: string
  /** "1280x720" */
  screen?: string
  /** Landing attribution of this page load, kept for later SPA page views. */
  campaign?: Campaign
}

export interface CairnEvent {
  id: string
  type: 'page' | 'track' | 'identify'
  event?: string
  properties?: Properties
  userId?: string
  traits?: Properties
  anonymousId: string
  timestamp: string
  context: EventContext
}

/** A queued event with its failed attempts; `x` marks a strictly necessary event. Persisted as JSON. */
export interface QueueItem {
  e: CairnEvent
  n: number
  x?: boolean
}

export interface CairnOptions {
  /** Site key, e.g. "pk_demo". */
  site: string
  /** Endpoint base, e.g. "https://edge.example"; events go to `${api}/v1/events`. Default: same origin. */
  api?: string
  /** 'required': opt-in mode, nothing stored or sent until consent('granted'). */
  consent?: 'required' | string
  /** false: no automatic page views (on load and on SPA navigation). */
  auto?: boolean
}

export interface TrackOptions {
  /** Strictly necessary: sent even without consent, with a per-page anonymous id, nothing stored. */
  necessary?: boolean
}

export type MessageListener = (message: unknown) => void

export interface Cairn {
  page(properties?: Properties): void
  track(name: string, properties?: Properties, options?: TrackOptions): void
  identify(userId: string | null, traits?: Properties): void
  consent(choice: 'granted' | 'denied'): void
  ready(callback: () => void): void
  on(name: 'message', callback: MessageListener): void
}

// Public types of the SDK and the POST /v1/events wire format (API.md).

import type { CairnEvent, Properties } from '../../contract/events.js'

export type { Campaign, CampaignKey } from '../../contract/campaign.js'
export type { CairnEvent, EventContext, EventType, Properties } from '../../contract/events.js'

/** What the visitor decided: 'pending' means opt-in mode without an answer yet. */
export type Consent = 'granted' | 'denied' | 'pending'

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
  /**
   * Script tag only: URL of the web-vitals chunk, loaded after the load event when consent allows (the
   * chunk reports through window.cairn). The script tag sets it to `sdk-vitals.js` next to its own src.
   */
  vitals?: string | false
  /**
   * The built-in in-app message renderer, used when no on('message') listener exists: the URL of its lazy
   * chunk (the script tag sets `sdk-messages.js` next to its own src; the chunk registers through
   * window.cairn), or the renderer itself (the ESM init passes it). false: no built-in renderer.
   */
  messages?: string | false | MessageListener
}

export interface IdentifyOptions {
  /** The identity's signature from the site's server (identity verification). */
  hash?: string
}

export interface TrackOptions {
  /** Strictly necessary: sent even without consent, with a per-page anonymous id, nothing stored. */
  necessary?: boolean
}

/** An experience of the visitor and the variant she sees (GET /v1/personalize). */
export interface Experience {
  id: string
  variant: string
}

/** An in-app message (GET /v1/personalize); every text is plain text, never HTML. */
export interface Message {
  id: string
  kind: string
  title?: string
  body?: string
  cta?: { label: string; url: string }
}

/** The answer of GET /v1/personalize: slot texts by slot name, experiences, in-app messages. */
export interface Decision {
  slots: Record<string, unknown>
  experiences: Experience[]
  messages: Message[]
}

export type MessageListener = (message: Message) => void

export interface Cairn {
  page(properties?: Properties): void
  track(name: string, properties?: Properties, options?: TrackOptions): void
  /** `userId` null: traits of the current visitor, with no user id (not a logout: see reset). */
  identify(userId: string | null, traits?: Properties, options?: IdentifyOptions): void
  /** Logout: forgets the user id and starts a new anonymous visitor. */
  reset(): void
  consent(choice: 'granted' | 'denied'): void
  /** Runs once the landing page's personalization was applied or fell back, with the experiences applied. */
  ready(callback: (experiences: Experience[]) => void): void
  on(name: 'message', callback: MessageListener): void
}

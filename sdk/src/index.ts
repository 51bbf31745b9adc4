export { createCairn } from './client.js'
export { init, page, track, identify, reset, consent, ready, on } from './instance.js'
export type {
  Cairn,
  CairnEvent,
  CairnOptions,
  Campaign,
  CampaignKey,
  Consent,
  Decision,
  EventContext,
  EventType,
  Experience,
  Message,
  MessageListener,
  Properties,
  IdentifyOptions,
  TrackOptions,
} from './types.js'

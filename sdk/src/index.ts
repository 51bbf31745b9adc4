export { createCairn } from './client'
export { init, page, track, identify, consent, ready, on } from './instance'
export type {
  Cairn,
  CairnEvent,
  CairnOptions,
  Campaign,
  Consent,
  Decision,
  EventContext,
  Experience,
  Message,
  MessageListener,
  Properties,
  TrackOptions,
} from './types'

// Consent decisions, kept pure: what the SDK may store and send under each state.
import type { Consent } from './types.js'

/**
 * Global Privacy Control is honoured unless the visitor explicitly granted consent on this site
 * (consent('granted') stores 'granted'): an explicit opt-in is the more specific signal.
 */
export function initialConsent(stored: string | null | undefined, gpc: boolean, required: boolean): Consent {
  return stored == 'granted' ? 'granted' : gpc ? 'denied' : required ? 'pending' : 'granted'
}

/**
 * Where a new event goes: 'queue' (stored and sent when granted, sent from memory when necessary),
 * 'hold' (kept in memory until the visitor decides) or 'drop'.
 */
export function routeEvent(consent: Consent, necessary?: boolean): 'queue' | 'hold' | 'drop' {
  return consent == 'granted' || necessary ? 'queue' : consent == 'pending' ? 'hold' : 'drop'
}

/** Only a granted visitor gets anything written on the device. */
export const mayStore = (consent: Consent): boolean => consent == 'granted'

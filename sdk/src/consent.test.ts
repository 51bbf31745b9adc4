import { describe, expect, it } from 'vitest'
import { initialConsent, mayStore, routeEvent } from './consent.js'

describe('initialConsent', () => {
  it.each([
    // stored, GPC, opt-in required → state
    [null, false, false, 'granted'],
    [null, true, false, 'denied'],
    [null, false, true, 'pending'],
    [null, true, true, 'denied'],
    ['granted', true, false, 'granted'], // an explicit grant outranks GPC
    ['granted', false, true, 'granted'],
    ['garbage', false, true, 'pending'],
  ] as const)('stored=%s gpc=%s required=%s → %s', (stored, gpc, required, expected) => {
    expect(initialConsent(stored, gpc, required)).toBe(expected)
  })
})

describe('routeEvent', () => {
  it.each([
    ['granted', false, 'queue'],
    ['granted', true, 'queue'],
    ['pending', false, 'hold'],
    ['pending', true, 'queue'],
    ['denied', false, 'drop'],
    ['denied', true, 'queue'],
  ] as const)('%s, necessary=%s → %s', (consent, necessary, expected) => {
    expect(routeEvent(consent, necessary)).toBe(expected)
  })
})

describe('mayStore', () => {
  it('stores only for a granted visitor', () => {
    expect([mayStore('granted'), mayStore('pending'), mayStore('denied')]).toEqual([true, false, false])
  })
})

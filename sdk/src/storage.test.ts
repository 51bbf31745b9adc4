import { afterEach, describe, expect, it } from 'vitest'
import { fakeBrowser } from '../test/fake-browser.js'
import { read, readCookie, remove, wipe, write, writeCookie } from './storage.js'

let browser: ReturnType<typeof fakeBrowser>
afterEach(() => browser.restore())

describe('storage', () => {
  it('reads, writes and removes localStorage keys', () => {
    browser = fakeBrowser()
    expect(write('cairn_uid', 'u_1')).toBe(true)
    expect(read('cairn_uid')).toBe('u_1')
    remove('cairn_uid')
    expect(read('cairn_uid')).toBeNull()
  })
  it('never throws when storage and cookies are blocked (sandboxed iframe)', () => {
    browser = fakeBrowser({ storage: 'blocked' })
    expect(() => localStorage.getItem('x')).toThrow()
    expect(read('cairn_aid')).toBeUndefined()
    expect(write('cairn_aid', 'a_1')).toBe(false)
    expect(() => remove('cairn_aid')).not.toThrow()
    expect(readCookie()).toBeUndefined()
    expect(() => writeCookie('a_1')).not.toThrow()
    expect(() => wipe()).not.toThrow()
  })
  it('writes the cairn_aid cookie for a year, SameSite=Lax, on the whole site, and reads it back', () => {
    browser = fakeBrowser()
    let written = ''
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => 'other=1; cairn_aid=a_42; x=y',
      set: (value: string) => (written = value),
    })
    writeCookie('a_42')
    expect(written).toBe('cairn_aid=a_42;Max-Age=31536000;SameSite=Lax;path=/')
    expect(readCookie()).toBe('a_42')
  })
  it('wipe removes every Cairn key and the cookie, and nothing else', () => {
    browser = fakeBrowser()
    write('cairn_aid', 'a_1')
    write('cairn_q:pk_demo', '[]')
    write('cairn_consent', 'granted')
    write('host_key', 'keep me')
    writeCookie('a_1')
    expect(readCookie()).toBe('a_1')
    wipe()
    expect(Object.keys(localStorage)).toEqual(['host_key'])
    expect(readCookie()).toBeUndefined()
  })
})

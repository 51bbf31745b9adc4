// Guarded device storage: localStorage and the first-party cookie throw in sandboxed iframes or when
// cookies are disabled, so every access is wrapped and a failure reads as "nothing stored".

import { VISITOR_COOKIE } from '../../contract/names.js'

export const AID = VISITOR_COOKIE
export const UID = 'cairn_uid'
export const CONSENT = 'cairn_consent'
export const FIRST_TOUCH = 'cairn_ft'
const YEAR = 31536000

export function read(key: string): string | null | undefined {
  try {
    return localStorage.getItem(key)
  } catch {}
}

/** Returns false when the write did not happen (blocked storage, quota). */
export function write(key: string, value: string): boolean {
  try {
    localStorage.setItem(key, value)
    return true
  } catch {
    return false
  }
}

export function remove(key: string): void {
  try {
    localStorage.removeItem(key)
  } catch {}
}

/** The anonymous id cookie shared with edge mode, where the Worker sets it. */
export function readCookie(): string | undefined {
  try {
    return document.cookie.match(RegExp('(?:^|; ?)' + AID + '=([^;]+)'))?.[1]
  } catch {}
}

export function writeCookie(value: string, maxAge = YEAR): void {
  try {
    document.cookie = `${AID}=${value};Max-Age=${maxAge};SameSite=Lax;path=/`
  } catch {}
}

/** Consent denied: every Cairn key of every site and the cookie go. */
export function wipe(): void {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith('cairn_')) localStorage.removeItem(key)
  } catch {}
  writeCookie('', 0)
}

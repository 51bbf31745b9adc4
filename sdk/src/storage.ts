// Guarded device storage: localStorage and the first-party cookie throw in sandboxed iframes or when
// cookies are disabled, so every access is wrapped and a failure reads as "nothing stored".

import { VISITOR_COOKIE } from '../../contract/names.js'

export const AID = VISITOR_COOKIE
export const UID = 'cairn_uid'
export const CONSENT = 'cairn_consent'
export const FIRST_TOUCH = 'cairn_ft'
const YEAR = 31536000

/** Runs a storage access; a throw reads as "nothing". */
const attempt = <T>(access: () => T): T | undefined => {
  try {
    return access()
  } catch {}
}

export const read = (key: string): string | null | undefined => attempt(() => localStorage.getItem(key))

/** Returns false when the write did not happen (blocked storage, quota). */
export const write = (key: string, value: string): boolean => !!attempt(() => (localStorage.setItem(key, value), 1))

export const remove = (key: string): void => attempt(() => localStorage.removeItem(key))

/** The anonymous id cookie shared with edge mode, where the Worker sets it. */
export const readCookie = (): string | undefined => attempt(() => document.cookie.match(RegExp('(?:^|; ?)' + AID + '=([^;]+)'))?.[1])

export const writeCookie = (value: string, maxAge = YEAR): void =>
  void attempt(() => (document.cookie = `${AID}=${value};Max-Age=${maxAge};SameSite=Lax;path=/`))

/** Consent denied: every Cairn key of every site and the cookie go. */
export function wipe(): void {
  attempt(() => Object.keys(localStorage).map((key) => key.startsWith('cairn_') && localStorage.removeItem(key)))
  writeCookie('', 0)
}

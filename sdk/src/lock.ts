// One tab at a time drains the persisted queue: Web Locks when available, else a localStorage lease.
import { read, remove, write } from './storage.js'

export const LEASE_MS = 5000

/** A lease is stored as "tabId expiry"; it can be taken when absent, expired or already ours. */
export function leaseFree(value: string | null | undefined, tab: string, now: number): boolean {
  const [owner, until] = (value || '').split(' ')
  return owner == tab || !(+until! > now)
}

/** Runs `drain` while holding the site's lock; answers false, without running it, when another tab holds it. */
export async function withLock(site: string, tab: string, drain: () => Promise<void>): Promise<boolean> {
  const locks = navigator.locks
  if (locks) return locks.request('cairn:' + site, { ifAvailable: true }, async (lock) => !!lock && (await drain(), true))
  const key = 'cairn_lock:' + site
  const renew = () => write(key, tab + ' ' + (Date.now() + LEASE_MS))
  // Take a free lease, then read it back: of two tabs writing at once, only the last writer keeps it.
  if (!leaseFree(read(key), tab, Date.now()) || !renew() || !leaseFree(read(key), tab, Date.now())) return false
  const timer = setInterval(renew, LEASE_MS / 2)
  try {
    await drain()
  } finally {
    clearInterval(timer)
    remove(key)
  }
  return true
}

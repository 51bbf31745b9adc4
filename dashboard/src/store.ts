// The one shared state: the admin token (sessionStorage, as the only credential) and the sites list it
// unlocks. Everything else lives in the views' own hooks.
import { useSyncExternalStore } from 'hono/jsx/dom'
import type { Site } from './api/types'

const TOKEN_KEY = 'cairn_admin_token'

// sessionStorage can throw (storage disabled): the token then lives in memory only.
const storage = {
  read: (): string | null => {
    try {
      return sessionStorage.getItem(TOKEN_KEY)
    } catch {
      return null
    }
  },
  write: (value: string | null) => {
    try {
      if (value === null) sessionStorage.removeItem(TOKEN_KEY)
      else sessionStorage.setItem(TOKEN_KEY, value)
    } catch {}
  },
}

export type Session = { token: string | null; sites: Site[] | null; notice: string }

/** A tiny typed store: read with `get`, change with `set`, components follow it with `useStore`. */
export function createStore<T>(initial: T) {
  let value = initial
  const listeners = new Set<() => void>()
  return {
    get: () => value,
    set(next: Partial<T>) {
      value = { ...value, ...next }
      for (const listener of listeners) listener()
    },
    subscribe(listener: () => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

const store = createStore<Session>({ token: storage.read(), sites: null, notice: '' })

export const session = {
  ...store,
  signIn(token: string, sites: Site[]) {
    storage.write(token)
    store.set({ token, sites, notice: '' })
  },
  signOut(notice = '') {
    storage.write(null)
    store.set({ token: null, sites: null, notice })
  },
  /** Replaces (or adds) one site in the cached list after a create or an edit. */
  putSite(site: Site) {
    const sites = store.get().sites ?? []
    store.set({ sites: sites.some((s) => s.id === site.id) ? sites.map((s) => (s.id === site.id ? site : s)) : [...sites, site] })
  },
}

export const useSession = (): Session => useSyncExternalStore(session.subscribe, session.get)

// Hash routes: #/sites, #/sites/:id/<tab>[/…]. Tabs come from views/registry.ts, so a new view (overview,
// flows, outbox) is one registry entry away from having its URL.
import { useSyncExternalStore } from 'hono/jsx/dom'

export type Route =
  | { view: 'sites' }
  | { view: 'leads'; siteId: string; leadId: string | null }
  | { view: 'experience'; siteId: string; expId: string | null }
  | { view: 'results'; siteId: string; expId: string }
  | { view: 'flow'; siteId: string; flowId: string | null }
  | { view: 'tab'; tab: string; siteId: string }

export function parseRoute(hash: string, tabs: readonly string[]): Route {
  let parts: string[] = []
  try {
    parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  } catch {}
  const [root, siteId, tab = 'overview', id, sub] = parts
  if (root !== 'sites' || !siteId) return { view: 'sites' }
  if (tab === 'leads') return { view: 'leads', siteId, leadId: id ?? null }
  if (tab === 'experiences' && id) {
    if (sub === 'results') return { view: 'results', siteId, expId: id }
    return { view: 'experience', siteId, expId: id === 'new' ? null : id }
  }
  if (tab === 'flows' && id) return { view: 'flow', siteId, flowId: id === 'new' ? null : id }
  return tabs.includes(tab) ? { view: 'tab', tab, siteId } : { view: 'sites' }
}

const enc = encodeURIComponent
export const href = {
  sites: () => '#/sites',
  tab: (siteId: string, tab: string) => `#/sites/${enc(siteId)}/${tab}`,
  lead: (siteId: string, leadId: string) => `#/sites/${enc(siteId)}/leads/${enc(leadId)}`,
  experience: (siteId: string, expId: string) => `#/sites/${enc(siteId)}/experiences/${enc(expId)}`,
  newExperience: (siteId: string) => `#/sites/${enc(siteId)}/experiences/new`,
  flow: (siteId: string, flowId: string) => `#/sites/${enc(siteId)}/flows/${enc(flowId)}`,
  newFlow: (siteId: string) => `#/sites/${enc(siteId)}/flows/new`,
  results: (siteId: string, expId: string) => `#/sites/${enc(siteId)}/experiences/${enc(expId)}/results`,
}

const subscribe = (listener: () => void) => {
  addEventListener('hashchange', listener)
  return () => removeEventListener('hashchange', listener)
}

/** The current hash, re-rendering on every change. */
export const useHash = (): string => useSyncExternalStore(subscribe, () => location.hash)

export const go = (target: string) => {
  location.hash = target
}

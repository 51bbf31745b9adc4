// In-app messages for /v1/personalize and edge mode: the visitor's own delivered messages, as text-only
// copy. Most requests pay no D1 read: a site without an in-app flow has none (enabled flows are cached per
// isolate), and a visitor outside the site's cached set of visitors with live messages has none either.
import type { Db } from '../../db/client'
import { flowConfigs } from '../../db/flows'
import { inAppMessagesForVisitor, visitorsWithInApp } from '../../db/messages'
import { LIVE_IN_APP_TTL_MS, MAX_LIVE_IN_APP_VISITORS } from '../../limits'
import { publicInApp, type InAppContent } from '../../domain/flows/messages'
import type { FlowStep } from '../../domain/flows/schema'

const hasInApp = (steps: readonly FlowStep[]): boolean =>
  steps.some((s) => s.type === 'in_app' || (s.type === 'branch' && (hasInApp(s.then) || hasInApp(s.else ?? []))))

/**
 * Per isolate and site, for LIVE_IN_APP_TTL_MS: the visitor ids with a live in-app message, or null when
 * there are more than MAX_LIVE_IN_APP_VISITORS (then every visitor is looked up). A message delivered in
 * another isolate shows within the TTL; one delivered here forgets the site at once.
 */
export class LiveInAppVisitors {
  private readonly entries = new Map<string, { visitors: Set<string> | null; loadedAt: number }>()

  async get(db: Db, siteId: string, now: number): Promise<Set<string> | null> {
    const cached = this.entries.get(siteId)
    if (cached && now - cached.loadedAt < LIVE_IN_APP_TTL_MS) return cached.visitors
    const ids = await visitorsWithInApp(db, siteId, now, MAX_LIVE_IN_APP_VISITORS)
    const visitors = ids.length > MAX_LIVE_IN_APP_VISITORS ? null : new Set(ids)
    if (this.entries.size >= 1000) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(siteId, { visitors, loadedAt: now })
    return visitors
  }

  forget(siteId: string): void {
    this.entries.delete(siteId)
  }
}

export const liveInApp = new LiveInAppVisitors()

export async function inAppMessagesFor(db: Db, siteId: string, anonymousId: string, now: number) {
  const flows = await flowConfigs.get(db, siteId, now)
  if (!flows.some((f) => hasInApp(f.definition.steps))) return []
  const live = await liveInApp.get(db, siteId, now)
  if (live && !live.has(anonymousId)) return []
  const rows = await inAppMessagesForVisitor(db, siteId, anonymousId, now)
  return rows.map((row) => publicInApp(row.id, row.content as InAppContent))
}

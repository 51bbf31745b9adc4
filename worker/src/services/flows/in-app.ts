// In-app messages for /v1/personalize: the visitor's own delivered messages, as text-only copy. Sites
// without an in-app flow pay no D1 read (the enabled flows come from the per-isolate cache).
import type { Db } from '../../db/client'
import { flowConfigs } from '../../db/flows'
import { inAppMessagesForVisitor } from '../../db/messages'
import { publicInApp, type InAppContent } from '../../domain/flows/messages'
import type { FlowStep } from '../../domain/flows/schema'

const hasInApp = (steps: readonly FlowStep[]): boolean =>
  steps.some((s) => s.type === 'in_app' || (s.type === 'branch' && (hasInApp(s.then) || hasInApp(s.else ?? []))))

export async function inAppMessagesFor(db: Db, siteId: string, anonymousId: string, now: number) {
  const flows = await flowConfigs.get(db, siteId, now)
  if (!flows.some((f) => hasInApp(f.definition.steps))) return []
  const rows = await inAppMessagesForVisitor(db, siteId, anonymousId, now)
  return rows.map((row) => publicInApp(row.id, row.content as InAppContent))
}

// Loads what a flow preview replays: the site's leads, their last 30 days of events and stage changes.
// Reads only; nothing is written.
import { and, asc, desc, eq, gt } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { events, leadChanges, leads, visitors } from '../../db/schema'
import { previewFlow, REPLAY_DAYS, type FlowPreview, type PreviewLead } from '../../domain/flows/preview'
import type { FlowDefinition } from '../../domain/flows/schema'
import { toFlowLead } from './run-steps'

export const PREVIEW_MAX_LEADS = 2000
export const PREVIEW_MAX_EVENTS = 50_000

export async function previewDraftFlow(db: Db, siteId: string, flow: FlowDefinition, now: number): Promise<FlowPreview & { truncated: boolean }> {
  const since = now - REPLAY_DAYS * 86_400_000
  const [leadRows, eventRows, changeRows] = await db.batch([
    db.select().from(leads).where(eq(leads.siteId, siteId)).orderBy(desc(leads.lastSeen)).limit(PREVIEW_MAX_LEADS),
    db
      .select({ leadId: visitors.leadId, type: events.type, name: events.name, ts: events.ts, data: events.data, context: events.context })
      .from(events)
      .innerJoin(visitors, and(eq(visitors.siteId, events.siteId), eq(visitors.anonymousId, events.anonymousId)))
      .where(and(eq(events.siteId, siteId), gt(events.ts, since)))
      .orderBy(asc(events.ts))
      .limit(PREVIEW_MAX_EVENTS),
    db
      .select({ leadId: leadChanges.leadId, to: leadChanges.to, at: leadChanges.at })
      .from(leadChanges)
      .where(and(eq(leadChanges.siteId, siteId), gt(leadChanges.at, since))),
  ])
  const byLead = new Map<string, PreviewLead>(leadRows.map((row) => [row.id, { ...toFlowLead(row), events: [], stageChanges: [] }]))
  for (const { leadId, ...event } of eventRows) (byLead.get(leadId)?.events as unknown[] | undefined)?.push(event)
  for (const { leadId, ...change } of changeRows) (byLead.get(leadId)?.stageChanges as unknown[] | undefined)?.push(change)
  const preview = previewFlow(flow, [...byLead.values()], now)
  return { ...preview, truncated: leadRows.length === PREVIEW_MAX_LEADS || eventRows.length === PREVIEW_MAX_EVENTS }
}

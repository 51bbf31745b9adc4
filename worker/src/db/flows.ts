// Flow queries, and the per-isolate cache of a site's enabled flows that ingest reads on every batch.
import { and, desc, eq, sql } from 'drizzle-orm'
import type { FlowDefinition, FlowInput } from '../domain/flows/schema'
import type { Db } from './client'
import { flowEnrollments, flows, messages, type FlowRow } from './schema'

export type EnabledFlow = { id: string; version: number; definition: FlowDefinition }

export function listFlows(db: Db, siteId: string): Promise<FlowRow[]> {
  return db.select().from(flows).where(eq(flows.siteId, siteId)).orderBy(desc(flows.createdAt)).all()
}

export function findFlow(db: Db, siteId: string, flowId: string): Promise<FlowRow | undefined> {
  return db.select().from(flows).where(and(eq(flows.siteId, siteId), eq(flows.id, flowId))).get()
}

const definitionOf = ({ name: _name, enabled: _enabled, ...definition }: FlowInput): FlowDefinition => definition

export function insertFlow(db: Db, siteId: string, id: string, input: FlowInput, templateId: string | null = null): Promise<FlowRow> {
  return db
    .insert(flows)
    .values({ id, siteId, name: input.name, enabled: input.enabled, definition: definitionOf(input), templateId })
    .returning()
    .get()
}

export function replaceFlow(db: Db, siteId: string, flowId: string, input: FlowInput): Promise<FlowRow | undefined> {
  return db
    .update(flows)
    .set({ name: input.name, enabled: input.enabled, definition: definitionOf(input), version: sql`${flows.version} + 1`, updatedAt: Date.now() })
    .where(and(eq(flows.siteId, siteId), eq(flows.id, flowId)))
    .returning()
    .get()
}

/** Deleting a flow cancels its runs and its messages not yet sent. */
export async function deleteFlow(db: Db, siteId: string, flowId: string, now: number): Promise<boolean> {
  const [deleted] = await db.batch([
    db.delete(flows).where(and(eq(flows.siteId, siteId), eq(flows.id, flowId))).returning({ id: flows.id }),
    db
      .update(flowEnrollments)
      .set({ status: 'cancelled', cursor: null, endedAt: now, exitReason: 'flow_deleted' })
      .where(and(eq(flowEnrollments.flowId, flowId), eq(flowEnrollments.status, 'active'))),
    db
      .update(messages)
      .set({ status: 'cancelled', reason: 'flow_deleted' })
      .where(and(eq(messages.flowId, flowId), eq(messages.status, 'queued'))),
  ])
  return deleted.length > 0
}

/** Per flow: enrollments by status and messages by step and status (the flows list and a flow's page). */
export async function flowStats(db: Db, siteId: string) {
  const [enrollments, sent] = await db.batch([
    db
      .select({ flowId: flowEnrollments.flowId, status: flowEnrollments.status, exitReason: flowEnrollments.exitReason, n: sql<number>`count(*)` })
      .from(flowEnrollments)
      .where(eq(flowEnrollments.siteId, siteId))
      .groupBy(flowEnrollments.flowId, flowEnrollments.status, flowEnrollments.exitReason),
    db
      .select({ flowId: messages.flowId, step: messages.step, variant: messages.variant, status: messages.status, n: sql<number>`count(*)`, opened: sql<number>`count(${messages.openedAt})`, clicked: sql<number>`count(${messages.clickedAt})` })
      .from(messages)
      .where(and(eq(messages.siteId, siteId), sql`${messages.flowId} is not null`))
      .groupBy(messages.flowId, messages.step, messages.variant, messages.status),
  ])
  return { enrollments, sent }
}

/**
 * A site's enabled flows, kept per isolate for a few seconds: ingest evaluates triggers on every batch
 * and must not pay a D1 round trip for it. Admin writes forget the site at once in this isolate.
 */
export class FlowConfigCache {
  static TTL_MS = 5_000
  private readonly entries = new Map<string, { flows: EnabledFlow[]; loadedAt: number }>()

  async get(db: Db, siteId: string, now: number): Promise<EnabledFlow[]> {
    const cached = this.entries.get(siteId)
    if (cached && now - cached.loadedAt < FlowConfigCache.TTL_MS) return cached.flows
    const rows = await db
      .select({ id: flows.id, version: flows.version, definition: flows.definition })
      .from(flows)
      .where(and(eq(flows.siteId, siteId), eq(flows.enabled, true)))
      .all()
    if (this.entries.size >= 1000) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(siteId, { flows: rows, loadedAt: now })
    return rows
  }

  forget(siteId: string): void {
    this.entries.delete(siteId)
  }
}

export const flowConfigs = new FlowConfigCache()

// A site's scoring configuration (thresholds, stage preset, lifecycle events).
import { eq } from 'drizzle-orm'
import type { ScoringConfig } from '../domain/lifecycle'
import type { Db } from './client'
import { sites, type SiteRow } from './schema'

export async function saveScoringConfig(db: Db, siteId: string, config: ScoringConfig): Promise<SiteRow | undefined> {
  return db.update(sites).set({ scoring: config, updatedAt: Date.now() }).where(eq(sites.id, siteId)).returning().get()
}

// What decisions read for a site — the site row and its active experiences — kept per isolate for a few
// seconds. A D1 round trip costs several times a no-op request, and personalize sits in front of the
// page's first paint; admin writes forget the entry at once in this isolate, others within the TTL.
import { and, eq } from 'drizzle-orm'
import type { Experience } from '../domain/experiences'
import type { Db } from './client'
import { toExperience } from './experiences'
import { experiences, sites, type SiteRow } from './schema'

export const DECISION_CONFIG_TTL_MS = 5_000
const MAX_SITES = 1_000

export type DecisionConfig = { site: SiteRow | undefined; experiences: Experience[]; loadedAt: number }

export class DecisionConfigCache {
  private readonly entries = new Map<string, DecisionConfig>()

  async get(db: Db, siteKey: string, now: number): Promise<DecisionConfig> {
    const cached = this.entries.get(siteKey)
    if (cached && now - cached.loadedAt < DECISION_CONFIG_TTL_MS) return cached
    const [siteRows, experienceRows] = await db.batch([
      db.select().from(sites).where(eq(sites.key, siteKey)),
      db
        .select({ experience: experiences })
        .from(experiences)
        .innerJoin(sites, eq(sites.id, experiences.siteId))
        .where(and(eq(sites.key, siteKey), eq(experiences.status, 'active'))),
    ])
    const config = { site: siteRows[0], experiences: experienceRows.map((row) => toExperience(row.experience)), loadedAt: now }
    if (this.entries.size >= MAX_SITES) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(siteKey, config)
    return config
  }

  forget(siteKey: string): void {
    this.entries.delete(siteKey)
  }
}

/** One cache per isolate (Workers reuse an isolate across requests; each isolate has its own). */
export const decisionConfigs = new DecisionConfigCache()

// What the request path reads about sites — a site's row and active experiences (audiences compiled), and
// which site owns which edge-mode hostname — kept per isolate for a few seconds. A D1 round trip costs
// several times a no-op request, and personalize sits in front of the page's first paint; admin writes
// forget the entry at once in this isolate, others within the TTL.
import type { Db } from '../db/client'
import { activeExperiences } from '../db/experiences'
import type { SiteRow } from '../db/schema'
import { edgeSites, listSites } from '../db/sites'
import { fnv1a, prepareExperience, type PreparedExperience } from '../domain/experiences'
import { MAX_CACHED_SITES, SITE_CONFIG_TTL_MS } from '../limits'

export type DecisionConfig = {
  site: SiteRow | undefined
  experiences: PreparedExperience[]
  /** Changes whenever the site row or an active experience changes: keys cached answers. */
  version: string
  loadedAt: number
}

type HostnameMap = { sites: Map<string, SiteRow>; loadedAt: number }
type OriginLists = { lists: string[][]; loadedAt: number }

export class SiteConfigCache {
  private readonly entries = new Map<string, DecisionConfig>()
  private hostnames: HostnameMap | undefined
  private origins: OriginLists | undefined

  async get(db: Db, siteKey: string, now: number): Promise<DecisionConfig> {
    const cached = this.entries.get(siteKey)
    if (cached && now - cached.loadedAt < SITE_CONFIG_TTL_MS) return cached
    const { site, experiences } = await activeExperiences(db, siteKey)
    const version = site ? configVersion(site, experiences.map((e) => `${e.experience.id}:${e.updatedAt}`)) : 'none'
    const config = { site, experiences: experiences.map((e) => prepareExperience(e.experience)), version, loadedAt: now }
    if (this.entries.size >= MAX_CACHED_SITES) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(siteKey, config)
    return config
  }

  /** The site whose edge-mode hostnames include this host: one D1 read per TTL for all hosts. */
  async siteForHostname(db: Db, hostname: string, now: number): Promise<SiteRow | undefined> {
    if (!this.hostnames || now - this.hostnames.loadedAt >= SITE_CONFIG_TTL_MS) {
      const sites = new Map<string, SiteRow>()
      for (const site of await edgeSites(db)) for (const host of site.hostnames) if (!sites.has(host)) sites.set(host, site)
      this.hostnames = { sites, loadedAt: now }
    }
    return this.hostnames.sites.get(hostname.toLowerCase())
  }

  /** Every site's allowed origins (a preflight without a site key may come for any): one D1 read per TTL. */
  async allOrigins(db: Db, now: number): Promise<string[][]> {
    if (!this.origins || now - this.origins.loadedAt >= SITE_CONFIG_TTL_MS) {
      this.origins = { lists: (await listSites(db)).map((site) => site.origins), loadedAt: now }
    }
    return this.origins.lists
  }

  /** After an admin write to the site or its experiences. */
  forget(siteKey: string): void {
    this.entries.delete(siteKey)
    this.hostnames = undefined
    this.origins = undefined
  }

  /** After a site is created (it may claim hostnames and origins). */
  forgetHostnames(): void {
    this.hostnames = undefined
    this.origins = undefined
  }
}

/** The site's update time and each active experience's id and update time, hashed. */
const configVersion = (site: SiteRow, experienceUpdates: readonly string[]) => fnv1a(`${site.updatedAt}|${experienceUpdates.join(',')}`).toString(36)

/** One cache per isolate (Workers reuse an isolate across requests; each isolate has its own). */
export const siteConfigs = new SiteConfigCache()

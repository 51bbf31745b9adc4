// Site queries.
import { eq, sql } from 'drizzle-orm'
import type { CreateSite, UpdateSite } from '../domain/sites'
import type { Db } from './client'
import { sites, type SiteRow } from './schema'

export function findSiteByKey(db: Db, key: string): Promise<SiteRow | undefined> {
  return db.select().from(sites).where(eq(sites.key, key)).get()
}

export function findSite(db: Db, id: string): Promise<SiteRow | undefined> {
  return db.select().from(sites).where(eq(sites.id, id)).get()
}

export function listSites(db: Db): Promise<SiteRow[]> {
  return db.select().from(sites).orderBy(sites.createdAt).all()
}

export function insertSite(db: Db, site: CreateSite & { id: string; key: string; identitySecret: string }): Promise<SiteRow> {
  return db
    .insert(sites)
    .values({
      id: site.id,
      key: site.key,
      name: site.name,
      origins: site.origins,
      origin: site.origin ?? null,
      hostnames: site.hostnames ?? [],
      settings: site.settings ?? {},
      identitySecret: site.identitySecret,
    })
    .returning()
    .get()
}

export function updateSite(db: Db, id: string, patch: UpdateSite): Promise<SiteRow | undefined> {
  return db
    .update(sites)
    .set({ ...patch, updatedAt: Date.now() })
    .where(eq(sites.id, id))
    .returning()
    .get()
}

/** Sites with edge-mode hostnames (oldest first: the first to claim a hostname keeps it). */
export function edgeSites(db: Db): Promise<SiteRow[]> {
  return db.select().from(sites).where(sql`${sites.hostnames} <> '[]'`).orderBy(sites.createdAt).all()
}

/** Adds events answered but not stored to the site's ignored-traffic counters (relative: safe under concurrency). */
export async function countIgnoredTraffic(db: Db, siteId: string, kind: 'bot' | 'automated', events: number): Promise<void> {
  const column = kind === 'bot' ? sites.ignoredBots : sites.ignoredAutomated
  await db
    .update(sites)
    .set(kind === 'bot' ? { ignoredBots: sql`${column} + ${events}` } : { ignoredAutomated: sql`${column} + ${events}` })
    .where(eq(sites.id, siteId))
    .run()
}

/** Sets the site's identity secret (a new site's, or a rotation): returns false when there is no such site. */
export async function saveIdentitySecret(db: Db, siteId: string, secret: string): Promise<boolean> {
  const row = await db.update(sites).set({ identitySecret: secret, updatedAt: Date.now() }).where(eq(sites.id, siteId)).returning({ id: sites.id }).get()
  return row !== undefined
}

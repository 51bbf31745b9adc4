// Ad queries. Re-importing an ad (same campaign, ad group and name) updates it.
import { and, eq, sql } from 'drizzle-orm'
import type { AdInput } from '../domain/ads'
import { chunk, rowsPerInsert } from './binding'
import type { Db } from './client'
import { randomId } from './ids'
import { ads, type AdRow } from './schema'

export function listAds(db: Db, siteId: string): Promise<AdRow[]> {
  return db.select().from(ads).where(eq(ads.siteId, siteId)).orderBy(ads.campaign, ads.adGroup, ads.name).all()
}

/** Upserts ads in one transaction. */
export async function upsertAds(db: Db, siteId: string, input: readonly AdInput[]): Promise<number> {
  const rows = input.map((ad) => ({ id: randomId('ad_'), siteId, ...ad }))
  const statements = chunk(rows, rowsPerInsert(ads)).map((part) =>
    db
      .insert(ads)
      .values(part)
      .onConflictDoUpdate({
        target: [ads.siteId, ads.campaign, ads.adGroup, ads.name],
        set: { headline: sqlExcluded('headline'), keywords: sqlExcluded('keywords'), finalUrl: sqlExcluded('final_url') },
      }),
  )
  if (statements.length > 0) await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]])
  return rows.length
}

const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`)

export async function deleteAd(db: Db, siteId: string, id: string): Promise<boolean> {
  const rows = await db.delete(ads).where(and(eq(ads.siteId, siteId), eq(ads.id, id))).returning({ id: ads.id })
  return rows.length > 0
}

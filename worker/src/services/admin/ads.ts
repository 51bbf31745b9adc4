// Admin use case: importing an ad platform's export (CSV or TSV). All rows or none: one bad row saves nothing.
import { upsertAds } from '../../db/ads'
import type { Db } from '../../db/client'
import { adsFromCsv } from '../../domain/ads'
import { ApiError } from '../../http/errors'

/** The number of ads saved; a 400 naming each bad line when any row cannot be imported. */
export async function importAds(db: Db, siteId: string, text: string): Promise<number> {
  const { ads, errors } = adsFromCsv(text)
  if (errors.length > 0 || ads.length === 0) {
    const issues = errors.map((e) => ({ path: `line ${e.line}`, message: e.message }))
    throw new ApiError(400, 'invalid_csv', 'The CSV has rows that cannot be imported; nothing was saved.', issues.length ? issues : [{ path: 'line 2', message: 'no ads found' }])
  }
  return upsertAds(db, siteId, ads)
}

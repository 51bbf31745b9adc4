// Admin: ads (JSON or CSV import) and the message-match coverage report.
import { Hono } from 'hono'
import { AdBatch } from '../domain/ads'
import { openDb } from '../db/client'
import { deleteAd, listAds, upsertAds } from '../db/ads'
import { readBodyText } from '../http/body'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { MAX_CSV_BYTES } from '../limits'
import { importAds } from '../services/admin/ads'
import { adsCoverage } from '../services/ads-coverage'
import { siteOr404 } from './sites'

export const adsApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/ads', async (c) => {
    const db = openDb(c.env.DB)
    await siteOr404(db, c.req.param('siteId'))
    return c.json({ ads: await listAds(db, c.req.param('siteId')) })
  })
  .post('/:siteId/ads', validate('json', AdBatch), async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const saved = await upsertAds(db, site.id, c.req.valid('json').ads)
    return c.json({ saved }, 201)
  })
  // The body is the CSV itself (text/csv). Valid rows are saved only when no row is invalid.
  .post('/:siteId/ads/import', async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const text = await readBodyText(c.req.raw, MAX_CSV_BYTES)
    if (text === null) throw new ApiError(413, 'payload_too_large', `CSV imports are limited to ${MAX_CSV_BYTES} bytes.`)
    return c.json({ imported: await importAds(db, site.id, text) }, 201)
  })
  .delete('/:siteId/ads/:adId', async (c) => {
    if (!(await deleteAd(openDb(c.env.DB), c.req.param('siteId'), c.req.param('adId')))) {
      throw new ApiError(404, 'ad_not_found', 'No ad with this id on this site.')
    }
    return c.body(null, 204)
  })
  .get('/:siteId/ads/coverage', async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    return c.json(await adsCoverage(db, site.id))
  })

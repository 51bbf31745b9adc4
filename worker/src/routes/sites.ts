// Admin: sites (keys, allowed origins, edge-mode origin and hostnames).
import { Hono, type Context } from 'hono'
import { CreateSite, installSnippet, publicBase, UpdateSite } from '../domain/sites'
import { openDb, type Db } from '../db/client'
import { findSite, listSites } from '../db/sites'
import type { SiteRow } from '../db/schema'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { changeSite, createSite, identitySecretOf, rotateIdentitySecret } from '../services/admin/sites'

/** A site as the admin API shows it; `base` is the public host the install snippet points at. */
export const siteView = (site: SiteRow, base: string) => ({
  id: site.id,
  key: site.key,
  name: site.name,
  origins: site.origins,
  origin: site.origin,
  hostnames: site.hostnames,
  settings: site.settings,
  /** Events answered but not stored since the site was created. */
  ignored: { bots: site.ignoredBots, automated: site.ignoredAutomated },
  createdAt: new Date(site.createdAt).toISOString(),
  updatedAt: new Date(site.updatedAt).toISOString(),
  snippet: installSnippet(base, site.key),
})

const baseOf = (c: Context<{ Bindings: Env }>) => publicBase(c.env.PUBLIC_URL, c.req.url)

export const siteNotFound = () => new ApiError(404, 'site_not_found', 'No site with this id.')

/** The site of an admin route's `:siteId`, or a 404. */
export async function siteOr404(db: Db, siteId: string): Promise<SiteRow> {
  const site = await findSite(db, siteId)
  if (!site) throw siteNotFound()
  return site
}

export const sitesApi = new Hono<{ Bindings: Env }>()
  .post('/', validate('json', CreateSite), async (c) => {
    const site = await createSite(openDb(c.env.DB), c.req.valid('json'))
    return c.json(siteView(site, baseOf(c)), 201)
  })
  .get('/', async (c) => c.json({ sites: (await listSites(openDb(c.env.DB))).map((site) => siteView(site, baseOf(c))) }))
  .get('/:siteId', async (c) => {
    const site = await findSite(openDb(c.env.DB), c.req.param('siteId'))
    if (!site) throw siteNotFound()
    return c.json(siteView(site, baseOf(c)))
  })
  .patch('/:siteId', validate('json', UpdateSite), async (c) => {
    const site = await changeSite(openDb(c.env.DB), c.req.param('siteId'), c.req.valid('json'))
    if (!site) throw siteNotFound()
    return c.json(siteView(site, baseOf(c)))
  })
  // The identity secret is read and rotated here only: no other answer, public or admin, carries it.
  .get('/:siteId/identity-secret', async (c) => {
    const db = openDb(c.env.DB)
    return c.json({ identitySecret: await identitySecretOf(db, await siteOr404(db, c.req.param('siteId'))) })
  })
  .post('/:siteId/identity-secret', async (c) => {
    const db = openDb(c.env.DB)
    return c.json({ identitySecret: await rotateIdentitySecret(db, await siteOr404(db, c.req.param('siteId'))) })
  })

// Admin use cases on sites: create, change settings, read and rotate the identity secret. Every write
// forgets the cached configuration so decisions and edge hostnames follow at once in this isolate.
import type { Db } from '../../db/client'
import { randomId } from '../../db/ids'
import type { SiteRow } from '../../db/schema'
import { insertSite, saveIdentitySecret, updateSite } from '../../db/sites'
import { newIdentitySecret } from '../../domain/identity'
import type { CreateSite, UpdateSite } from '../../domain/sites'
import { siteConfigs } from '../site-config'

export async function createSite(db: Db, input: CreateSite): Promise<SiteRow> {
  const site = await insertSite(db, { ...input, id: randomId('site_'), key: randomId('pk_', 24), identitySecret: newIdentitySecret() })
  // A new site may bring edge hostnames: the hostname map is rebuilt on the next request.
  siteConfigs.forgetHostnames()
  return site
}

/** The changed site, or undefined when there is no such site. */
export async function changeSite(db: Db, siteId: string, patch: UpdateSite): Promise<SiteRow | undefined> {
  const site = await updateSite(db, siteId, patch)
  if (site) siteConfigs.forget(site.key)
  return site
}

/** The site's identity secret; sites created before identity verification get theirs on first read. */
export async function identitySecretOf(db: Db, site: SiteRow): Promise<string> {
  if (site.identitySecret) return site.identitySecret
  return rotateIdentitySecret(db, site)
}

/** A new identity secret: signatures made with the old one stop verifying at once. */
export async function rotateIdentitySecret(db: Db, site: SiteRow): Promise<string> {
  const secret = newIdentitySecret()
  await saveIdentitySecret(db, site.id, secret)
  siteConfigs.forget(site.key)
  return secret
}

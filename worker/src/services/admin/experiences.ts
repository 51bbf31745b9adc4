// Admin use cases on experiences: every write forgets the cached decisions of the site, so this isolate
// serves the change at once (other isolates within the configuration cache's TTL).
import type { Db } from '../../db/client'
import { deleteExperience, insertExperience, replaceExperience } from '../../db/experiences'
import type { ExperienceRow, SiteRow } from '../../db/schema'
import type { ExperienceInput } from '../../domain/experiences'
import { siteConfigs } from '../site-config'

export async function createExperience(db: Db, site: SiteRow, input: ExperienceInput): Promise<ExperienceRow> {
  const row = await insertExperience(db, site.id, input)
  siteConfigs.forget(site.key)
  return row
}

/** The replaced experience, or undefined when the site has no such experience. */
export async function changeExperience(db: Db, site: SiteRow, id: string, input: ExperienceInput): Promise<ExperienceRow | undefined> {
  const row = await replaceExperience(db, site.id, id, input)
  if (row) siteConfigs.forget(site.key)
  return row
}

/** False when the site has no such experience. */
export async function removeExperience(db: Db, site: SiteRow, id: string): Promise<boolean> {
  if (!(await deleteExperience(db, site.id, id))) return false
  siteConfigs.forget(site.key)
  return true
}

// Ads coverage: which of a site's ads land on a dedicated experience that repeats the ad's message.
import { listAds } from '../db/ads'
import type { Db } from '../db/client'
import { listExperiences, toExperience } from '../db/experiences'
import { coverageReport, type Coverage } from '../domain/ads'

export async function adsCoverage(db: Db, siteId: string): Promise<Coverage> {
  const [ads, experiences] = await Promise.all([listAds(db, siteId), listExperiences(db, siteId)])
  return coverageReport(ads, experiences.map(toExperience))
}

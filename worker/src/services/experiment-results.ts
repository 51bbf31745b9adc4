// Experiment results of a site, optionally within a time range of first exposures.
import type { Db } from '../db/client'
import { experienceResults, listExperiences } from '../db/experiences'
import { experimentResults } from '../domain/results'

export async function siteExperimentResults(db: Db, siteId: string, range: { from?: number; to?: number }) {
  const [experiences, arms] = await Promise.all([listExperiences(db, siteId), experienceResults(db, siteId, range.from, range.to)])
  return experimentResults(experiences, arms)
}

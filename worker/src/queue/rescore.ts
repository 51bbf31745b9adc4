// Site-wide re-scoring after a rule change: inline for small sites, a chain of queue pages for large ones
// (each page one consumer invocation, well inside Worker CPU and D1 query limits).
import type { Db } from '../db/client'
import { countLeads, leadIdPage, rescoreLeads } from '../db/rescore'
import { findSite } from '../db/sites'
import type { SiteRow } from '../db/schema'
import type { Job, RescoreJob } from './jobs'

/** Sites with at most this many leads are re-scored before the rule change answers. */
export const SYNC_RESCORE_LEADS = 200
/** Leads per queued re-score page. */
export const QUEUED_RESCORE_PAGE = 200

export type RescoreSummary = { mode: 'sync' | 'queued'; leads: number; changed?: number }

export async function rescoreSite(db: Db, jobs: Queue<Job>, site: SiteRow, now: number): Promise<RescoreSummary> {
  const leads = await countLeads(db, site.id)
  if (leads > SYNC_RESCORE_LEADS) {
    await jobs.send({ kind: 'rescore', siteId: site.id, rulesVersion: site.rulesVersion, after: '' })
    return { mode: 'queued', leads }
  }
  const ids = await leadIdPage(db, site.id, '', SYNC_RESCORE_LEADS)
  const { changed } = await rescoreLeads(db, site, ids, now)
  return { mode: 'sync', leads, changed }
}

/** One queued page; a page for an outdated rule set stops its chain (the newer change started its own). */
export async function rescorePage(db: Db, jobs: Queue<Job>, job: RescoreJob, now: number): Promise<void> {
  const site = await findSite(db, job.siteId)
  if (!site || site.rulesVersion !== job.rulesVersion) return
  const ids = await leadIdPage(db, site.id, job.after, QUEUED_RESCORE_PAGE)
  await rescoreLeads(db, site, ids, now)
  if (ids.length === QUEUED_RESCORE_PAGE) await jobs.send({ ...job, after: ids[ids.length - 1]! })
}

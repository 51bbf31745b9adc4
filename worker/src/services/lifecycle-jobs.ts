// Time-driven scoring work of the cron trigger: points lapse (hourly), customers' stages and RFM move
// with inactivity alone (daily), recomputed from stored facts without replaying events.
import type { Db } from '../db/client'
import { customerPage, leadsWithLapsedPoints, restageStatements } from '../db/lifecycle-jobs'
import { retryOnWriteConflict } from '../db/guards'
import { leadsUnchanged } from '../db/lead-rows'
import type { LeadRow, SiteRow } from '../db/schema'
import { findSite, listSites } from '../db/sites'
import { restaged } from '../domain/lifecycle'
import { LAPSE_BATCH, RESCORE_WRITE_ATTEMPTS, RESTAGE_PAGE } from '../limits'
import type { LeadTransition } from '../domain/flows/triggers'
import type { JobQueue } from '../queue/jobs'
import { startFlowsOrDefer } from './flows/start'
import { toFlowLead } from './flows/run-steps'
import { rescoreLeads } from './rescore'

/** Replays the leads whose points lapsed: their score drops and the entries are marked lapsed. */
export async function lapseExpiredPoints(db: Db, jobs: JobQueue, now: number): Promise<void> {
  for (const [siteId, leadIds] of await leadsWithLapsedPoints(db, now, LAPSE_BATCH)) {
    const site = await findSite(db, siteId)
    if (site) await rescoreLeads(db, jobs, site, leadIds, now)
  }
}

/** Re-stages every site's customers. */
export async function restageAllCustomers(db: Db, jobs: JobQueue, now: number): Promise<void> {
  for (const site of await listSites(db)) await restageCustomers(db, jobs, site, now)
}

/**
 * Pages through the site's customers, writing only those whose stage or RFM moved. A customer whose stage
 * moved starts the flows waiting for that stage (e.g. "at risk"), once per enrollment key. A page commits only
 * if the customers it rewrites are unchanged since it was read (one who just bought again is not set back to
 * "at risk" from the state before her purchase): it is read again.
 */
export async function restageCustomers(db: Db, jobs: JobQueue, site: SiteRow, now: number, pageSize = RESTAGE_PAGE): Promise<{ changed: number }> {
  let after = ''
  let changed = 0
  for (;;) {
    const { page, moved } = await restagePage(db, site, after, pageSize, now)
    if (page.length === 0) break
    after = page[page.length - 1]!.id
    changed += moved.length
    await startFlowsOrDefer(db, jobs, site, moved, now)
    if (page.length < pageSize) break
  }
  return { changed }
}

const restagePage = (db: Db, site: SiteRow, after: string, pageSize: number, now: number): Promise<{ page: LeadRow[]; moved: LeadTransition[] }> =>
  retryOnWriteConflict(RESCORE_WRITE_ATTEMPTS, async () => {
    const page = await customerPage(db, site.id, after, pageSize)
    const moved: LeadTransition[] = []
    const versions = new Map<string, number>()
    const statements = page.flatMap((lead) => {
      const next = restaged(lead, site.scoring, now)
      if (!next) return []
      versions.set(lead.id, lead.version)
      if (next.stage !== lead.stage) {
        moved.push({ before: { score: lead.score, stage: lead.stage }, after: { ...toFlowLead(lead), stage: next.stage }, events: [] })
      }
      return restageStatements(db, lead, next, now)
    })
    if (statements.length > 0) await db.batch([leadsUnchanged(db, versions), ...statements])
    return { page, moved }
  })

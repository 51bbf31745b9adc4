// The cron trigger: hourly, lapse expired score points; daily, re-stage customers by inactivity and RFM;
// both enqueue a metrics roll-up job per site (daily: every lead, then retention pruning).
import { openDb } from '../db/client'
import { lapsePoints, leadsWithLapsedPoints, restageCustomers } from '../db/lifecycle-jobs'
import { chunk } from '../db/binding'
import type { Job } from './jobs'
import { findSite, listSites } from '../db/sites'

export const HOURLY = '0 * * * *'
export const DAILY = '30 3 * * *'
/** Leads re-totalled per hourly run; a backlog drains over the next runs. */
const LAPSE_BATCH = 500

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const db = openDb(env.DB)
  const now = controller.scheduledTime
  if (controller.cron === DAILY) {
    for (const site of await listSites(db)) await restageCustomers(db, site, now)
    await enqueueRollups(env, true)
    return
  }
  for (const [siteId, leadIds] of await leadsWithLapsedPoints(db, now, LAPSE_BATCH)) {
    const site = await findSite(db, siteId)
    if (site) await lapsePoints(db, site, leadIds, now)
  }
  await enqueueRollups(env, false)
}

/** One metrics roll-up job per site: the queue spreads the work and retries a failed site alone. */
async function enqueueRollups(env: Env, daily: boolean) {
  const sites = await listSites(openDb(env.DB))
  for (const part of chunk(sites, 100)) await (env.JOBS as Queue<Job>).sendBatch(part.map((site) => ({ body: { kind: 'rollup', siteId: site.id, daily } })))
}

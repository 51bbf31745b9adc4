// The cron trigger: hourly, lapse expired score points and enroll inactive leads in flows; daily, re-stage
// customers by inactivity and RFM; every 10 minutes, the flow sweep.
import { openDb } from '../db/client'
import { lapsePoints, leadsWithLapsedPoints, restageCustomers } from '../db/lifecycle-jobs'
import { findSite, listSites } from '../db/sites'
import { enrollInactiveLeads, sweepFlows } from '../flows/sweep'
import type { FlowJob } from './flow-jobs'

export const HOURLY = '0 * * * *'
export const DAILY = '30 3 * * *'
/** Every 10 minutes: flow waits and held messages within the 12-hour queue horizon, lost flow jobs. */
export const FLOW_SWEEP = '*/10 * * * *'
/** Leads re-totalled per hourly run; a backlog drains over the next runs. */
const LAPSE_BATCH = 500

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const db = openDb(env.DB)
  const now = controller.scheduledTime
  const jobs = env.JOBS as Queue<FlowJob>
  if (controller.cron === FLOW_SWEEP) {
    await sweepFlows(db, jobs, now)
    return
  }
  if (controller.cron === DAILY) {
    for (const site of await listSites(db)) await restageCustomers(db, site, now)
    return
  }
  await enrollInactiveLeads(db, jobs, now)
  for (const [siteId, leadIds] of await leadsWithLapsedPoints(db, now, LAPSE_BATCH)) {
    const site = await findSite(db, siteId)
    if (site) await lapsePoints(db, site, leadIds, now)
  }
}

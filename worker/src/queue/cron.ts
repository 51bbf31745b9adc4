// The cron trigger: hourly, lapse expired score points; daily, re-stage customers by inactivity and RFM.
import { openDb } from '../db/client'
import { lapsePoints, leadsWithLapsedPoints, restageCustomers } from '../db/lifecycle-jobs'
import { rollUpSites } from '../db/metrics-rollup'
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
    await rollUpSites(db, now, { daily: true })
    return
  }
  for (const [siteId, leadIds] of await leadsWithLapsedPoints(db, now, LAPSE_BATCH)) {
    const site = await findSite(db, siteId)
    if (site) await lapsePoints(db, site, leadIds, now)
  }
  await rollUpSites(db, now, { daily: false })
}

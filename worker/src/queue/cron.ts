// The cron trigger: a table from each cron expression of wrangler.toml to the tasks it runs, in order.
import { openDb, type Db } from '../db/client'
import { lapseExpiredPoints, restageAllCustomers } from '../services/lifecycle-jobs'
import { enrollInactiveLeads, sweepFlows } from '../services/flows/sweep'
import { chunk } from '../db/binding'
import { listSites } from '../db/sites'
import type { JobQueue } from './jobs'

export const HOURLY = '0 * * * *'
export const DAILY = '30 3 * * *'
export const FLOW_SWEEP = '*/10 * * * *'

type CronTask = (db: Db, now: number, env: Env) => Promise<unknown>

export const cronTasks: Record<string, CronTask[]> = {
  // Lapse expired score points; enqueue a metrics roll-up job per site; enroll leads gone quiet
  // in inactivity flows.
  [HOURLY]: [(db, now, env) => lapseExpiredPoints(db, env.JOBS, now), (db, _now, env) => enqueueRollups(db, env.JOBS, false), (db, now, env) => enrollInactiveLeads(db, env.JOBS, now)],
  // Re-stage customers by inactivity and RFM; the daily roll-up re-checks every lead, then prunes raw events past retention.
  [DAILY]: [(db, now, env) => restageAllCustomers(db, env.JOBS, now), (db, _now, env) => enqueueRollups(db, env.JOBS, true)],
  // Flow waits and held messages entering the 12 h queue horizon; runs and deliveries whose job was lost.
  [FLOW_SWEEP]: [(db, now, env) => sweepFlows(db, env.JOBS, now)],
}

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const tasks = cronTasks[controller.cron]
  if (!tasks) throw new Error(`no tasks for cron "${controller.cron}": add it to cronTasks`)
  const db = openDb(env.DB)
  for (const task of tasks) await task(db, controller.scheduledTime, env)
}

/** One metrics roll-up job per site: the queue spreads the work and retries a failed site alone. */
async function enqueueRollups(db: Db, jobs: JobQueue, daily: boolean): Promise<void> {
  const sites = await listSites(db)
  for (const part of chunk(sites, 100)) await jobs.sendBatch(part.map((site) => ({ body: { kind: 'rollup' as const, siteId: site.id, daily } })))
}

// The cron trigger: a table from each cron expression of wrangler.toml to the tasks it runs, in order.
import { openDb, type Db } from '../db/client'
import { lapseExpiredPoints, restageAllCustomers } from '../services/lifecycle-jobs'
import { enrollInactiveLeads, sweepFlows } from '../services/flows/sweep'
import { rollUpSites } from '../db/metrics-rollup'

export const HOURLY = '0 * * * *'
export const DAILY = '30 3 * * *'
export const FLOW_SWEEP = '*/10 * * * *'

type CronTask = (db: Db, now: number, env: Env) => Promise<unknown>

export const cronTasks: Record<string, CronTask[]> = {
  // Lapse expired score points; roll up new events into the metrics' daily tables; enroll leads gone quiet
  // in inactivity flows.
  [HOURLY]: [lapseExpiredPoints, (db, now) => rollUpSites(db, now, { daily: false }), (db, now, env) => enrollInactiveLeads(db, env.JOBS, now)],
  // Re-stage customers by inactivity and RFM; the daily roll-up also prunes raw events past retention.
  [DAILY]: [restageAllCustomers, (db, now) => rollUpSites(db, now, { daily: true })],
  // Flow waits and held messages entering the 12 h queue horizon; runs and deliveries whose job was lost.
  [FLOW_SWEEP]: [(db, now, env) => sweepFlows(db, env.JOBS, now)],
}

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const tasks = cronTasks[controller.cron]
  if (!tasks) throw new Error(`no tasks for cron "${controller.cron}": add it to cronTasks`)
  const db = openDb(env.DB)
  for (const task of tasks) await task(db, controller.scheduledTime, env)
}

// The job registry: one handler per job kind. Registering a kind is its payload type in jobs.ts and one
// line here (the map's type makes a missing handler a compile error). Retry policy: see consumer.ts.
import type { Db } from '../db/client'
import { recordExposureBatch } from '../db/experiences'
import { rollUpSiteJob } from '../services/metrics-rollup'
import { findSite } from '../db/sites'
import { storeEvents } from '../services/ingest'
import { planRescore, rescorePage } from '../services/rescore'
import type { Job, JobQueue } from './jobs'
import { deliverMessage } from '../services/flows/deliver'
import { runFlowSteps } from '../services/flows/run-steps'
import { startFlows, startFlowsOrDefer } from '../services/flows/start'

/** Thrown by a handler that wants its message retried after a specific delay (not the default backoff). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delaySeconds: number,
  ) {
    super(message)
  }
}

export type JobContext = { db: Db; jobs: JobQueue; now: number; env: Env }

/** Runs one message's job; each succeeds or is retried on its own. */
type EachHandler<J> = { each: (job: J, ctx: JobContext) => Promise<void> }
/** Runs all of a batch's jobs of this kind together (one D1 transaction): they succeed or retry together. */
type BatchHandler<J> = { all: (jobs: J[], ctx: JobContext) => Promise<void> }
export type JobHandler<J> = EachHandler<J> | BatchHandler<J>

type Registry = { [K in Job['kind']]: JobHandler<Extract<Job, { kind: K }>> }

export const jobHandlers: Registry = {
  ingest: {
    each: async (job, { db, jobs }) => {
      const site = await findSite(db, job.siteId)
      if (!site) return
      const stored = await storeEvents(db, site, job.events, job.receivedAt)
      // A retry of this job would find the events stored and no transitions left: a failed start is deferred.
      await startFlowsOrDefer(db, jobs, site, stored.transitions, Date.now())
    },
  },
  'start-flows': {
    each: async (job, { db, jobs }) => {
      const site = await findSite(db, job.siteId)
      if (site) await startFlows(db, jobs, site, job.transitions, job.at)
    },
  },
  'rescore-plan': { each: (job, { db, jobs }) => planRescore(db, jobs, job) },
  rescore: { each: (job, { db, jobs, now }) => rescorePage(db, jobs, job, now) },
  // Inserts are idempotent (first exposure wins), so a whole batch retries safely.
  exposures: { all: (jobs, { db }) => recordExposureBatch(db, jobs.flatMap((job) => ('entries' in job ? job.entries : [job]))) },
  // One site's metric roll-ups (a lease keeps two runs of a site apart).
  rollup: { each: (job, { db }) => rollUpSiteJob(db, job.siteId, Date.now(), job.daily) },
  // Exactly once per (run, step): see flows/run-steps.ts.
  'flow-step': { each: (job, { db, env }) => runFlowSteps(db, env, job, Date.now) },
  // Held messages are re-enqueued with their delay (not retried); a retry is a transient failure.
  deliver: {
    each: async (job, { db, env }) => {
      const outcome = await deliverMessage(db, env, job, { now: Date.now })
      if ('retry' in outcome) throw new RetryLater(`deliver ${job.messageId}: retry in ${outcome.retry} s`, outcome.retry)
    },
  },
}

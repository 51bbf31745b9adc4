// The JOBS queue consumer: acks or retries each message on its own (exposures are written together).
import { openDb } from '../db/client'
import { recordExposureBatch } from '../db/experiences'
import { storeEvents } from '../db/ingest'
import { rollUpSiteJob } from '../db/metrics-rollup'
import { findSite } from '../db/sites'
import type { ExposureJob, Job } from './jobs'
import { planRescore, rescorePage } from './rescore'

export async function consumeJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  const db = openDb(env.DB)
  // Exposures: one D1 transaction for the whole batch (inserts are idempotent: first exposure wins).
  const exposureMessages = batch.messages.filter((m) => m.body.kind === 'exposures') as Message<ExposureJob>[]
  if (exposureMessages.length > 0) {
    try {
      await recordExposureBatch(db, exposureMessages.map((m) => m.body))
      for (const message of exposureMessages) message.ack()
    } catch (error) {
      console.error('exposure batch failed, will retry', error)
      for (const message of exposureMessages) message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) })
    }
  }
  for (const message of batch.messages) {
    const job = message.body
    if (job.kind === 'exposures') continue
    try {
      switch (job.kind) {
        case 'ingest': {
          const site = await findSite(db, job.siteId)
          if (site) await storeEvents(db, site, job.events, job.receivedAt)
          break
        }
        case 'rescore-plan':
          await planRescore(db, env.JOBS as Queue<Job>, job)
          break
        case 'rescore':
          await rescorePage(db, job, Date.now())
          break
        case 'rollup':
          await rollUpSiteJob(db, job.siteId, Date.now(), job.daily)
          break
      }
      message.ack()
    } catch (error) {
      console.error('job failed, will retry', error)
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) })
    }
  }
}

// The JOBS queue consumer: acks or retries each message on its own.
import { openDb } from '../db/client'
import { storeEvents } from '../db/ingest'
import { findSite } from '../db/sites'
import type { Job } from './jobs'
import { rescorePage } from './rescore'

export async function consumeJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  const db = openDb(env.DB)
  for (const message of batch.messages) {
    try {
      const job = message.body
      switch (job.kind) {
        case 'ingest': {
          const site = await findSite(db, job.siteId)
          if (site) await storeEvents(db, site, job.events, job.receivedAt)
          break
        }
        case 'rescore':
          await rescorePage(db, env.JOBS as Queue<Job>, job, Date.now())
          break
      }
      message.ack()
    } catch (error) {
      console.error('job failed, will retry', error)
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) })
    }
  }
}

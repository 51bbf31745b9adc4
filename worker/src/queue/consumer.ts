// The JOBS queue consumer: acks or retries each message on its own.
import { openDb } from '../db/client'
import { storeEvents } from '../db/ingest'
import type { Job } from './jobs'

export async function consumeJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  const db = openDb(env.DB)
  for (const message of batch.messages) {
    try {
      const job = message.body
      switch (job.kind) {
        case 'ingest':
          await storeEvents(db, job.siteId, job.events, job.receivedAt)
          break
        default:
          console.error('unknown job kind', job)
      }
      message.ack()
    } catch (error) {
      console.error('job failed, will retry', error)
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) })
    }
  }
}

// Jobs that exhausted their retries land on the dead-letter queue; its consumer keeps them in D1 so the
// operator sees them (GET /api/sites/:id/dead-letters) instead of losing them after the queue's retention.
import type { Db } from '../../db/client'
import { insertDeadLetters } from '../../db/messages'
import type { Job } from '../../queue/jobs'

export const DEAD_LETTER_QUEUE = 'cairn-jobs-dlq'

export async function keepDeadLetters(db: Db, batch: MessageBatch<Job>): Promise<void> {
  try {
    await insertDeadLetters(
      db,
      batch.messages.map((m) => ({
        id: m.id,
        siteId: (m.body as { siteId?: string }).siteId ?? null,
        kind: (m.body as { kind?: string }).kind ?? 'unknown',
        body: m.body,
        attempts: m.attempts,
        at: m.timestamp.getTime(),
      })),
    )
    batch.ackAll()
  } catch (error) {
    console.error('dead letters not stored, will retry', error)
    batch.retryAll({ delaySeconds: 60 })
  }
}

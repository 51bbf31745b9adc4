// The JOBS queue consumer: each message's job runs through its kind's handler (handlers.ts) and is acked
// or retried on its own; kinds registered as batch handlers are run, and acked or retried, together.
import { openDb } from '../db/client'
import { MAX_JOB_RETRIES } from '../limits'
import { DEAD_LETTER_QUEUE, keepDeadLetters } from '../services/flows/dead-letters'
import { jobHandlers, RetryLater, type JobContext, type JobHandler } from './handlers'
import type { Job } from './jobs'

/** Exponential backoff, capped at a minute; after MAX_JOB_RETRIES the queue moves the message to the dead-letter queue. */
export const retryDelaySeconds = (attempts: number) => Math.min(60, 2 ** attempts)

function retry(message: Message<Job>, error: unknown): void {
  if (error instanceof RetryLater) return message.retry({ delaySeconds: error.delaySeconds })
  const last = message.attempts > MAX_JOB_RETRIES
  console.error(`${message.body.kind} job failed${last ? ', going to the dead-letter queue' : ', will retry'}`, error)
  message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
}

const handlerOf = (kind: Job['kind']) => jobHandlers[kind] as JobHandler<Job>

export async function consumeJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  // Jobs that exhausted their retries: kept in D1 for the operator.
  if (batch.queue === DEAD_LETTER_QUEUE) return keepDeadLetters(openDb(env.DB), batch)
  const ctx: JobContext = { db: openDb(env.DB), jobs: env.JOBS, now: Date.now(), env }
  const grouped = new Map<Job['kind'], Message<Job>[]>()
  for (const message of batch.messages) {
    const handler = handlerOf(message.body.kind)
    if ('all' in handler) grouped.set(message.body.kind, [...(grouped.get(message.body.kind) ?? []), message])
  }
  for (const [kind, messages] of grouped) {
    const handler = handlerOf(kind)
    if (!('all' in handler)) continue
    try {
      await handler.all(messages.map((m) => m.body), ctx)
      for (const message of messages) message.ack()
    } catch (error) {
      for (const message of messages) retry(message, error)
    }
  }
  for (const message of batch.messages) {
    const handler = handlerOf(message.body.kind)
    if (!('each' in handler)) continue
    try {
      await handler.each(message.body, { ...ctx, now: Date.now() })
      message.ack()
    } catch (error) {
      retry(message, error)
    }
  }
}

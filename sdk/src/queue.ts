// The retry queue, kept pure: bounding, merging between tabs, retry policy.
import type { QueueItem } from './types.js'

export const QUEUE_MAX = 250
export const ATTEMPTS_MAX = 8
export const BATCH_MAX = 20

/** Reads a persisted queue; anything unreadable counts as empty so a bad value never blocks sending. */
export function parseQueue(json: string | null | undefined): QueueItem[] {
  try {
    // Not an array: .filter throws, and the catch answers empty.
    return (JSON.parse(json || '[]') as QueueItem[]).filter((item) => item?.e?.id)
  } catch {
    return []
  }
}

/** Appends the items not already queued (another tab may have written them) and drops the oldest. */
export function append(queue: QueueItem[], items: QueueItem[], max = QUEUE_MAX): QueueItem[] {
  const ids = idsOf(queue)
  return queue.concat(items.filter((item) => !ids.includes(item.e.id))).slice(-max)
}

export function without(queue: QueueItem[], ids: string[]): QueueItem[] {
  return queue.filter((item) => !ids.includes(item.e.id))
}

/** Counts a failed attempt for the given events and drops those that used up their attempts. */
export function failed(queue: QueueItem[], ids: string[], max = ATTEMPTS_MAX): QueueItem[] {
  return queue.filter((item) => !ids.includes(item.e.id) || ++item.n < max)
}

export const idsOf = (queue: QueueItem[]): string[] => queue.map((item) => item.e.id)

/** Network errors (0), timeouts, rate limits and server errors are worth another try; the rest is final. */
export const retryable = (status: number): boolean => !status || status == 408 || status == 429 || status >= 500

/** Full jitter: a random delay up to min(30 s, 1 s · 2^attempt). */
export const backoff = (attempt: number, random = Math.random): number =>
  random() * Math.min(30000, 1000 * 2 ** attempt)

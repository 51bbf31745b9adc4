// First exposures leave an isolate in shared queue messages: the first one decided opens a batch that
// closes EXPOSURE_LINGER_MS later (or at MAX_EXPOSURES_PER_MESSAGE), so a busy isolate sends one message
// for many visitors instead of one per page view. Measured in the edge bench: a queue message per page cost
// more than the rest of a matching request's own work. The opening request keeps the batch alive
// (waitUntil), so nothing waits on a request that has ended; a failed send is not remembered, and the
// visitor's next page sends her exposure again (inserts never overwrite).
import { EXPOSURE_LINGER_MS, MAX_EXPOSURES_PER_MESSAGE } from '../limits'
import type { Exposure, JobQueue } from '../queue/jobs'
import { sentExposures } from './sent-exposures'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export class ExposureOutbox {
  private pending: Exposure[] = []

  constructor(
    private readonly lingerMs = EXPOSURE_LINGER_MS,
    private readonly perMessage = MAX_EXPOSURES_PER_MESSAGE,
  ) {}

  /** Queues `exposure`; `defer` (the request's waitUntil) is given the send when this request opens or fills a batch. */
  add(jobs: JobQueue, exposure: Exposure, defer: (work: Promise<unknown>) => void): void {
    this.pending.push(exposure)
    if (this.pending.length >= this.perMessage) defer(this.flush(jobs))
    else if (this.pending.length === 1) defer(sleep(this.lingerMs).then(() => this.flush(jobs)))
  }

  /** Sends what is pending as one message; remembered per visitor only once the queue accepted it. */
  async flush(jobs: JobQueue): Promise<void> {
    const entries = this.pending
    if (entries.length === 0) return
    this.pending = []
    try {
      await jobs.send({ kind: 'exposures', entries })
    } catch (error) {
      console.error(`exposure enqueue failed for ${entries.length} visitor(s); each is sent again on her next page`, error)
      return
    }
    for (const e of entries) sentExposures.remember(e.siteId, e.anonymousId, e.decided)
  }
}

/** One per isolate, like the site configuration cache. */
export const exposureOutbox = new ExposureOutbox()

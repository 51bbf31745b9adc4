// First exposures this isolate has already handed to the queue, so a visitor's later pages that decide the
// same variant send nothing (the row keeps her first variant and time either way: inserts never overwrite).
// Remembered only after the queue accepted the job: a failed send is tried again on her next page.
import { MAX_REMEMBERED_EXPOSURES } from '../limits'

type Decided = { id: string; variant: string }

export class SentExposures {
  private readonly keys = new Set<string>()

  constructor(private readonly capacity = MAX_REMEMBERED_EXPOSURES) {}

  /** The decided experiences not yet sent for this visitor from this isolate. */
  unsent(siteId: string, visitorId: string, decided: readonly Decided[]): Decided[] {
    return decided.filter((d) => !this.keys.has(key(siteId, visitorId, d)))
  }

  remember(siteId: string, visitorId: string, sent: readonly Decided[]): void {
    for (const d of sent) {
      const k = key(siteId, visitorId, d)
      this.keys.delete(k) // re-inserted last: the oldest entries go first
      this.keys.add(k)
      if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!)
    }
  }
}

const key = (siteId: string, visitorId: string, d: Decided) => `${siteId}\u0000${visitorId}\u0000${d.id}\u0000${d.variant}`

/** One per isolate, like the site configuration cache. */
export const sentExposures = new SentExposures()

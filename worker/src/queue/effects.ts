// Effect records: the documented place for side effects that leave Cairn (an email sent, a webhook
// called) and must happen exactly once although queue messages are delivered at least once.
//
// How a job kind uses it (e.g. `flow-step`): derive the effect's idempotency key from what makes it
// unique (`effectKey('email', flowId, stepId, leadId)`), claim the key in D1 in the same transaction as
// the job's other writes (an insert that does nothing when the key exists), and perform the effect only
// when the claim inserted a row; record the provider's answer against the key afterwards. A redelivered
// message then finds its key claimed and skips the effect. The table for the records comes with the job
// kinds that need it (a migration of their own); this module holds the shared key and record shapes.

/** One external side effect, keyed so that a retried job never repeats it. */
export type EffectRecord = {
  /** Idempotency key: the same logical effect always yields the same key. */
  key: string
  /** What the effect is, e.g. `email`, `webhook`. */
  kind: string
  siteId: string
  /** When the key was claimed (ms since epoch). */
  claimedAt: number
  /** Set once the effect was performed; null while in flight (a crash between claim and send). */
  doneAt: number | null
}

/** The idempotency key of an effect: its kind and the ids that make it unique, in a fixed order. */
export const effectKey = (kind: string, ...ids: readonly string[]): string => [kind, ...ids].map(encodeURIComponent).join(':')

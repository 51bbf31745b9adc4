// Flow jobs on the JOBS queue. Both are safe to deliver twice: a step runs once per (enrollment, step)
// key, a message is sent once per claim.
import type { EnrollmentKey } from '../db/enrollments'

/** Run the enrollment's step at `step` (and the instant steps after it, up to the next wait). */
export type FlowStepJob = { kind: 'flow-step'; siteId: string; step: string } & EnrollmentKey

/** Deliver one outbox message (email, in-app, webhook) under the suppression list and the policy. */
export type DeliverJob = { kind: 'deliver'; siteId: string; messageId: string }

export type FlowJob = FlowStepJob | DeliverJob

// Jobs carried by the JOBS queue. Each consumer step is idempotent: a redelivered message changes nothing.
import type { NormalizedEvent } from '../domain/events'
import type { LeadTransition } from '../domain/flows/triggers'
import type { FlowJob } from './flow-jobs'

/** Events accepted by POST /v1/events in queue-buffered ingest mode, written to D1 by the consumer. */
export type IngestJob = { kind: 'ingest'; siteId: string; receivedAt: number; events: NormalizedEvent[] }

/** Plans a site-wide re-score: reads the next slice of lead ids and fans its pages out at once. */
export type RescorePlanJob = { kind: 'rescore-plan'; siteId: string; rulesVersion: number; after: string }

/** One page of leads to re-score (dropped if the rules changed again since). */
export type RescoreJob = { kind: 'rescore'; siteId: string; rulesVersion: number; leadIds: string[] }

/** A visitor's first exposures decided by personalize/edge/variants. */
export type Exposure = { siteId: string; anonymousId: string; mode: 'client' | 'edge' | 'api'; at: number; decided: Array<{ id: string; variant: string }> }

/**
 * First exposures, written by the consumer in batches: one message carries an isolate's visitors of the
 * last moment (`entries`); a message of one visitor (the fields of `Exposure`) is still read.
 */
export type ExposureJob = { kind: 'exposures' } & ({ entries: Exposure[] } | Exposure)

/** Brings one site's metric roll-ups up to date (daily: every lead, then prune raw events past retention). */
export type RollupJob = { kind: 'rollup'; siteId: string; daily: boolean }

/**
 * Flow starts of leads whose events (or score, or stage) were already committed when starting their flows
 * failed: started from the queue instead (each enrollment key once, so a repeat enrolls nobody twice).
 */
export type StartFlowsJob = { kind: 'start-flows'; siteId: string; at: number; transitions: LeadTransition[] }

export type Job = IngestJob | RescorePlanJob | RescoreJob | ExposureJob | FlowJob | RollupJob | StartFlowsJob

/** The JOBS queue's producer binding, typed by what it carries (see env.d.ts). */
export type JobQueue = Queue<Job>

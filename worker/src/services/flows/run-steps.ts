// Runs an enrollment's steps: each step's effect (lead update, outbox message, wait) and the cursor move
// are one D1 transaction guarded by the (enrollment, step) key, so a redelivered or duplicated step job
// changes nothing. Instant steps run back to back; a wait ends the job (queue delay ≤ 12 h, else the cron).
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { findEnrollment, type EnrollmentKey } from '../../db/enrollments'
import { findFlow } from '../../db/flows'
import { randomId } from '../../db/ids'
import { leads, type LeadRow, type SiteRow } from '../../db/schema'
import { findSite } from '../../db/sites'
import { scoringConfigOf, stagesAtLeast } from '../../domain/lifecycle'
import { FLOW_RULE_PREFIX } from '../../domain/scoring'
import { messageToken, unsubscribeToken } from '../../domain/email/signing'
import { renderEmail, SCANNER_LINK } from '../../domain/email/render'
import type { FlowLead } from '../../domain/flows/conditions'
import { firstTimeZone } from '../../domain/time-zone'
import { renderInApp, renderWebhook, type MessageContent } from '../../domain/flows/messages'
import { MAX_QUEUE_DELAY_SECONDS, waitUntil } from '../../domain/flows/schedule'
import { planStep, type StepPlan } from '../../domain/flows/steps'
import type { FlowStepJob, FlowJob } from '../../queue/flow-jobs'
import { deliverMessage } from './deliver'
import { rescoreLeads } from '../rescore'
import { startFlowsOrDefer } from './start'
import { flowEnv, isProduction, publicUrl, siteEmailSettings, type FlowEnv } from './settings'

/** Steps one job may run back to back before handing on (a flow of only instant steps still ends). */
const MAX_STEPS_PER_JOB = 25
const HOUR = 3_600_000
const DEFAULT_EXPIRY_HOURS = { email: 72, in_app: 168, webhook: 24 } as const
export const DEV_UNSUBSCRIBE_SECRET = 'dev-unsubscribe-secret'

export const toFlowLead = (row: LeadRow): FlowLead => ({
  id: row.id,
  email: row.email,
  userId: row.userId,
  stage: row.stage,
  score: row.score,
  fitScore: row.fitScore,
  engagementScore: row.engagementScore,
  sessions: row.sessions,
  eventCount: row.eventCount,
  purchases: row.purchases,
  revenue: row.revenue,
  lastSeen: row.lastSeen,
  traits: row.traits,
  timeZone: row.timeZone,
})

/** A message's id: a hash of (enrollment, step), the same for every run of that step. */
export async function messageIdOf(key: EnrollmentKey, step: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${key.flowId}|${key.leadId}|${key.number}|${step}`))
  return 'msg_' + [...new Uint8Array(digest).slice(0, 15)].map((b) => b.toString(36).padStart(2, '0')).join('')
}

export function unsubscribeSecret(env: FlowEnv): string | null {
  return env.UNSUBSCRIBE_SECRET || (isProduction(env) ? null : DEV_UNSUBSCRIBE_SECRET)
}

type Rendered = { channel: 'email' | 'in_app' | 'webhook'; to: string | null; subject: string | null; content: MessageContent; status: 'queued' | 'failed'; reason: string | null }

async function renderMessage(plan: StepPlan & { kind: 'message' }, id: string, lead: LeadRow, site: SiteRow, env: FlowEnv): Promise<Rendered> {
  const scope = { lead: { ...lead, traits: lead.traits }, site: { name: site.name } }
  if (plan.step.type === 'in_app') {
    // Shown on a page: traits only (no email, no score), whatever tokens the marketer wrote.
    const { email: _email, ...traits } = lead.traits
    const content = renderInApp(plan.step, { lead: { traits } })
    return { channel: 'in_app', to: null, subject: null, content, status: 'queued', reason: null }
  }
  if (plan.step.type === 'webhook') {
    const content = renderWebhook(plan.step, scope)
    return { channel: 'webhook', to: content.url, subject: null, content, status: 'queued', reason: null }
  }
  const settings = siteEmailSettings(site, env)
  const empty: MessageContent = { channel: 'email', from: settings.from, headers: {}, html: '', text: '' }
  if (!lead.email) return { channel: 'email', to: null, subject: null, content: empty, status: 'failed', reason: 'no_email: the lead has no email address' }
  const secret = unsubscribeSecret(env)
  if (!secret) return { channel: 'email', to: lead.email, subject: null, content: empty, status: 'failed', reason: 'unsubscribe_secret_missing: set the UNSUBSCRIBE_SECRET secret' }
  const rendered = renderEmail({
    step: plan.step,
    variant: plan.variant,
    scope,
    site: settings,
    to: lead.email,
    messageId: id,
    unsubscribeUrl: `${publicUrl(env)}/u/${await unsubscribeToken(id, secret)}`,
    production: isProduction(env),
    tracking: await trackingOf(settings.tracking, id, secret, env),
  })
  if (!rendered.ok) return { channel: 'email', to: lead.email, subject: null, content: empty, status: 'failed', reason: rendered.reason }
  return { channel: 'email', to: lead.email, subject: rendered.subject, content: rendered.content, status: 'queued', reason: null }
}

/** The open pixel and click redirect URLs of a message, when the site turned them on (never by default). */
async function trackingOf(on: { opens: boolean; clicks: boolean; filterScanners: boolean }, id: string, secret: string, env: FlowEnv) {
  const base = publicUrl(env)
  const clickToken = on.clicks ? await messageToken('click', id, secret) : null
  return {
    openUrl: on.opens ? `${base}/o/${await messageToken('open', id, secret)}` : null,
    clickUrl: clickToken ? (index: number) => `${base}/c/${clickToken}/${index}` : null,
    scannerUrl: clickToken && on.filterScanners ? `${base}/c/${clickToken}/${SCANNER_LINK}` : null,
  }
}

const GUARD = 'exists (select 1 from flow_effects where flow_id = ? and lead_id = ? and number = ? and step = ? and token = ?)'

/** Runs the job's step and the instant steps after it. */
export async function runFlowSteps(db: Db, rawEnv: Env, job: FlowStepJob, now: () => number): Promise<void> {
  const env = flowEnv(rawEnv)
  const jobs = env.JOBS as Queue<FlowJob>
  const key: EnrollmentKey = { flowId: job.flowId, leadId: job.leadId, number: job.number }
  let step = job.step
  for (let ran = 0; ran < MAX_STEPS_PER_JOB; ran++) {
    const at = now()
    const enrollment = await findEnrollment(db, key)
    if (!enrollment || enrollment.status !== 'active' || enrollment.cursor !== step) return // done, exited, or already past
    if (enrollment.nextAt !== null && enrollment.nextAt > at + 1000) {
      const delay = Math.ceil((enrollment.nextAt - at) / 1000)
      if (delay <= MAX_QUEUE_DELAY_SECONDS) await jobs.send({ ...job, step }, { delaySeconds: delay })
      return // woken early (the cron releases long waits ahead of time)
    }
    const [flow, site, lead] = await Promise.all([
      findFlow(db, job.siteId, key.flowId),
      findSite(db, job.siteId),
      db.select().from(leads).where(eq(leads.id, key.leadId)).get(),
    ])
    const plan: StepPlan = flow && site && lead ? planStep(flow.definition.steps, step, toFlowLead(lead)) : { kind: 'missing' }
    const token = randomId('t_', 16)
    const d1 = db.$client
    const guardArgs = [key.flowId, key.leadId, key.number, step, token]
    const statements: D1PreparedStatement[] = [
      d1
        .prepare('insert into flow_effects (flow_id, lead_id, number, step, kind, token, at) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning token')
        .bind(key.flowId, key.leadId, key.number, step, plan.kind, token, at),
    ]
    let next = plan.kind === 'missing' ? null : plan.next
    let nextAt = at
    let message: { id: string; status: string } | null = null
    let stageChange = -1 // index of the statement recording a stage change (a stage-entered trigger)

    if (plan.kind === 'wait') {
      // Her zone as the SDK last reported it (she may have travelled since enrolling), else the run's.
      nextAt = waitUntil(plan.step, at, firstTimeZone(lead?.timeZone, enrollment.timeZone))
    } else if (plan.kind === 'update' && lead) {
      const { stage, tag, points } = plan.step
      if (stage) {
        // The stage becomes a floor scoring keeps (stage_floor); one statement each reads and writes the
        // row, and the version bump makes an ingest that read her before this step compute again.
        const kept = JSON.stringify(stagesAtLeast(stage, scoringConfigOf(site?.scoring).preset))
        stageChange = statements.length
        statements.push(
          d1
            .prepare(
              `insert into lead_changes (site_id, lead_id, kind, "from", "to", at) select ?, id, 'stage', stage, ?, ? from leads
               where id = ? and stage not in (select value from json_each(?)) and ${GUARD}`,
            )
            .bind(job.siteId, stage, at, key.leadId, kept, ...guardArgs),
          d1
            .prepare(
              `update leads set stage_changed_at = case when stage in (select value from json_each(?1)) then stage_changed_at else ?2 end,
               stage = case when stage in (select value from json_each(?1)) then stage else ?3 end, stage_floor = ?3, version = version + 1
               where id = ?4 and exists (select 1 from flow_effects where flow_id = ?5 and lead_id = ?6 and number = ?7 and step = ?8 and token = ?9)`,
            )
            .bind(kept, at, stage, key.leadId, ...guardArgs),
        )
      }
      if (tag) {
        // One statement reads and writes the tag list: a concurrent ingest cannot interleave.
        statements.push(
          d1
            .prepare(
              `update leads set traits = json_set(traits, '$.tags', json((select json_group_array(value) from (select value from json_each(leads.traits, '$.tags') union select ?)))), version = version + 1 where id = ? and ${GUARD}`,
            )
            .bind(tag, key.leadId, ...guardArgs),
        )
      }
      if (points) {
        statements.push(
          d1
            .prepare(`insert into score_entries (site_id, lead_id, rule_id, key, kind, points, at, lapsed) select ?, ?, ?, ?, 'engagement', ?, ?, 0 where ${GUARD} on conflict do nothing`)
            .bind(job.siteId, key.leadId, `${FLOW_RULE_PREFIX}${key.flowId}`, `${key.number}:${step}`, points, at, ...guardArgs),
          d1
            .prepare(`update leads set score = score + ?, engagement_score = engagement_score + ?, version = version + 1 where id = ? and ${GUARD}`)
            .bind(points, points, key.leadId, ...guardArgs),
        )
      }
    } else if (plan.kind === 'message' && lead && site) {
      const id = await messageIdOf(key, step)
      const rendered = await renderMessage(plan, id, lead, site, env)
      const expiresAt = at + (plan.step.type === 'webhook' ? DEFAULT_EXPIRY_HOURS.webhook : (plan.step.expiresHours ?? DEFAULT_EXPIRY_HOURS[rendered.channel])) * HOUR
      statements.push(
        d1
          .prepare(
            `insert into messages (id, site_id, lead_id, flow_id, enrollment, step, channel, status, "to", subject, content, variant, reason, due_at, expires_at, created_at)
             select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? where ${GUARD} on conflict do nothing`,
          )
          .bind(id, job.siteId, key.leadId, key.flowId, key.number, step, rendered.channel, rendered.status, rendered.to, rendered.subject, JSON.stringify(rendered.content), plan.variant, rendered.reason, at, expiresAt, at, ...guardArgs),
      )
      message = { id, status: rendered.status }
    }

    if (plan.kind === 'wait' && next === null) nextAt = at // a trailing wait has nothing to wait for
    const finished = next === null
    statements.push(
      d1
        .prepare(
          `update flow_enrollments set cursor = ?, next_at = ?, status = ?, ended_at = ?, exit_reason = ?
           where flow_id = ? and lead_id = ? and number = ? and cursor = ? and status = 'active'`,
        )
        .bind(next, finished ? null : nextAt, finished ? 'completed' : 'active', finished ? at : null, plan.kind === 'missing' ? 'flow_changed' : null, key.flowId, key.leadId, key.number, step),
    )
    const results = await d1.batch<{ token: string }>(statements)
    if (results[0]!.results.length === 0) return // another run executed this step and moved on
    if (plan.kind === 'update' && lead && site) {
      // What the step changed triggers flows like an ingest would (stage entered, score crossed); the
      // enrollment key keeps each start exactly once even if this job runs again.
      const { stage, points } = plan.step
      const moved = stageChange >= 0 && (results[stageChange]!.meta.changes ?? 0) > 0
      if (moved || points) {
        const after = { ...toFlowLead(lead), stage: moved ? stage! : lead.stage, score: lead.score + (points ?? 0) }
        await startFlowsOrDefer(db, rawEnv.JOBS, site, [{ before: { score: lead.score, stage: lead.stage }, after, events: [] }], at)
      }
      // Points can carry her past a threshold: her stage is derived again now, not at her next event.
      if (points) await rescoreLeads(db, rawEnv.JOBS, site, [lead.id], at)
    }
    if (message?.status === 'queued') {
      // First attempt right here (one queue hop less); holds re-enqueue themselves, failures go to the
      // queue with their delay, and a crash leaves the message queued for the sweep.
      const deliver = { kind: 'deliver' as const, siteId: job.siteId, messageId: message.id }
      const outcome = await deliverMessage(db, rawEnv, deliver, { now })
      if ('retry' in outcome) await jobs.send(deliver, { delaySeconds: outcome.retry })
    }
    if (finished) return
    step = next!
    if (nextAt > at) {
      const delay = Math.ceil((nextAt - at) / 1000)
      if (delay <= MAX_QUEUE_DELAY_SECONDS) await jobs.send({ ...job, step }, { delaySeconds: delay })
      return // longer waits are stored (next_at) and released by the cron
    }
  }
  await jobs.send({ ...job, step })
}

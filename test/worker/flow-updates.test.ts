// A flow's update step (stage, tag, points) against everything else that writes the lead: the next ingest,
// a rule change's re-score, the lapse cron's replay and a merge. What a flow set must survive all of them.
import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it, vi } from 'vitest'
import worker from '../../worker/src/index'
import { openDb } from '../../worker/src/db/client'
import { atLeast } from '../../worker/src/domain/lifecycle'
import { HOURLY } from '../../worker/src/queue/cron'
import { runFlowSteps } from '../../worker/src/services/flows/run-steps'
import { createFlow, knownLead, runs, track, viewPricing } from './flow-helpers'
import { admin, identifyEvent, ORIGIN, pageEvent, sendEvents, uniqueId } from './helpers'

type LeadRow = { stage: string; stage_floor: string | null; score: number; engagement_score: number; traits: string; version: number }
const leadRow = (id: string) => env.DB.prepare('select * from leads where id = ?').bind(id).first<LeadRow>()
const flowEntries = (id: string) =>
  env.DB.prepare("select rule_id, points from score_entries where lead_id = ? and rule_id like 'flow:%'").bind(id).all<{ rule_id: string; points: number }>()

async function updatedLead(flowStep: Record<string, unknown>) {
  const lead = await knownLead()
  const flow = await createFlow(lead.site.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [flowStep] })
  await viewPricing(lead.site, lead.aid)
  await vi.waitFor(async () => expect((await runs(flow.id, lead.leadId))[0]?.status).toBe('completed'), { timeout: 20_000, interval: 100 })
  return { ...lead, flow }
}

it('flow-set stage, tag and points survive the next ingest, a rule change re-score and the lapse cron', { timeout: 60_000 }, async () => {
  // Catches a re-score or the next event recomputing the stage and score from rules alone and dropping
  // what the flow applied (the ledger replay used to delete the flow's points; stageOf ignored the flow).
  const { site, aid, leadId, flow } = await updatedLead({ type: 'update', stage: 'sql', tag: 'hot', points: 25 })
  const after = await leadRow(leadId)
  expect(after).toMatchObject({ stage: 'sql', stage_floor: 'sql', score: 25, engagement_score: 25 })
  expect(JSON.parse(after!.traits).tags).toEqual(['hot'])
  expect((await flowEntries(leadId)).results).toEqual([{ rule_id: `flow:${flow.id}`, points: 25 }])

  // The next page view re-scores her incrementally: computed stage 'lead', but the floor holds.
  expect((await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/docs`)])).status).toBe(202)
  expect(await leadRow(leadId)).toMatchObject({ stage: 'sql', score: 25 })

  // A rule change replays every lead's history: the rule's points add to the flow's, the stage stays.
  const rule = await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: { name: 'Docs', points: 5, match: { type: 'page', path: '/docs*' } } })
  expect(rule.status).toBe(201)
  expect(await leadRow(leadId)).toMatchObject({ stage: 'sql', stage_floor: 'sql', score: 30, engagement_score: 30 })
  expect((await flowEntries(leadId)).results).toHaveLength(1)

  // The lapse cron replays leads with an expired entry (the rule's, marked so here): the replay recomputes
  // the rule's points from the events and must keep the flow's.
  await env.DB.prepare("update score_entries set expires_at = ? where lead_id = ? and rule_id not like 'flow:%'").bind(Date.now() - 1000, leadId).run()
  await worker.scheduled(createScheduledController({ cron: HOURLY, scheduledTime: Date.now() }), env)
  expect(await env.DB.prepare('select count(*) as n from score_entries where lead_id = ? and expires_at is not null').bind(leadId).first('n')).toBe(0) // it ran
  expect(await leadRow(leadId)).toMatchObject({ stage: 'sql', score: 30 })
  expect((await flowEntries(leadId)).results).toHaveLength(1)

  // A floor is not a ceiling: a purchase still moves her further along.
  expect((await track(site, aid, 'Purchased', { revenue: 50 })).status).toBe(202)
  expect(await leadRow(leadId)).toMatchObject({ stage: 'customer', stage_floor: 'sql', score: 30 })
})

it('a merge replay keeps the survivor her flow points and floor', { timeout: 60_000 }, async () => {
  // Catches the merge's whole-history replay (second device, same email) wiping the flow's points.
  const { site, email, leadId } = await updatedLead({ type: 'update', stage: 'mql', points: 40 })
  const device = uniqueId('a_')
  expect((await sendEvents(site.key, [pageEvent(device, `${ORIGIN}/`)])).status).toBe(202)
  expect((await sendEvents(site.key, [identifyEvent(device, null, { email })])).status).toBe(202)
  const visitors = await env.DB.prepare('select lead_id from visitors where anonymous_id = ?').bind(device).first<{ lead_id: string }>()
  expect(visitors!.lead_id).toBe(leadId) // merged into her
  expect(await leadRow(leadId)).toMatchObject({ stage: 'mql', score: 40 })
  expect((await flowEntries(leadId)).results).toHaveLength(1)
})

it('the update step bumps the lead version, so an ingest computed from the old row does not overwrite it', { timeout: 60_000 }, async () => {
  // Catches a lost update: ingest upserts the whole lead row it read and commits only if her version is
  // unchanged; a flow write that does not bump it is silently overwritten by a concurrent ingest.
  const { site, leadId } = await knownLead()
  const flow = await createFlow(site.id, { trigger: { type: 'stage', stage: 'nobody' }, steps: [{ type: 'update', stage: 'sql', tag: 'vip', points: 5 }] })
  await env.DB.prepare("insert into flow_enrollments (flow_id, lead_id, number, site_id, cursor, next_at, enrolled_at) values (?, ?, 1, ?, '0', ?, ?)")
    .bind(flow.id, leadId, site.id, Date.now(), Date.now())
    .run()
  const before = (await leadRow(leadId))!.version
  await runFlowSteps(openDb(env.DB), env, { kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '0' }, Date.now)
  const after = (await leadRow(leadId))!
  expect(after).toMatchObject({ stage: 'sql', score: 5 })
  expect(after.version).toBeGreaterThan(before)
  // Run again (a redelivery): nothing is applied twice.
  await runFlowSteps(openDb(env.DB), env, { kind: 'flow-step', siteId: site.id, flowId: flow.id, leadId, number: 1, step: '0' }, Date.now)
  expect(await leadRow(leadId)).toMatchObject({ score: 5, version: after.version })
})

it('a flow stage outside the preset holds until a flow sets another; a further computed stage wins otherwise', async () => {
  // Catches a floor compared by name instead of journey order, or a custom stage dropped on the next event.
  expect(atLeast('lead', 'sql', 'default')).toBe('sql')
  expect(atLeast('customer', 'sql', 'default')).toBe('customer')
  expect(atLeast('sql', 'mql', 'default')).toBe('sql')
  expect(atLeast('customer', 'vip', 'default')).toBe('vip')
  expect(atLeast('interest', 'desire', 'aida')).toBe('desire')
  expect(atLeast('lead', null, 'default')).toBe('lead')
})

it('a stage or score a flow sets triggers the flows waiting for it, once', { timeout: 60_000 }, async () => {
  // Catches stage-entered and score-crossed flows that only ever see ingest's changes, never a flow's.
  const { site, aid, leadId } = await knownLead()
  const setter = await createFlow(site.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'update', stage: 'sql', points: 25 }] })
  const onStage = await createFlow(site.id, { trigger: { type: 'stage', stage: 'sql' }, steps: [{ type: 'update', tag: 'entered-sql' }] })
  const onScore = await createFlow(site.id, { trigger: { type: 'score', gte: 20 }, steps: [{ type: 'update', tag: 'scored' }] })
  await viewPricing(site, aid)
  for (const flow of [setter, onStage, onScore]) {
    await vi.waitFor(async () => expect((await runs(flow.id, leadId)).map((r) => r.status)).toEqual(['completed']), { timeout: 20_000, interval: 100 })
  }
  expect(JSON.parse((await leadRow(leadId))!.traits).tags.sort()).toEqual(['entered-sql', 'scored'])
  // The setter's step job delivered again: no second start of either flow.
  await runFlowSteps(openDb(env.DB), env, { kind: 'flow-step', siteId: site.id, flowId: setter.id, leadId, number: 1, step: '0' }, Date.now)
  expect(await runs(onStage.id, leadId)).toHaveLength(1)
  expect(await runs(onScore.id, leadId)).toHaveLength(1)
})

it('a stage reached through a rule change re-score starts the flow waiting for that stage, once', { timeout: 60_000 }, async () => {
  // Catches stage-entered and score-crossed flows that only fire on ingest: a marketer lowering the MQL
  // threshold or adding a rule moves leads into MQL by re-scoring, and her "new MQL" flow must follow.
  const { site, aid, leadId } = await knownLead()
  const mql = await createFlow(site.id, { trigger: { type: 'stage', stage: 'mql' }, steps: [{ type: 'update', tag: 'new-mql' }] })
  const crossed = await createFlow(site.id, { trigger: { type: 'score', gte: 60 }, steps: [{ type: 'update', tag: 'scored-60' }] })
  expect((await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/docs`)])).status).toBe(202)
  expect(await runs(mql.id, leadId)).toHaveLength(0)
  const rule = await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: { name: 'Docs readers', points: 70, match: { type: 'page', path: '/docs*' } } })
  expect(rule.status).toBe(201)
  expect(await leadRow(leadId)).toMatchObject({ stage: 'mql', score: 70 })
  await vi.waitFor(async () => expect((await runs(mql.id, leadId)).map((r) => r.status)).toEqual(['completed']), { timeout: 20_000, interval: 100 })
  await vi.waitFor(async () => expect((await runs(crossed.id, leadId)).map((r) => r.status)).toEqual(['completed']), { timeout: 20_000, interval: 100 })
  // The same re-score again (another rule that changes nothing for her) starts nothing more.
  expect((await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: { name: 'Unused', points: 1, match: { type: 'track', event: 'Never' } } })).status).toBe(201)
  expect(await runs(mql.id, leadId)).toHaveLength(1)
  expect(JSON.parse((await leadRow(leadId))!.traits).tags).toEqual(expect.arrayContaining(['new-mql', 'scored-60']))
})

it('points a flow adds re-derive her stage at once (past the MQL threshold) and start the MQL flow', { timeout: 60_000 }, async () => {
  // Catches flow points that raise the score but leave the stage as it was until her next event.
  const { site, aid, leadId } = await knownLead()
  const mql = await createFlow(site.id, { trigger: { type: 'stage', stage: 'mql' }, steps: [{ type: 'update', tag: 'new-mql' }] })
  const points = await createFlow(site.id, { trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } }, steps: [{ type: 'update', points: 60 }] })
  await viewPricing(site, aid)
  await vi.waitFor(async () => expect((await runs(points.id, leadId)).map((r) => r.status)).toEqual(['completed']), { timeout: 20_000, interval: 100 })
  expect(await leadRow(leadId)).toMatchObject({ stage: 'mql', score: 60 })
  expect((await flowEntries(leadId)).results).toEqual([{ rule_id: `flow:${points.id}`, points: 60 }])
  await vi.waitFor(async () => expect((await runs(mql.id, leadId)).map((r) => r.status)).toEqual(['completed']), { timeout: 20_000, interval: 100 })
})

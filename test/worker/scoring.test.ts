// Scoring behaviour against the real Worker, D1 and Queues: rule CRUD and validation, re-scoring on save,
// preview without side effects, stages and presets, merges, queued re-scoring, the cron trigger.
import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import worker from '../../worker/src/index'
import { DAILY, HOURLY } from '../../worker/src/queue/cron'
import { SYNC_RESCORE_LEADS } from '../../worker/src/limits'
import { admin, createSite, identifyEvent, leadsOf, leadsPage, ORIGIN, pageEvent, sendEvents, trackEvent, uniqueId, type TestSite } from './helpers'

type Json = Record<string, any>
const DAY = 86_400_000

const pricingRule = { name: 'Viewed pricing', points: 10, limit: 3, match: { type: 'page', path: '/pricing*' } }

async function addRule(site: TestSite, rule: unknown): Promise<Json> {
  const response = await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: rule })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()) as Json
}

async function visit(site: TestSite, aid: string, paths: string[], at = Date.now()) {
  const batch = paths.map((path, i) => ({ ...pageEvent(aid, `${ORIGIN}${path}`), timestamp: new Date(at - (paths.length - i) * 1000).toISOString() }))
  expect((await sendEvents(site.key, batch)).status).toBe(202)
}

const leadOf = async (site: TestSite, aid: string) => (await leadsOf(site.id, `anonymousId=${aid}`))[0]!
const detailOf = async (site: TestSite, leadId: string) => (await (await admin(`/api/sites/${site.id}/leads/${leadId}`)).json()) as Json

describe('rules API', () => {
  it('creates, reads, replaces and deletes a rule; kind follows the match type', async () => {
    const site = await createSite()
    const created = await addRule(site, pricingRule)
    expect(created).toMatchObject({ name: 'Viewed pricing', points: 10, limit: 3, expiresDays: null, enabled: true, kind: 'engagement' })
    expect(created.id).toMatch(/^rule_/)
    expect(created.rescore).toEqual({ mode: 'sync', leads: 0, changed: 0 })

    const fit = await addRule(site, { name: 'Big budget', points: 20, match: { type: 'identify', where: [{ field: 'traits.budget', op: 'gte', value: 5000 }] } })
    expect(fit.kind).toBe('fit')

    const list = (await (await admin(`/api/sites/${site.id}/rules`)).json()) as { rules: Json[] }
    expect(list.rules.map((r) => r.id)).toEqual([created.id, fit.id])

    const put = await admin(`/api/sites/${site.id}/rules/${created.id}`, { method: 'PUT', json: { ...pricingRule, points: 15 } })
    expect(put.status).toBe(200)
    expect(((await put.json()) as Json).points).toBe(15)
    expect(((await (await admin(`/api/sites/${site.id}/rules/${created.id}`)).json()) as Json).points).toBe(15)

    expect((await admin(`/api/sites/${site.id}/rules/${created.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await admin(`/api/sites/${site.id}/rules/${created.id}`)).status).toBe(404)
    expect((await admin(`/api/sites/${site.id}/rules/${created.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  it.each([
    ['points over 1000', { ...pricingRule, points: 1001 }, 'points'],
    ['fractional points', { ...pricingRule, points: 2.5 }, 'points'],
    ['unknown field', { ...pricingRule, colour: 'red' }, ''],
    ['unknown match type', { ...pricingRule, match: { type: 'click' } }, 'match.type'],
    ['track without event', { ...pricingRule, match: { type: 'track' } }, 'match.event'],
    ['unknown op', { ...pricingRule, match: { type: 'page', where: [{ field: 'properties.x', op: 'like', value: 1 }] } }, 'match.where.0.op'],
    ['gt without value', { ...pricingRule, match: { type: 'page', where: [{ field: 'properties.x', op: 'gt' }] } }, 'match.where.0.value'],
    ['field outside properties/traits/context', { ...pricingRule, match: { type: 'page', where: [{ field: 'lead.score', op: 'exists' }] } }, 'match.where.0.field'],
    ['zero limit', { ...pricingRule, limit: 0 }, 'limit'],
  ])('rejects %s with 400 and saves nothing', async (_label, rule, path) => {
    const site = await createSite()
    const response = await admin(`/api/sites/${site.id}/rules`, { method: 'POST', json: rule })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: { code: string; issues: Array<{ path: string }> } }
    expect(body.error.code).toBe('invalid_request')
    if (path) expect(body.error.issues.map((i) => i.path)).toContain(path)
    expect(((await (await admin(`/api/sites/${site.id}/rules`)).json()) as { rules: unknown[] }).rules).toEqual([])
  })
})

describe('re-scoring and preview', () => {
  it('saving a rule re-scores existing leads at once; deleting it takes the points away', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    await visit(site, aid, ['/pricing', '/pricing', '/'])
    expect((await leadOf(site, aid)).score).toBe(0)
    const rule = await addRule(site, pricingRule)
    expect(rule.rescore).toMatchObject({ mode: 'sync', leads: 1 })
    expect((await leadOf(site, aid)).score).toBe(20)
    const detail = await detailOf(site, (await leadOf(site, aid)).id)
    expect(detail.scoreBreakdown).toHaveLength(2)
    expect(detail.scoreBreakdown[0]).toMatchObject({ ruleId: rule.id, rule: 'Viewed pricing', kind: 'engagement', points: 10, lapsed: false })

    await admin(`/api/sites/${site.id}/rules/${rule.id}`, { method: 'PUT', json: { ...pricingRule, points: -5 } })
    expect((await leadOf(site, aid)).score).toBe(-10)
    await admin(`/api/sites/${site.id}/rules/${rule.id}`, { method: 'DELETE' })
    expect((await leadOf(site, aid)).score).toBe(0)
    expect((await detailOf(site, (await leadOf(site, aid)).id)).scoreBreakdown).toEqual([])
  })

  it('preview reports the impact of a draft and changes nothing', async () => {
    const site = await createSite()
    const hot = uniqueId('a_')
    const cold = uniqueId('a_')
    await sendEvents(site.key, [pageEvent(hot, `${ORIGIN}/pricing`), pageEvent(hot, `${ORIGIN}/pricing`), identifyEvent(hot, null, { email: 'hot@example.com' })])
    await sendEvents(site.key, [pageEvent(cold, `${ORIGIN}/careers`), identifyEvent(cold, null, { email: 'cold@example.com' })])
    await addRule(site, { name: 'Any page', points: 1, match: { type: 'page' } })
    const rulesBefore = await (await admin(`/api/sites/${site.id}/rules`)).json()
    const leadsBefore = await leadsOf(site.id, '')

    const draft = [{ name: 'Pricing is hot', points: 30, match: { type: 'page', path: '/pricing*' } }]
    const response = await admin(`/api/sites/${site.id}/rules/preview`, { method: 'POST', json: { rules: draft } })
    expect(response.status).toBe(200)
    const preview = (await response.json()) as Json
    expect(preview).toMatchObject({ leadsConsidered: 2, sampled: false, changed: 2, stageChanged: 1 })
    expect(preview.before).toMatchObject({ lead: 2, mql: 0, sql: 0 })
    expect(preview.after).toMatchObject({ lead: 1, mql: 1, sql: 0 }) // 60 ≥ mql 50, < sql 80
    expect(preview.leads[0]).toMatchObject({ email: 'hot@example.com', scoreBefore: 2, scoreAfter: 60, stageBefore: 'lead', stageAfter: 'mql' })
    // `leads` is the stage changes only (API.md); a score-only change is listed apart.
    expect(preview.leads).toHaveLength(1)
    expect(preview.scoreChanges).toEqual([expect.objectContaining({ email: 'cold@example.com', scoreBefore: 1, scoreAfter: 0, stageBefore: 'lead', stageAfter: 'lead' })])

    expect(await (await admin(`/api/sites/${site.id}/rules`)).json()).toEqual(rulesBefore)
    expect(await leadsOf(site.id, '')).toEqual(leadsBefore)
  })

  it('preview rejects an invalid draft with the index of the bad rule', async () => {
    const site = await createSite()
    const response = await admin(`/api/sites/${site.id}/rules/preview`, {
      method: 'POST',
      json: { rules: [pricingRule, { ...pricingRule, points: 5000 }] },
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: { issues: Array<{ path: string }> } }
    expect(body.error.issues.map((i) => i.path)).toContain('rules.1.points')
  })

  it(`re-scores large sites (> ${SYNC_RESCORE_LEADS} leads) through queued pages`, async () => {
    const site = await createSite()
    const visitors = Array.from({ length: SYNC_RESCORE_LEADS + 30 }, () => uniqueId('a_'))
    for (let i = 0; i < visitors.length; i += 100) {
      const batch = visitors.slice(i, i + 100).map((aid) => pageEvent(aid, `${ORIGIN}/pricing`))
      expect((await sendEvents(site.key, batch, { ip: `192.0.2.${i / 100}` })).status).toBe(202)
    }
    const rule = await addRule(site, pricingRule)
    expect(rule.rescore).toEqual({ mode: 'queued', leads: visitors.length })
    await vi.waitFor(
      async () => {
        const scored = await leadsPage(site.id, 'minScore=10&limit=1')
        expect(scored.total).toBe(visitors.length)
      },
      { timeout: 90_000, interval: 250 },
    )
  }, 120_000) // queued re-scoring pages are slow on a busy machine
})

describe('merges', () => {
  it('limits apply across devices once they are the same lead', async () => {
    const site = await createSite()
    await addRule(site, pricingRule)
    const laptop = uniqueId('a_')
    const phone = uniqueId('a_')
    await sendEvents(site.key, [
      ...['/pricing', '/pricing/a', '/pricing/b'].map((p) => pageEvent(laptop, `${ORIGIN}${p}`)),
      identifyEvent(laptop, null, { email: 'two@example.com' }),
    ])
    await visit(site, phone, ['/pricing', '/pricing', '/pricing'])
    expect((await leadOf(site, phone)).score).toBe(30)
    await sendEvents(site.key, [identifyEvent(phone, null, { email: 'two@example.com' })])
    const [merged] = await leadsOf(site.id, 'email=two@example.com')
    expect(merged!.anonymousIds).toHaveLength(2)
    expect(merged!.score).toBe(30) // not 60: the limit of 3 counts per lead
    expect((await detailOf(site, merged!.id)).scoreBreakdown).toHaveLength(3)
  })
})

describe('stages', () => {
  it('walks the default lifecycle and records each change', async () => {
    const site = await createSite()
    await addRule(site, pricingRule)
    await addRule(site, { name: 'Signed up', points: 25, match: { type: 'track', event: 'Signed Up' } })
    const aid = uniqueId('a_')
    const now = Date.now()
    await visit(site, aid, ['/'], now - 3 * 3_600_000)
    expect((await leadOf(site, aid)).stage).toBe('visitor')
    await visit(site, aid, ['/pricing'], now - 3_600_000) // a second session
    expect((await leadOf(site, aid)).stage).toBe('returning')
    await sendEvents(site.key, [identifyEvent(aid, null, { email: 'walk@example.com' })])
    expect((await leadOf(site, aid)).stage).toBe('lead')
    await sendEvents(site.key, [trackEvent(aid, 'Signed Up'), pageEvent(aid, `${ORIGIN}/pricing`), pageEvent(aid, `${ORIGIN}/pricing`)])
    expect((await leadOf(site, aid))).toMatchObject({ score: 55, stage: 'mql' })
    await sendEvents(site.key, [trackEvent(aid, 'Demo Requested')])
    expect((await leadOf(site, aid)).stage).toBe('sql')
    await sendEvents(site.key, [trackEvent(aid, 'Purchased', { revenue: 299 })])
    expect((await leadOf(site, aid))).toMatchObject({ stage: 'customer', purchases: 1, revenue: 299 })
    await sendEvents(site.key, [trackEvent(aid, 'Purchased', { revenue: 99 })])
    const lead = await leadOf(site, aid)
    expect(lead).toMatchObject({ stage: 'repeat', purchases: 2, revenue: 398 })
    expect(lead.rfm).toMatchObject({ recency: 5, frequency: 2, monetary: 2 })

    const history = (await detailOf(site, lead.id)).stageHistory as Array<{ from: string; to: string }>
    expect(history.map((h) => h.to)).toEqual(['repeat', 'customer', 'sql', 'mql', 'lead', 'returning'])
    expect(history.at(-1)!.from).toBe('visitor')
  })

  it('a user id alone does not make a lead: her email does (API.md: traits.email makes her a lead)', async () => {
    // Catches a signed-in user with no email known counted as a lead (and as an MQL/SQL once her score is up).
    const site = await createSite()
    const aid = uniqueId('a_')
    const user = uniqueId('u_')
    await sendEvents(site.key, [identifyEvent(aid, user, { plan: 'pro' })])
    expect((await leadsOf(site.id, `anonymousId=${aid}`))[0]).toMatchObject({ userId: user, email: null, stage: 'visitor' })
    await sendEvents(site.key, [identifyEvent(aid, user, { email: `${user}@example.com` })])
    expect((await leadsOf(site.id, `anonymousId=${aid}`))[0]).toMatchObject({ userId: user, stage: 'lead' })
  })

  it('thresholds move stages at once; sql must stay above mql', async () => {
    const site = await createSite()
    await addRule(site, pricingRule)
    const aid = uniqueId('a_')
    await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/pricing`), identifyEvent(aid, null, { email: 't@example.com' })])
    expect((await leadOf(site, aid)).stage).toBe('lead')

    const bad = await admin(`/api/sites/${site.id}/scoring`, { method: 'PUT', json: { thresholds: { mql: 50, sql: 40 } } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as Json).error.issues[0].path).toBe('thresholds.sql')

    const ok = await admin(`/api/sites/${site.id}/scoring`, { method: 'PUT', json: { thresholds: { mql: 10, sql: 30 } } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ thresholds: { mql: 10, sql: 30 }, preset: 'default', restaged: 1 })
    expect((await leadOf(site, aid)).stage).toBe('mql')
    const config = (await (await admin(`/api/sites/${site.id}/scoring`)).json()) as Json
    expect(config.stages).toEqual(['visitor', 'returning', 'lead', 'mql', 'sql', 'customer', 'repeat', 'at_risk', 'lost'])
    expect((await admin(`/api/sites/${site.id}/scoring`, { method: 'PUT', json: { colour: 'red' } })).status).toBe(400)
  })

  it.each([
    ['aida', ['awareness', 'interest', 'desire', 'action'], 'desire'],
    ['aarrr', ['acquisition', 'activation', 'retention', 'revenue', 'referral'], 'activation'],
  ])('the %s preset names its own stages', async (preset, stages, identifiedStage) => {
    const site = await createSite()
    const aid = uniqueId('a_')
    await visit(site, aid, ['/'])
    const response = await admin(`/api/sites/${site.id}/scoring`, { method: 'PUT', json: { preset } })
    expect(((await response.json()) as Json).stages).toEqual(stages)
    expect((await leadOf(site, aid)).stage).toBe(stages[0])
    await sendEvents(site.key, [identifyEvent(aid, null, { email: `${preset}@example.com` })])
    expect((await leadOf(site, aid)).stage).toBe(identifiedStage)
  })
})

describe('cron trigger', () => {
  it('lapses expired points hourly and the lead drops back a stage', async () => {
    const site = await createSite()
    await admin(`/api/sites/${site.id}/scoring`, { method: 'PUT', json: { thresholds: { mql: 10, sql: 100 } } })
    await addRule(site, { ...pricingRule, expiresDays: 1 })
    const aid = uniqueId('a_')
    await sendEvents(site.key, [pageEvent(aid, `${ORIGIN}/pricing`), identifyEvent(aid, null, { email: 'lapse@example.com' })])
    expect(await leadOf(site, aid)).toMatchObject({ score: 10, stage: 'mql' })

    const controller = createScheduledController({ cron: HOURLY, scheduledTime: Date.now() + 2 * DAY })
    await worker.scheduled(controller, env)
    expect(await leadOf(site, aid)).toMatchObject({ score: 0, stage: 'lead' })
    const [entry] = (await detailOf(site, (await leadOf(site, aid)).id)).scoreBreakdown
    expect(entry.lapsed).toBe(true)
    const due = await env.DB.prepare('select count(*) as n from score_entries where site_id = ? and lapsed = 0 and expires_at is not null').bind(site.id).first<{ n: number }>()
    expect(due!.n).toBe(0) // the next run has nothing left to do for this lead
  })

  it('re-stages inactive customers daily: at risk, then lost', async () => {
    const site = await createSite()
    const aid = uniqueId('a_')
    await sendEvents(site.key, [identifyEvent(aid, null, { email: 'buyer@example.com' }), trackEvent(aid, 'Purchased', { revenue: 50 })])
    expect((await leadOf(site, aid)).stage).toBe('customer')
    await worker.scheduled(createScheduledController({ cron: DAILY, scheduledTime: Date.now() + 31 * DAY }), env)
    const atRisk = await leadOf(site, aid)
    expect(atRisk.stage).toBe('at_risk')
    expect(atRisk.rfm).toMatchObject({ recency: 4 })
    await worker.scheduled(createScheduledController({ cron: DAILY, scheduledTime: Date.now() + 91 * DAY }), env)
    expect(await leadOf(site, aid)).toMatchObject({ stage: 'lost', rfm: { recency: 2, segment: 'promising' } })
  })
})

describe('public endpoints', () => {
  it('never reveal a score: ingest answers counts only', async () => {
    const site = await createSite()
    await addRule(site, pricingRule)
    const response = await sendEvents(site.key, [pageEvent(uniqueId('a_'), `${ORIGIN}/pricing`)])
    const body = await response.text()
    expect(JSON.parse(body)).toEqual({ accepted: 1, duplicates: 0 })
    expect(body).not.toMatch(/score|stage|email/i)
  })
})

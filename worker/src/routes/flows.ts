// Admin: flows (CRUD, templates, preview before enabling) and their runs.
import { Hono } from 'hono'
import { openDb } from '../db/client'
import { recentRunsOfFlow } from '../db/enrollments'
import { findFlow, flowStats, listFlows } from '../db/flows'
import { leadEmails } from '../db/leads'
import type { EnrollmentRow, FlowRow } from '../db/schema'
import { allPaths } from '../domain/flows/steps'
import { FlowDefinition, FlowInput } from '../domain/flows/schema'
import { FLOW_TEMPLATES } from '../domain/flows/templates'
import { changeFlow, createFlow, removeFlow, statsOf } from '../services/admin/flows'
import { previewDraftFlow } from '../services/flows/preview'
import { ApiError, invalidRequest } from '../http/errors'
import { validate } from '../http/validate'
import { siteOr404 } from './sites'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export const flowView = (row: FlowRow) => ({
  id: row.id,
  name: row.name,
  enabled: row.enabled,
  ...row.definition,
  templateId: row.templateId,
  version: row.version,
  steps: row.definition.steps,
  stepPaths: allPaths(row.definition.steps),
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
})

export const runView = (row: EnrollmentRow) => ({
  flowId: row.flowId,
  leadId: row.leadId,
  number: row.number,
  status: row.status,
  step: row.cursor,
  nextAt: iso(row.nextAt),
  timeZone: row.timeZone,
  enrolledAt: iso(row.enrolledAt),
  endedAt: iso(row.endedAt),
  exitReason: row.exitReason,
})

const flowNotFound = () => new ApiError(404, 'flow_not_found', 'No flow with this id on this site.')

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json()
  } catch {
    throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.')
  }
}

export const flowsApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/flows/templates', async (c) => {
    await siteOr404(openDb(c.env.DB), c.req.param('siteId'))
    return c.json({ templates: FLOW_TEMPLATES.map((t) => ({ id: t.id, description: t.description, ...t.flow })) })
  })
  .post('/:siteId/flows/preview', async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const body = (await jsonBody(c.req.raw)) as Record<string, unknown> | null
    // A draft may be a whole flow (name/enabled are ignored) or just its definition.
    const { name: _name, enabled: _enabled, ...draft } = body && typeof body === 'object' ? body : {}
    const parsed = FlowDefinition.safeParse(draft)
    if (!parsed.success) throw invalidRequest(parsed.error)
    return c.json(await previewDraftFlow(db, site.id, parsed.data, Date.now()))
  })
  .get('/:siteId/flows', async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    await siteOr404(db, siteId)
    const [rows, stats] = await Promise.all([listFlows(db, siteId), flowStats(db, siteId)])
    return c.json({ flows: rows.map((row) => ({ ...flowView(row), stats: statsOf(stats, row.id) })) })
  })
  .post('/:siteId/flows', async (c) => {
    const db = openDb(c.env.DB)
    const siteId = c.req.param('siteId')
    await siteOr404(db, siteId)
    const row = await createFlow(db, siteId, await jsonBody(c.req.raw))
    return c.json(flowView(row), 201)
  })
  .get('/:siteId/flows/:flowId', async (c) => {
    const db = openDb(c.env.DB)
    const row = await findFlow(db, c.req.param('siteId'), c.req.param('flowId'))
    if (!row) throw flowNotFound()
    const [stats, runs] = await Promise.all([flowStats(db, row.siteId), recentRunsOfFlow(db, row.id, 100)])
    const emails = await leadEmails(db, row.siteId, runs.map((r) => r.leadId))
    return c.json({ ...flowView(row), stats: statsOf(stats, row.id), runs: runs.map((r) => ({ ...runView(r), leadEmail: emails.get(r.leadId) ?? null })) })
  })
  .put('/:siteId/flows/:flowId', validate('json', FlowInput), async (c) => {
    const db = openDb(c.env.DB)
    const row = await changeFlow(db, c.req.param('siteId'), c.req.param('flowId'), c.req.valid('json'))
    if (!row) throw flowNotFound()
    return c.json(flowView(row))
  })
  .delete('/:siteId/flows/:flowId', async (c) => {
    if (!(await removeFlow(openDb(c.env.DB), c.req.param('siteId'), c.req.param('flowId'), Date.now()))) throw flowNotFound()
    return c.body(null, 204)
  })

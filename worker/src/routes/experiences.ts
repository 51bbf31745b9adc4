// Admin: experiences (CRUD), a decision preview for any URL, and results per variant.
import { Hono } from 'hono'
import { z } from 'zod'
import { ExperienceInput, type DecisionContext } from '../domain/experiences'
import { openDb } from '../db/client'
import { findExperience, listExperiences, toExperience } from '../db/experiences'
import type { ExperienceRow } from '../db/schema'
import { ApiError } from '../http/errors'
import { validate } from '../http/validate'
import { previewDecision } from '../services/decide'
import { siteExperimentResults } from '../services/experiment-results'
import { changeExperience, createExperience, removeExperience } from '../services/admin/experiences'
import { dayClock, instantsOf, MetricsRange } from '../domain/metrics/days'
import { siteOr404 } from './sites'

export const experienceView = (row: ExperienceRow) => ({
  ...toExperience(row),
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
})

const experienceNotFound = () => new ApiError(404, 'experience_not_found', 'No experience with this id on this site.')

const PreviewQuery = z
  .object({
    url: z.string().url().max(4096),
    referrer: z.string().max(4096).optional(),
    device: z.enum(['mobile', 'tablet', 'desktop']).default('desktop'),
    country: z.string().length(2).optional(),
    stage: z.string().max(40).optional(),
    score: z.coerce.number().int().optional(),
    visitor: z.string().max(128).optional(),
  })
  .strict()


export const experiencesApi = new Hono<{ Bindings: Env }>()
  .get('/:siteId/experiences', async (c) => {
    const db = openDb(c.env.DB)
    await siteOr404(db, c.req.param('siteId'))
    return c.json({ experiences: (await listExperiences(db, c.req.param('siteId'))).map(experienceView) })
  })
  .post('/:siteId/experiences', validate('json', ExperienceInput), async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const row = await createExperience(db, site, c.req.valid('json'))
    return c.json(experienceView(row), 201)
  })
  // What a visitor with these attributes would see on a URL; records nothing (the editor's live preview).
  .get('/:siteId/experiences/preview', validate('query', PreviewQuery), async (c) => {
    const db = openDb(c.env.DB)
    await siteOr404(db, c.req.param('siteId'))
    const q = c.req.valid('query')
    const ctx: DecisionContext = {
      url: new URL(q.url),
      referrer: q.referrer ?? null,
      device: q.device,
      country: q.country ?? null,
      visitorId: q.visitor ?? null,
      lead: q.stage || q.score !== undefined ? { stage: q.stage ?? 'visitor', score: q.score ?? 0 } : null,
      exposed: new Map(),
    }
    return c.json(await previewDecision(db, c.req.param('siteId'), ctx))
  })
  .get('/:siteId/experiences/:id', async (c) => {
    const row = await findExperience(openDb(c.env.DB), c.req.param('siteId'), c.req.param('id'))
    if (!row) throw experienceNotFound()
    return c.json(experienceView(row))
  })
  .put('/:siteId/experiences/:id', validate('json', ExperienceInput), async (c) => {
    const db = openDb(c.env.DB)
    const row = await changeExperience(db, await siteOr404(db, c.req.param('siteId')), c.req.param('id'), c.req.valid('json'))
    if (!row) throw experienceNotFound()
    return c.json(experienceView(row))
  })
  .delete('/:siteId/experiences/:id', async (c) => {
    const db = openDb(c.env.DB)
    if (!(await removeExperience(db, await siteOr404(db, c.req.param('siteId')), c.req.param('id')))) throw experienceNotFound()
    return c.body(null, 204)
  })
  .get('/:siteId/metrics/experiences', validate('query', MetricsRange), async (c) => {
    const db = openDb(c.env.DB)
    const site = await siteOr404(db, c.req.param('siteId'))
    const range = instantsOf(c.req.valid('query'), dayClock(site.settings.timeZone ?? 'UTC'))
    if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
      throw new ApiError(400, 'invalid_range', '`from` must be before `to`', [{ path: 'from', message: '`from` must be before `to`' }])
    }
    return c.json({ experiences: await siteExperimentResults(db, site.id, range) })
  })

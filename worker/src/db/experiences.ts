// Experience queries, the personalize read (one round trip) and exposure/conversion writes.
import { and, eq, sql } from 'drizzle-orm'
import type { Experience, ExperienceInput, Variant } from '../domain/experiences'
import type { ArmRow } from '../domain/results'
import { chunk, rowsPerInsert } from './binding'
import type { Db } from './client'
import { randomId } from './ids'
import { experiences, exposures, leads, sites, visitors, type ExperienceRow, type SiteRow } from './schema'

export const toExperience = (row: ExperienceRow): Experience => ({
  id: row.id,
  edited: row.updatedAt > row.createdAt,
  name: row.name,
  status: row.status,
  priority: row.priority,
  goal: row.goal,
  match: row.match,
  variants: row.variants,
  control: row.control,
})

/** Variant ids are kept when given (editing weights keeps the history), minted otherwise. */
const withVariantIds = (input: ExperienceInput): Variant[] => input.variants.map((v) => ({ ...v, id: v.id ?? randomId('var_', 16) }))

const values = (input: ExperienceInput) => ({
  name: input.name,
  status: input.status ?? 'active',
  priority: input.priority ?? 0,
  goal: input.goal ?? null,
  match: input.match,
  variants: withVariantIds(input),
  control: input.control ?? 0,
})

export function listExperiences(db: Db, siteId: string): Promise<ExperienceRow[]> {
  return db.select().from(experiences).where(eq(experiences.siteId, siteId)).orderBy(sql`${experiences.priority} desc`, experiences.createdAt).all()
}

export function findExperience(db: Db, siteId: string, id: string): Promise<ExperienceRow | undefined> {
  return db.select().from(experiences).where(and(eq(experiences.siteId, siteId), eq(experiences.id, id))).get()
}

export function insertExperience(db: Db, siteId: string, input: ExperienceInput): Promise<ExperienceRow> {
  return db.insert(experiences).values({ id: randomId('exp_'), siteId, ...values(input) }).returning().get()
}

export function replaceExperience(db: Db, siteId: string, id: string, input: ExperienceInput): Promise<ExperienceRow | undefined> {
  return db
    .update(experiences)
    .set({ ...values(input), updatedAt: Date.now() })
    .where(and(eq(experiences.siteId, siteId), eq(experiences.id, id)))
    .returning()
    .get()
}

export async function deleteExperience(db: Db, siteId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(experiences)
    .where(and(eq(experiences.siteId, siteId), eq(experiences.id, id)))
    .returning({ id: experiences.id })
  return rows.length > 0
}

/** A site (by key) and its active experiences, in one round trip. */
export async function activeExperiences(db: Db, siteKey: string): Promise<{ site: SiteRow | undefined; experiences: Array<{ experience: Experience; updatedAt: number }> }> {
  const [siteRows, experienceRows] = await db.batch([
    db.select().from(sites).where(eq(sites.key, siteKey)),
    db
      .select({ experience: experiences })
      .from(experiences)
      .innerJoin(sites, eq(sites.id, experiences.siteId))
      .where(and(eq(sites.key, siteKey), eq(experiences.status, 'active'))),
  ])
  return { site: siteRows[0], experiences: experienceRows.map((row) => ({ experience: toExperience(row.experience), updatedAt: row.experience.updatedAt })) }
}

/** The visitor's state a decision may need: her lead's stage and score, her first variants. */
export async function loadVisitorState(
  db: Db,
  siteId: string,
  visitorId: string,
  need: { lead: boolean; exposures: boolean },
): Promise<{ lead: { stage: string; score: number } | null; exposed: Map<string, string> }> {
  // Most sites' audiences need neither: no query is built at all on that path.
  if (!need.lead && !need.exposures) return { lead: null, exposed: new Map() }
  const leadQuery = db
    .select({ stage: leads.stage, score: leads.score })
    .from(leads)
    .where(sql`${leads.id} = (select ${visitors.leadId} from ${visitors} where ${visitors.siteId} = ${siteId} and ${visitors.anonymousId} = ${visitorId})`)
  const exposureQuery = db
    .select({ experienceId: exposures.experienceId, variantId: exposures.variantId })
    .from(exposures)
    .where(and(eq(exposures.siteId, siteId), eq(exposures.anonymousId, visitorId)))
  if (need.lead && need.exposures) {
    const [leadRows, exposureRows] = await db.batch([leadQuery, exposureQuery])
    return { lead: leadRows[0] ?? null, exposed: new Map(exposureRows.map((r) => [r.experienceId, r.variantId])) }
  }
  if (need.lead) return { lead: (await leadQuery)[0] ?? null, exposed: new Map() }
  return { lead: null, exposed: new Map((await exposureQuery).map((r) => [r.experienceId, r.variantId])) }
}

/** Exposures of many requests in one transaction. */
export async function recordExposureBatch(
  db: Db,
  jobs: ReadonlyArray<{ siteId: string; anonymousId: string; mode: 'client' | 'edge' | 'api'; at: number; decided: ReadonlyArray<{ id: string; variant: string }> }>,
): Promise<void> {
  const rows = jobs.flatMap((job) =>
    job.decided.map((d) => ({ siteId: job.siteId, experienceId: d.id, anonymousId: job.anonymousId, variantId: d.variant, mode: job.mode, firstAt: job.at })),
  )
  if (rows.length === 0) return
  const statements = chunk(rows, rowsPerInsert(exposures)).map((part) => db.insert(exposures).values(part).onConflictDoNothing())
  await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]])
}

/** Exposures and conversions per experience and variant (control included), optionally in a time range. */
export function experienceResults(db: Db, siteId: string, from: number | undefined, to: number | undefined): Promise<ArmRow[]> {
  return db
    .select({
      experienceId: exposures.experienceId,
      variantId: exposures.variantId,
      exposures: sql<number>`count(*)`,
      conversions: sql<number>`count(${exposures.convertedAt})`,
    })
    .from(exposures)
    .where(
      and(
        eq(exposures.siteId, siteId),
        from === undefined ? undefined : sql`${exposures.firstAt} >= ${from}`,
        to === undefined ? undefined : sql`${exposures.firstAt} < ${to}`,
      ),
    )
    .groupBy(exposures.experienceId, exposures.variantId)
    .all()
}

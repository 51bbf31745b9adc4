// Optimistic writes on D1: a batch (one transaction) that starts with a guard commits only if what its
// writer read still holds, and a writer that loses re-reads and tries again. SQL outside triggers has no
// RAISE, so a guard fails with json() of invalid text ("malformed JSON"), which `isWriteConflict` knows.
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from './client'

/** An expression that is 1 when `holds`, and fails its statement (and so its batch) otherwise. */
export const failsUnless = (holds: SQL, reason: string) => sql<number>`case when ${holds} then 1 else json(${reason} || random()) end`

/** A read-only statement for a drizzle batch that fails it unless `holds`. */
export const guard = (db: Db, holds: SQL, reason: string) => db.select({ ok: failsUnless(holds, reason) }).from(sql`(select 1)`)

/** A write that lost a race: a guard failed, or an event / email / user id was inserted meanwhile. */
export const isWriteConflict = (error: unknown) => /malformed JSON|UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(String((error as Error)?.message ?? error))

/**
 * Runs `attempt` (which reads, computes and writes with a guard) until it commits, at most `attempts` times;
 * a jittered, growing pause between tries spreads the losers of one row apart. Other errors go to the caller.
 */
export async function retryOnWriteConflict<T>(attempts: number, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      if (!isWriteConflict(error) || n >= attempts) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** Math.min(n, 6))))
    }
  }
}

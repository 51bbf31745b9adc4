import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database }

/** One drizzle instance per D1 binding and isolate: building one walks the whole schema, on every request otherwise. */
const opened = new WeakMap<D1Database, Db>()

export function openDb(d1: D1Database): Db {
  let db = opened.get(d1)
  if (!db) {
    db = drizzle(d1, { schema })
    opened.set(d1, db)
  }
  return db
}

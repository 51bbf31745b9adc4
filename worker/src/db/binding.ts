// D1 binds at most 100 parameters per statement: lists go in as one JSON parameter, rows in chunks.
import { sql } from 'drizzle-orm'

/** `(select value from json_each(?))`: a whole list bound as one parameter, for `x in ${jsonList(…)}`. */
export const jsonList = (values: readonly string[]) => sql`(select value from json_each(${JSON.stringify(values)}))`

/** Rows per multi-row insert so that rows × columns stays within the 100-parameter cap. */
export const rowsPerInsert = (columns: number) => Math.floor(100 / columns)

export const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))

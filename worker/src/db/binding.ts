// D1 binds at most 100 parameters per statement: lists go in as one JSON parameter, rows in chunks.
import { getTableColumns, sql, type Table } from 'drizzle-orm'
import { D1_MAX_PARAMETERS } from '../limits'

/** `(select value from json_each(?))`: a whole list bound as one parameter, for `x in ${jsonList(…)}`. */
export const jsonList = (values: readonly string[]) => sql`(select value from json_each(${JSON.stringify(values)}))`

export const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))

/** Rows per multi-row insert into `table`: every column may be a bound parameter, so rows × columns ≤ the cap. */
export const rowsPerInsert = (table: Table) => Math.floor(D1_MAX_PARAMETERS / Object.keys(getTableColumns(table)).length)

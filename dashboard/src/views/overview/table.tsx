// A sortable table (click any header; again to reverse) with a tooltip definition per column and a CSV
// export of exactly the rows and columns it shows.
import { useState } from 'hono/jsx/dom'
import { numberFormat, pct } from '../../ui/format'
import { download, toCsv, type CsvCell } from './csv'
import { DEFINITIONS, type Term } from './definitions'

export type Column<Row> = {
  key: string
  label: string
  term?: Term
  value: (row: Row) => string | number | null
  kind?: 'text' | 'count' | 'rate' | 'money' | 'days'
}

export function show(value: string | number | null, kind: Column<unknown>['kind'] = 'count'): string {
  if (value == null) return '—'
  if (typeof value === 'string') return value
  if (kind === 'rate') return pct(value)
  if (kind === 'money') return value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  if (kind === 'days') return `${numberFormat.format(value)} d`
  return numberFormat.format(value)
}

/** A number with its one-line definition as a tooltip; `data-value` is the API's raw value. */
export function Num({ term, value, kind }: { term: Term; value: number | null | undefined; kind?: Column<unknown>['kind'] }) {
  return (
    <span class="num metric" title={DEFINITIONS[term]} data-term={term} data-value={value == null ? '' : String(value)}>
      {show(value ?? null, kind)}
    </span>
  )
}

const compare = (a: string | number | null, b: string | number | null) => {
  if (a == null) return b == null ? 0 : 1 // empty cells last either way
  if (b == null) return -1
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))
}

type TableProps<Row> = { id: string; caption: string; rows: Row[]; columns: Array<Column<Row>>; empty: string; filename: string }

export function SortableTable<Row>({ id, caption, rows, columns, empty, filename }: TableProps<Row>) {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null)
  const column = columns.find((c) => c.key === sort?.key)
  const sorted = column && sort ? [...rows].sort((a, b) => compare(column.value(a), column.value(b)) * (column.value(a) == null || column.value(b) == null ? 1 : sort.dir)) : rows
  const exportCsv = () => download(filename, toCsv(columns.map((c) => c.label), sorted.map((row) => columns.map((c): CsvCell => c.value(row)))))
  const toggle = (key: string, kind: Column<Row>['kind']) =>
    setSort(sort?.key === key ? { key, dir: sort.dir === 1 ? -1 : 1 } : { key, dir: kind === 'text' ? 1 : -1 })
  return (
    <div class="table-block">
      <div class="table-tools">
        <button type="button" class="ghost export-csv" id={`${id}-csv`} disabled={rows.length === 0} onClick={exportCsv}>
          Export CSV
        </button>
      </div>
      {rows.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <div class="table-wrap">
          <table id={id}>
            <caption class="sr-only">{caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th
                    scope="col"
                    class={c.kind === 'text' ? undefined : 'num'}
                    title={c.term ? DEFINITIONS[c.term] : undefined}
                    aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}
                  >
                    <button type="button" class="sort" data-sort={c.key} onClick={() => toggle(c.key, c.kind)}>
                      {c.label}
                      {sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((row) => (
                <tr>
                  {columns.map((c) => {
                    const value = c.value(row)
                    return (
                      <td class={c.kind === 'text' ? undefined : 'num'} title={c.term ? DEFINITIONS[c.term] : undefined} data-col={c.key} data-value={value == null ? '' : String(value)}>
                        {show(value, c.kind)}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

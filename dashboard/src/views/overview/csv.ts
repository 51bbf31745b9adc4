// CSV export of the overview's tables. Channel names come from visitors' URLs: cells that a spreadsheet would
// run as a formula are prefixed with an apostrophe, and every cell is quoted.

export type CsvCell = string | number | null | undefined

const FORMULA = /^[=+\-@\t\r]/

export function csvCell(value: CsvCell): string {
  if (value == null) return ''
  const text = String(value)
  const safe = typeof value === 'string' && FORMULA.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

export const toCsv = (header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>) =>
  [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'

/** Saves text as a file through a temporary object URL. */
export function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

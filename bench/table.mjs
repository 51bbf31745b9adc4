// Plain-text tables and number formats for the bench output (console.table adds an index column and
// quotes strings, which makes the numbers harder to read and to paste into a PR).

/** Prints `rows` (arrays of cells) under `title` with a header; numbers are right-aligned. */
export function printTable(title, header, rows) {
  const cells = [header, ...rows].map((row) => row.map((cell) => (cell === undefined || cell === null ? '' : String(cell))))
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || /^[\d.,]+( ?[%×x]|ms|KB| KB)?$/.test(String(row[i] ?? ''))))
  const line = (row) => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()
  console.log(`\n${title}`)
  console.log(line(cells[0]))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of cells.slice(1)) console.log(line(row))
}

/** 12345 → "12,345": byte counts stay exact but readable. */
export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')

/** Fixed decimals, or n/a for a missing measurement. */
export const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')

/** Bytes as kB with one decimal (1 kB = 1,000 bytes: the unit of DESIGN's peer references). */
export const kb = (bytes) => (Number.isFinite(bytes) ? (bytes / 1000).toFixed(1) : 'n/a')

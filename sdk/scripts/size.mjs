// Size gate of the script-tag build: raw, gzip (level 9) and brotli (quality 11) bytes of sdk/dist/cairn.js
// and, on their own lines, of its lazy chunks (sdk/dist/cairn-*.js, e.g. web-vitals), which the core budget
// does not count. CLI: node sdk/scripts/size.mjs [file] — exits 1 when the core's brotli is over 4,096 bytes
// or a chunk's is over its own budget.
import { readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

export const BUDGET_BROTLI = 4096
/** Each lazy chunk: loaded after the page's load event, but still kept small. */
export const CHUNK_BUDGET_BROTLI = 2560
export const DEFAULT_PATH = fileURLToPath(new URL('../dist/cairn.js', import.meta.url))

/** Sizes in bytes of one file: { raw, gzip, brotli }. */
export function measure(path = DEFAULT_PATH) {
  const source = readFileSync(path)
  return {
    raw: source.length,
    gzip: gzipSync(source, { level: 9 }).length,
    brotli: brotliCompressSync(source, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
      },
    }).length,
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? DEFAULT_PATH
  const rows = {}
  let over = false
  const room = (sizes, budget) => {
    const left = budget - sizes.brotli
    over ||= left < 0
    return `${budget} B: ${left >= 0 ? `${left} B left` : `${-left} B over`}`
  }
  try {
    const core = measure(path)
    rows[`${basename(path)} (core)`] = { ...core, 'brotli budget': room(core, BUDGET_BROTLI) }
    // Lazy chunks sit next to the core build (only when measuring it).
    if (!process.argv[2])
      for (const name of readdirSync(dirname(path)).filter((name) => /^cairn-.+\.js$/.test(name)).sort()) {
        const chunk = measure(join(dirname(path), name))
        rows[`${name} (lazy chunk)`] = { ...chunk, 'brotli budget': room(chunk, CHUNK_BUDGET_BROTLI) }
      }
  } catch (error) {
    console.error(`size: cannot read ${path} (build first: npx rollup -c sdk/rollup.config.mjs): ${error.message}`)
    process.exit(1)
  }
  console.log(dirname(path))
  console.table(rows)
  if (over) {
    console.error('size: over budget')
    process.exit(1)
  }
}

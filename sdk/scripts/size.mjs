// Size gate of the script-tag build: raw, gzip (level 9) and brotli (quality 11) bytes of sdk/dist/cairn.js.
// CLI: node sdk/scripts/size.mjs [file] — exits 1 when brotli is over the 4,096-byte budget.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

export const BUDGET_BROTLI = 4096
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
  let sizes
  try {
    sizes = measure(path)
  } catch (error) {
    console.error(`size: cannot read ${path} (build first: npx rollup -c sdk/rollup.config.mjs): ${error.message}`)
    process.exit(1)
  }
  const room = BUDGET_BROTLI - sizes.brotli
  console.log(`${path}`)
  console.table({ raw: sizes.raw, gzip: sizes.gzip, brotli: sizes.brotli })
  console.log(`brotli budget ${BUDGET_BROTLI} B: ${room >= 0 ? `${room} B left` : `${-room} B over`}`)
  if (room < 0) process.exit(1)
}

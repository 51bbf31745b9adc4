// The built script-tag files (npm test builds them first): the core within its budget and without the
// message renderer, which lives in its lazy chunk.
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without type declarations
import { BUDGET_BROTLI, CHUNK_BUDGET_BROTLI, measure } from '../scripts/size.mjs'

const dist = new URL('../dist/', import.meta.url)
const read = (name: string) => {
  const path = new URL(name, dist)
  if (!existsSync(path)) throw new Error(`sdk/dist/${name} missing: build first (npx rollup -c sdk/rollup.config.mjs)`)
  return { path, text: readFileSync(path, 'utf8') }
}

describe('script-tag build', () => {
  // Catches: the banner/modal renderer bundled into the core again (its bytes would count against the
  // core budget and load on pages with no message), or the core over budget.
  it('keeps the renderer out of the core, in a small lazy chunk', () => {
    const core = read('cairn.js')
    const chunk = read('cairn-messages.js')
    for (const marker of ['Dismiss', 'showModal', 'aria-labelledby', 'position:fixed']) {
      expect(core.text).not.toContain(marker)
      expect(chunk.text).toContain(marker)
    }
    expect(core.text).toContain('sdk-messages.js')
    expect(measure(core.path.pathname).brotli).toBeLessThanOrEqual(BUDGET_BROTLI)
    expect(measure(chunk.path.pathname).brotli).toBeLessThanOrEqual(CHUNK_BUDGET_BROTLI)
  })
})

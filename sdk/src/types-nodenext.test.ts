/// <reference types="node" />
// The ESM package's types as an app compiled with `moduleResolution: NodeNext` sees them: built .d.ts files
// (run the build first: node scripts/build.mjs) imported through the package's `exports`.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const sdk = fileURLToPath(new URL('..', import.meta.url))
const app = mkdtempSync(join(tmpdir(), 'cairn-nodenext-'))
afterAll(() => rmSync(app, { recursive: true, force: true }))

/** Type errors of a consumer module compiled with NodeNext against the built package. */
function typeErrors(source: string): string[] {
  mkdirSync(join(app, 'node_modules', '@cairn'), { recursive: true })
  if (!existsSync(join(app, 'node_modules', '@cairn', 'sdk'))) symlinkSync(sdk, join(app, 'node_modules', '@cairn', 'sdk'), 'dir')
  writeFileSync(join(app, 'package.json'), '{"type":"module"}')
  writeFileSync(join(app, 'app.ts'), source)
  const program = ts.createProgram([join(app, 'app.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    // The package's own .d.ts files are what is under test.
    skipLibCheck: false,
  })
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

describe('ESM types under moduleResolution NodeNext', () => {
  it('is built', () => {
    expect(existsSync(join(sdk, 'dist/esm/sdk/src/index.d.ts')), 'build first: node scripts/build.mjs').toBe(true)
  })

  // Catches: extension-less relative imports in the .d.ts files (NodeNext refuses them) and a types path
  // in package.json that does not exist.
  it('typechecks a consumer using the public API', { timeout: 60_000 }, () => {
    const errors = typeErrors(`
import { createCairn, identify, init, reset, track, type Cairn, type Campaign, type CairnEvent } from '@cairn/sdk'
init({ site: 'pk_demo', consent: 'required' })
identify(null, { email: 'ada@example.com' })
reset()
track('Signed Up', { plan: 'growth' })
const campaign: Campaign = { utm_campaign: 'spring', gclid: 'g' }
const cairn: Cairn = createCairn({ site: 'pk_demo' })
cairn.reset()
export const type: CairnEvent['type'] = 'identify'
export { campaign }
`)
    expect(errors).toEqual([])
  })

  // Catches: types that resolve to `any` (a missing declaration would accept everything).
  it('still rejects wrong calls', { timeout: 60_000 }, () => {
    const errors = typeErrors(`
import { init, identify } from '@cairn/sdk'
init({ sitee: 'pk_demo' })
identify(42)
`)
    expect(errors.length).toBe(2)
  })
})

// `npm run deps`: checks the import rules of .dependency-cruiser.cjs (no cycles; routes → services →
// domain/db one way) over the Worker and the SDK. Uses dependency-cruiser's API: its CLI refuses Node 20.
import { createRequire } from 'node:module'
import { cruise } from 'dependency-cruiser'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

const require = createRequire(import.meta.url)
const config = require('../.dependency-cruiser.cjs')
const roots = ['worker/src', 'sdk/src']

const result = await cruise(roots, { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true }, undefined, {
  tsConfig: extractTSConfig(config.options.tsConfig.fileName),
})
const { violations, totalCruised } = result.output.summary
for (const v of violations) {
  const path = v.cycle ? [v.from, ...v.cycle.map((step) => step.name ?? step)] : [v.from, v.to]
  console.error(`${v.rule.severity} ${v.rule.name}: ${path.join(' → ')}`)
}
console.log(`deps: ${totalCruised} modules, ${violations.length} violation(s)`)
process.exit(violations.some((v) => v.rule.severity === 'error') ? 1 : 0)

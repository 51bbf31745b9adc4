// Builds the script-tag IIFE (sdk/dist/cairn.js, minified, `_` properties mangled), its lazy web-vitals
// chunk (sdk/dist/cairn-vitals.js, a second IIFE the Worker serves as /sdk-vitals.js) and the ESM package
// (sdk/dist/esm/index.js + .d.ts). Run from the repo root: npx rollup -c sdk/rollup.config.mjs
import { fileURLToPath } from 'node:url'
import typescript from '@rollup/plugin-typescript'
import terser from '@rollup/plugin-terser'
import { nodeResolve } from '@rollup/plugin-node-resolve'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const tsconfig = here('./tsconfig.build.json')

/** The script-tag entries are not part of the npm package's types. */
const dropIifeTypes = {
  name: 'drop-iife-types',
  generateBundle(_, bundle) {
    for (const name of Object.keys(bundle)) if (/(^|\/)(iife|vitals|messages)\.d\.ts/.test(name)) delete bundle[name]
  },
}

/** A minified script-tag IIFE; `ascii_only` keeps the bundle independent of the page's charset. */
const iife = (input, file) => ({
  input: here(input),
  output: { file: here(file), format: 'iife', strict: false, sourcemap: false },
  plugins: [
    nodeResolve(),
    typescript({ tsconfig, declaration: false, noEmit: false }),
    terser({
      ecma: 2020,
      compress: { passes: 3, unsafe: true, unsafe_arrows: true, pure_getters: true },
      mangle: { properties: { regex: /^_/ } },
      format: { comments: false, ascii_only: true },
    }),
  ],
})

export default [
  iife('./src/iife.ts', './dist/cairn.js'),
  iife('./src/vitals.ts', './dist/cairn-vitals.js'),
  iife('./src/messages.ts', './dist/cairn-messages.js'),
  {
    input: here('./src/index.ts'),
    output: { dir: here('./dist/esm'), format: 'es', sourcemap: true },
    plugins: [
      nodeResolve(),
      typescript({ tsconfig, declaration: true, outDir: here('./dist/esm'), declarationDir: here('./dist/esm') }),
      dropIifeTypes,
    ],
  },
]

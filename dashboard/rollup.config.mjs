// Builds the dashboard (TypeScript + hono/jsx/dom) into one minified ES module, dashboard/dist/app.js, which
// scripts/build.mjs copies to public/dashboard/. Run from the repo root: npx rollup -c dashboard/rollup.config.mjs
import { fileURLToPath } from 'node:url'
import typescript from '@rollup/plugin-typescript'
import terser from '@rollup/plugin-terser'
import { nodeResolve } from '@rollup/plugin-node-resolve'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

export default {
  input: here('./src/main.tsx'),
  output: { file: here('./dist/app.js'), format: 'es', sourcemap: true },
  // hono's jsx modules import each other; that is theirs and harmless. Our own cycles still warn.
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return
    warn(warning)
  },
  plugins: [
    nodeResolve({ browser: true }),
    // Type errors fail `npm run typecheck`; the bundle itself only strips types.
    typescript({ tsconfig: here('./tsconfig.json'), noEmit: false, noEmitOnError: false, sourceMap: true, inlineSources: false }),
    terser({ ecma: 2020, format: { comments: false, ascii_only: true } }),
  ],
}

import { rollup } from 'rollup'
import typescript from '@rollup/plugin-typescript'
import terser from '@rollup/plugin-terser'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import { brotliCompressSync, constants } from 'node:zlib'
const variants = JSON.parse(process.argv[2])
const bundle = await rollup({ input: 'sdk/src/iife.ts', plugins: [nodeResolve(), typescript({ tsconfig: 'sdk/tsconfig.build.json', declaration: false, noEmit: false })] })
const { output } = await bundle.generate({ format: 'iife', strict: false })
const code = output[0].code
const { minify } = await import('terser')
for (const [name, opts] of Object.entries(variants)) {
  const r = await minify(code, opts)
  const b = brotliCompressSync(Buffer.from(r.code), { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: r.code.length } }).length
  console.log(name, r.code.length, b)
}

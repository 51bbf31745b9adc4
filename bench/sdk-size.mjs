// Section 1: raw / gzip-9 / brotli-11 bytes of Cairn's script-tag build beside the peers' script-tag
// builds, installed from npm in the same run (cached per day in bench/.peers/) and measured the same way.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { measure } from '../sdk/scripts/size.mjs'
import { run } from '../scripts/run.mjs'
import { fixed, int, kb, printTable } from './table.mjs'

const INSTALL_TIMEOUT_MS = 180_000

/**
 * The peers and how a site loads each with one <script> tag. `candidates` are tried in order: the first
 * file that exists wins; `minify` / `bundle` mark files the npm package does not ship ready for a tag.
 */
export const PEERS = [
  {
    name: 'Plausible',
    pkg: 'plausible-tracker',
    candidates: [{ bundle: 'build/module/index.js', global: 'Plausible' }],
    note: 'tracking only; npm ships modules, not the tag build: bundled to a minified IIFE by the bench',
  },
  {
    name: 'GrowthBook',
    pkg: '@growthbook/growthbook',
    candidates: [{ file: 'dist/bundles/auto.min.js' }, { file: 'dist/bundles/index.min.js' }],
    note: 'auto.min.js is the documented script-tag build (initializes itself); the bare UMD index.min.js is smaller',
  },
  {
    name: 'Segment',
    pkg: '@segment/analytics-next',
    candidates: [{ file: 'dist/umd/standalone.js' }],
    note: 'lazy-loads more chunks (destinations, tsub middleware, auto-track) after it starts',
  },
  {
    name: 'Mixpanel',
    pkg: 'mixpanel-browser',
    candidates: [{ file: 'dist/mixpanel.min.js' }],
    note: 'the full library the CDN snippet loads; session recorder loads lazily',
  },
  {
    name: 'RudderStack',
    pkg: '@rudderstack/analytics-js',
    candidates: [{ file: 'dist/cdn/modern/iife/rsa.min.js' }, { minify: 'dist/npm/modern/umd/index.js' }],
    note: 'npm has no CDN build (rsa.min.js): its UMD, minified by the bench, stands in; plugins load lazily',
  },
  {
    name: 'PostHog',
    pkg: 'posthog-js',
    candidates: [{ file: 'dist/array.js' }],
    note: 'array.js is what the snippet loads; recorder, surveys, toolbar load lazily',
  },
]

/** Makes sure the script-tag build exists (run.mjs normally built it already). */
async function ensureCairnBuild(root) {
  const path = join(root, 'sdk', 'dist', 'cairn.js')
  if (!existsSync(path)) await run('npx', ['rollup', '-c', 'sdk/rollup.config.mjs', '--silent'], { cwd: root, quiet: true })
  return path
}

/** Runs npm with a time limit: an unreachable registry must not hang the bench. */
export function npmInstall(prefix, packages) {
  const args = ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, ...packages]
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`npm ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`))
    })
  })
}

/** Moves a folder, copying when it crosses file systems (os.tmpdir() may be another mount). */
export function moveDir(from, to) {
  try {
    renameSync(from, to)
  } catch (error) {
    if (error.code !== 'EXDEV') throw error
    cpSync(from, to, { recursive: true })
    rmSync(from, { recursive: true, force: true })
  }
}

/** Today's peer install: reused when a run already installed them today, otherwise installed fresh. */
async function installPeers(benchDir, log) {
  const cacheRoot = join(benchDir, '.peers')
  const day = new Date().toISOString().slice(0, 10)
  const dir = join(cacheRoot, day)
  const complete = join(dir, '.complete')
  if (existsSync(complete)) return { dir, cached: true }
  const tmp = mkdtempSync(join(tmpdir(), 'cairn-peers-'))
  try {
    log(`installing ${PEERS.length} peers from npm into ${tmp} …`)
    await npmInstall(tmp, PEERS.map((peer) => peer.pkg))
    // Older days are stale versions: keep only today's folder.
    rmSync(cacheRoot, { recursive: true, force: true })
    mkdirSync(cacheRoot, { recursive: true })
    moveDir(tmp, dir)
    writeFileSync(complete, new Date().toISOString())
    return { dir, cached: false }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Minifies a UMD that npm ships unminified, as its CDN build would be (terser, like Cairn's build). */
async function minifyFile(source, out) {
  const { minify } = await import('terser')
  const result = await minify(readFileSync(source, 'utf8'), {
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  })
  writeFileSync(out, result.code)
}

/** Bundles an ESM entry and its imports into one minified IIFE, as a script-tag build would be. */
async function bundleIife(entry, global, out) {
  const { rollup } = await import('rollup')
  const { nodeResolve } = await import('@rollup/plugin-node-resolve')
  const { minify } = await import('terser')
  const bundle = await rollup({ input: entry, plugins: [nodeResolve({ browser: true })], onwarn: () => {} })
  try {
    const { output } = await bundle.generate({ format: 'iife', name: global, exports: 'auto' })
    const result = await minify(output[0].code, { ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } })
    writeFileSync(out, result.code)
  } finally {
    await bundle.close()
  }
}

/** Picks (and, where needed, produces) the script-tag file of one installed peer. */
async function peerFile(peer, peersDir) {
  const pkgDir = join(peersDir, 'node_modules', peer.pkg)
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
  const built = join(peersDir, 'built')
  mkdirSync(built, { recursive: true })
  const safe = peer.pkg.replace(/[@/]/g, '_')
  for (const candidate of peer.candidates) {
    if (candidate.file && existsSync(join(pkgDir, candidate.file))) {
      return { version, path: join(pkgDir, candidate.file), shown: candidate.file, how: 'as shipped' }
    }
    if (candidate.minify && existsSync(join(pkgDir, candidate.minify))) {
      const out = join(built, `${safe}-${version}.min.js`)
      if (!existsSync(out)) await minifyFile(join(pkgDir, candidate.minify), out)
      return { version, path: out, shown: `${candidate.minify} (terser by bench)`, how: 'minified by bench' }
    }
    if (candidate.bundle && existsSync(join(pkgDir, candidate.bundle))) {
      const out = join(built, `${safe}-${version}.iife.min.js`)
      if (!existsSync(out)) await bundleIife(join(pkgDir, candidate.bundle), candidate.global, out)
      return { version, path: out, shown: `${candidate.bundle} (IIFE by bench)`, how: 'bundled by bench' }
    }
  }
  throw new Error(`${peer.pkg}@${version}: none of ${peer.candidates.map((c) => c.file ?? c.minify ?? c.bundle).join(', ')} exists`)
}

/** Measures Cairn (plus its lazy chunks) and, unless disabled, each peer. */
export async function sdkSizeSection({ root, benchDir, peers = true, log = console.log }) {
  const cairnPath = await ensureCairnBuild(root)
  const cairn = { file: relative(root, cairnPath), builtAt: statSync(cairnPath).mtime.toISOString(), ...measure(cairnPath) }
  const distDir = join(root, 'sdk', 'dist')
  // Lazy chunks (e.g. web-vitals) are not part of the core budget; shown so they are not forgotten.
  const chunks = readdirSync(distDir)
    .filter((name) => /^cairn-.+\.js$/.test(name))
    .map((name) => ({ file: `sdk/dist/${name}`, ...measure(join(distDir, name)) }))

  const result = { cairn, chunks, peers: [], peersSkipped: !peers, peersError: null }
  if (peers) {
    try {
      const { dir, cached } = await installPeers(benchDir, log)
      result.peersInstall = { dir: relative(root, dir), cached }
      for (const peer of PEERS) {
        const file = await peerFile(peer, dir)
        const sizes = measure(file.path)
        result.peers.push({
          name: peer.name,
          pkg: peer.pkg,
          version: file.version,
          file: file.shown,
          how: file.how,
          note: peer.note,
          ...sizes,
          ratio: sizes.brotli / cairn.brotli,
        })
      }
    } catch (error) {
      result.peersError = error.message
    }
  }
  printSdkSize(result)
  return result
}

function printSdkSize(result) {
  const { cairn, chunks, peers } = result
  const row = (name, version, file, s, ratio) => [name, version, file, int(s.raw), int(s.gzip), int(s.brotli), kb(s.brotli), ratio]
  const rows = [row('Cairn (core)', '', cairn.file, cairn, '1.0×')]
  for (const chunk of chunks) rows.push(row('Cairn (lazy chunk)', '', chunk.file, chunk, ''))
  for (const peer of peers) rows.push(row(peer.name, peer.version, `${peer.pkg}/${peer.file}`, peer, `${fixed(peer.ratio)}×`))
  printTable(
    '1. SDK size: script-tag builds, bytes (gzip level 9, brotli quality 11); ratio = peer brotli / Cairn brotli',
    ['library', 'version', 'file', 'raw', 'gzip', 'brotli', 'br kB', 'ratio'],
    rows,
  )
  console.log(`   Cairn build: ${cairn.builtAt}`)
  if (result.peersSkipped) console.log('   peers skipped (--no-peers)')
  else if (result.peersError) console.log(`   peers not measured: ${result.peersError}`)
  else {
    console.log(`   peers ${result.peersInstall.cached ? 'from today’s cache' : 'installed from npm this run'} (${result.peersInstall.dir})`)
    for (const peer of peers) console.log(`   ${peer.name}: ${peer.note}`)
  }
}

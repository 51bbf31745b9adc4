// Local D1: applies migrations/ and seeds the demo site (idempotent upserts), for `npm start` and the
// browser tests. `persistTo` keeps test state apart from the developer's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from './run.mjs'

const sqlString = (value) => `'${String(value).replaceAll("'", "''")}'`

export function demoSeedSql({ port }) {
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  const site = {
    id: 'site_demo',
    key: 'pk_demo',
    name: 'Acme CRM (demo)',
    origins: JSON.stringify(origins),
    origin: `http://127.0.0.1:${port}`,
    hostnames: '[]',
    settings: JSON.stringify({ postalAddress: 'Acme Inc., 1 Demo Street, Springfield' }),
  }
  return `insert into sites (id, key, name, origins, origin, hostnames, settings)
values (${[site.id, site.key, site.name, site.origins, site.origin, site.hostnames, site.settings].map(sqlString).join(', ')})
on conflict (id) do update set key = excluded.key, name = excluded.name, origins = excluded.origins,
  origin = excluded.origin, updated_at = cast(unixepoch('subsecond') * 1000 as integer);\n`
}

export async function prepareLocalDb({ cwd, port, persistTo, quiet = false }) {
  const persist = persistTo ? ['--persist-to', persistTo] : []
  await run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'cairn', '--local', ...persist], {
    cwd,
    quiet,
    env: { CI: 'true' }, // no interactive confirmation
  })
  const dir = mkdtempSync(join(tmpdir(), 'cairn-seed-'))
  const file = join(dir, 'seed.sql')
  writeFileSync(file, demoSeedSql({ port }))
  try {
    await run('npx', ['wrangler', 'd1', 'execute', 'cairn', '--local', '--file', file, ...persist], { cwd, quiet })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

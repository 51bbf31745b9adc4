// Three projects: `unit` (pure SDK modules in Node), `worker` (workerd with real D1, Queues and the real
// migrations), `browser` (Debian's Chromium against `wrangler dev`).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations')
  return {
    test: {
      projects: [
        {
          test: { name: 'unit', include: ['sdk/src/**/*.test.ts'], environment: 'node' },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: 'test-admin-token', ENVIRONMENT: 'test' },
                // Same binding as wrangler.toml with a lower limit, so the 429 test stays fast.
                ratelimits: { INGEST_LIMITER: { simple: { limit: 50, period: 60 } } },
              },
            }),
          ],
          test: {
            name: 'worker',
            include: ['worker/src/**/*.test.ts', 'test/worker/**/*.test.ts'],
            setupFiles: ['test/worker/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            globalSetup: ['test/browser/global-setup.ts'],
            fileParallelism: false,
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  }
})

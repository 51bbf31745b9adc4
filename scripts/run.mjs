// Runs a command, inheriting output (or capturing it when quiet); rejects on a non-zero exit.
import { spawn } from 'node:child_process'

/**
 * Environment for local wrangler runs: no telemetry, no banner with its npm update check, and no fetch of
 * the `Request.cf` object from workers.cloudflare.com (offline it prints a stack trace; a placeholder is used).
 */
export const LOCAL_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

export function run(command, args, { cwd, quiet = false, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: quiet ? 'pipe' : 'inherit' })
    let output = ''
    child.stdout?.on('data', (d) => (output += d))
    child.stderr?.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${output}`)),
    )
  })
}

// Bearer-token guard for /api/*. The token comes from the environment only; compared in constant time.
import { createMiddleware } from 'hono/factory'
import { ApiError } from './errors'

const DEV_TOKEN = 'dev-admin-token'

async function digest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
}

/** Equal-length digests make the comparison's time independent of where the strings differ. */
export async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)])
  return crypto.subtle.timingSafeEqual(a, b)
}

export type AdminAuthOptions = { isDevelopment: (env: Env) => boolean }

export const adminAuth = ({ isDevelopment }: AdminAuthOptions) =>
  createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const expected = (c.env.ADMIN_TOKEN as string | undefined)?.trim()
    // Outside local development the well-known dev token counts as no token at all.
    if (!expected || (expected === DEV_TOKEN && !isDevelopment(c.env))) {
      throw new ApiError(503, 'admin_disabled', 'Admin routes are disabled: set the ADMIN_TOKEN secret to enable them.')
    }
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(.+)$/i.exec(header)
    if (!match || !(await tokensMatch(match[1]!.trim(), expected))) {
      throw new ApiError(401, 'unauthorized', 'Missing or invalid admin token (Authorization: Bearer …).', undefined, {
        'WWW-Authenticate': 'Bearer realm="cairn-admin"',
      })
    }
    await next()
  })

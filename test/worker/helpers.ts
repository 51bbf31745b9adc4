// Helpers for integration tests: requests to the real Worker (workerd, real D1 and Queues).
import { env, exports } from 'cloudflare:workers'

export const ADMIN_TOKEN = 'test-admin-token'
export const ORIGIN = 'https://acme.test'
export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

/** The public host: /v1, the SDK and edge mode (/edge/KEY/…). */
export const PUBLIC_BASE = 'https://cairn.test'
/** The admin host (ADMIN_HOST in vitest.config.ts): the dashboard and /api answer only here. */
export const ADMIN_BASE = 'https://admin.cairn.test'

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${PUBLIC_BASE}${path}`, init))
}

/** A request to the admin host without the admin token. */
export function callAdminHost(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${ADMIN_BASE}${path}`, init))
}

export function admin(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init
  const headers = new Headers(rest.headers)
  headers.set('authorization', `Bearer ${ADMIN_TOKEN}`)
  if (json !== undefined) headers.set('content-type', 'application/json')
  return callAdminHost(path, { ...rest, headers, body: json === undefined ? rest.body : JSON.stringify(json) })
}

export type TestSite = { id: string; key: string }

export async function createSite(overrides: Record<string, unknown> = {}): Promise<TestSite> {
  const response = await admin('/api/sites', {
    method: 'POST',
    json: { name: 'Acme', origins: [ORIGIN, 'https://*.acme.dev'], ...overrides },
  })
  if (response.status !== 201) throw new Error(`createSite: ${response.status} ${await response.text()}`)
  return (await response.json()) as TestSite
}

let counter = 0
export const uniqueId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`

export function pageEvent(anonymousId: string, url: string, extra: Record<string, unknown> = {}) {
  return {
    id: uniqueId('e_'),
    type: 'page',
    anonymousId,
    timestamp: new Date().toISOString(),
    context: { url, title: 'Page' },
    ...extra,
  }
}

export function trackEvent(anonymousId: string, event: string, properties: Record<string, unknown> = {}) {
  return {
    id: uniqueId('e_'),
    type: 'track',
    event,
    anonymousId,
    properties,
    timestamp: new Date().toISOString(),
    context: { url: `${ORIGIN}/` },
  }
}

export function identifyEvent(anonymousId: string, userId: string | null, traits: Record<string, unknown>) {
  return {
    id: uniqueId('e_'),
    type: 'identify',
    anonymousId,
    userId,
    traits,
    timestamp: new Date().toISOString(),
    context: { url: `${ORIGIN}/signup` },
  }
}

export type SendOptions = { origin?: string | null; contentType?: string; ip?: string; userAgent?: string; sentAt?: string }

export function sendEvents(site: string, batch: unknown[], options: SendOptions = {}): Promise<Response> {
  return sendRaw(JSON.stringify({ site, sentAt: options.sentAt ?? new Date().toISOString(), batch }), options)
}

export function sendRaw(body: BodyInit, options: SendOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'text/plain;charset=UTF-8',
    'user-agent': options.userAgent ?? BROWSER_UA,
    'cf-connecting-ip': options.ip ?? `203.0.113.${Math.floor(Math.random() * 250)}`,
  }
  if (options.origin !== null) headers.origin = options.origin ?? ORIGIN
  return call('/v1/events', { method: 'POST', headers, body })
}

export async function leadsOf(siteId: string, query: string): Promise<Array<Record<string, any>>> {
  const response = await admin(`/api/sites/${siteId}/leads?${query}`)
  if (response.status !== 200) throw new Error(`leads: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { leads: Array<Record<string, any>> }).leads
}

export type LeadsPage = { leads: Array<Record<string, any>>; total: number; nextCursor: string | null }

/** One page of the admin leads list, with its total and the cursor to the next page. */
export async function leadsPage(siteId: string, query: string): Promise<LeadsPage> {
  const response = await admin(`/api/sites/${siteId}/leads?${query}`)
  if (response.status !== 200) throw new Error(`leads: ${response.status} ${await response.text()}`)
  return (await response.json()) as LeadsPage
}

export async function countRows(table: 'events' | 'leads' | 'visitors', siteId: string): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where site_id = ?`).bind(siteId).first<{ n: number }>()
  return row?.n ?? 0
}

/** The real D1 binding, counting statements prepared, batches run and batches that write. */
export function countingD1(d1: D1Database) {
  const counts = { statements: 0, batches: 0, writeBatches: 0 }
  const sqlOf = new WeakMap<D1PreparedStatement, string>()
  const counted = new Proxy(d1, {
    get(target, property) {
      if (property === 'prepare') {
        return (query: string) => {
          counts.statements++
          const statement = target.prepare(query)
          const bind = statement.bind.bind(statement)
          // Bound copies are what batches run: they carry the SQL too.
          statement.bind = (...values: unknown[]) => {
            const bound = bind(...values)
            sqlOf.set(bound, query)
            return bound
          }
          sqlOf.set(statement, query)
          return statement
        }
      }
      if (property === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.batches++
          if (statements.some((s) => /^\s*(insert|update|delete)/i.test(sqlOf.get(s) ?? ''))) counts.writeBatches++
          return target.batch(statements)
        }
      }
      const value = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { d1: counted, counts }
}

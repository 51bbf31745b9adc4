// The one fetch wrapper: relative /api URLs, the admin token, JSON in and out, the JSON error shape as ApiError.
import type { ErrorBody, ErrorIssue } from './types'
import { session } from '../store'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ErrorIssue[] = [],
  ) {
    super(message)
  }
}

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  csv?: string
  signal?: AbortSignal
  /** Sign-in checks a token before it is stored. */
  token?: string
}

export async function request<T>(path: string, { method = 'GET', body, csv, signal, token = session.get().token ?? '' }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (csv !== undefined) headers['content-type'] = 'text/csv'
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: csv ?? (body === undefined ? undefined : JSON.stringify(body)), cache: 'no-store', signal })
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError(0, 'network_error', 'Cannot reach the Worker. Is it running?')
  }
  const data: unknown = response.status === 204 ? null : await response.json().catch(() => null)
  if (response.ok) return data as T
  const error = (data as Partial<ErrorBody> | null)?.error
  const failure = new ApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? `Request failed (HTTP ${response.status}).`,
    Array.isArray(error?.issues) ? error.issues : [],
  )
  // A revoked or changed token ends the session wherever it is noticed.
  if (isAuthFailure(failure) && token === session.get().token) session.signOut(authMessage(failure))
  throw failure
}

export const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError'
export const isAuthFailure = (error: unknown): error is ApiError => error instanceof ApiError && (error.status === 401 || error.status === 503)
const authMessage = (error: ApiError) => (error.status === 401 ? 'Your session has expired or the token changed. Sign in again.' : error.message)

/** "message · path: issue · path: issue" */
export const errorText = (error: unknown): string =>
  error instanceof ApiError
    ? [error.message, ...error.issues.map((i) => `${i.path}: ${i.message}`)].join(' · ')
    : error instanceof Error
      ? error.message
      : String(error)

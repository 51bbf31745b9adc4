// The one JSON error shape of API.md: {"error":{"code","message","issues"?}}.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { core } from 'zod'

type ZodError = core.$ZodError

export type ErrorIssue = { path: string; message: string }

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: ErrorIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message })
  }
}

export const zodIssues = (error: ZodError): ErrorIssue[] =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))

export const invalidRequest = (error: ZodError) =>
  new ApiError(400, 'invalid_request', 'The request does not match the expected schema.', zodIssues(error))

const CODE_FOR_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  429: 'rate_limited',
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body = { error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } }
  return c.json(body, error.status, error.headers)
}

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err)
  if (err instanceof HTTPException) {
    const code = CODE_FOR_STATUS[err.status] ?? 'error'
    return errorResponse(c, new ApiError(err.status as ContentfulStatusCode, code, err.message || code))
  }
  console.error('unhandled error', err)
  return errorResponse(c, new ApiError(500, 'internal_error', 'Something went wrong on our side; nothing was changed.'))
}

export const notFound: NotFoundHandler = (c) =>
  errorResponse(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`))

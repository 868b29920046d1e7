import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodError } from 'zod'
import { respond } from './respond.ts'
import { EdgelogError, malformedBody, payloadTooLarge, type ValidationIssue } from '../core/errors.ts'

/** Zod issues as `{ path, message }`, paths in dotted form (`events.0.type`). */
export function issuesOf(error: ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
}

const KIND_BY_STATUS: Record<number, [string, string]> = {
  400: ['invalid-request', 'Invalid request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
}

/** Maps anything thrown to an EdgelogError; unknown errors become a 500 with no internals. */
export function toEdgelogError(err: unknown, c: Context): EdgelogError {
  if (err instanceof EdgelogError) return err
  if (err instanceof HTTPException) {
    if (err.status === 400 && /Malformed JSON/i.test(err.message)) {
      return malformedBody('The JSON body cannot be parsed; send a valid JSON document.')
    }
    if (err.status === 413) return payloadTooLarge(err.message)
    // hono/bearer-auth answers 400 to an Authorization header that is not `Bearer <token>`
    // (Basic, or no token). That request carries no bearer credentials: RFC 6750 §3.1 makes
    // it a 401 challenge, like a missing header.
    const authError = err.res?.headers.get('WWW-Authenticate')
    if (err.status === 400 && authError?.startsWith('Bearer')) {
      return new EdgelogError({
        status: 401,
        kind: 'unauthorized',
        title: 'Unauthorized',
        detail: 'Send a valid token in an Authorization: Bearer <token> header.',
        headers: { 'WWW-Authenticate': 'Bearer realm="edgelog"' },
      })
    }
    const [kind, title] = KIND_BY_STATUS[err.status] ?? ['http-error', 'HTTP error']
    const headers: Record<string, string> = {}
    const challenge = err.res?.headers.get('WWW-Authenticate')
    if (challenge) headers['WWW-Authenticate'] = challenge
    const detail =
      err.status === 401
        ? 'Send a valid token in an Authorization: Bearer header.'
        : err.status === 415
          ? 'Send the body as application/json or application/cbor.'
          : err.message || title
    return new EdgelogError({ status: err.status, kind, title, detail, headers })
  }
  return new EdgelogError({ status: 500, kind: 'internal-error', title: 'Internal error', detail: `An unexpected error occurred; quote request id ${c.get('requestId') ?? '-'} when reporting it.` })
}

/** The members of an RFC 9457 problem document for an error of this request. */
export function problemBody(c: Context, e: EdgelogError) {
  return { type: e.type, title: e.title, status: e.status, detail: e.message, instance: c.req.path, ...e.extensions }
}

/** RFC 9457 problem document, with the request id (respond.ts). */
export function problemResponse(c: Context, e: EdgelogError): Response {
  return respond(c, JSON.stringify(problemBody(c, e)), e.status, { 'Content-Type': 'application/problem+json', ...e.headers })
}

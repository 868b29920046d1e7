import { z } from '@hono/zod-openapi'
import type { ZodType } from 'zod'
import { Problems } from './schemas.ts'

/**
 * The same schema under both request media types (validated for JSON by Hono, for CBOR by
 * cborBody). `required: false` only for the router: with `true`, @hono/zod-openapi runs its
 * JSON validator on CBOR bodies too. The document says required (see requireBodies).
 */
export const bodyContent = <T extends ZodType>(schema: T) => ({
  required: false,
  content: { 'application/json': { schema }, 'application/cbor': { schema } },
})

export const jsonAndCbor = <T extends ZodType>(schema: T) => ({
  'application/json': { schema },
  'application/cbor': { schema },
})

const header = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ description, schema })

/** Response headers (OpenAPI header objects) the routes send. */
export const Headers = {
  ETag: header('the stream revision after this request, as a strong ETag: "7" (send it back in If-Match)', { type: 'string', pattern: '^"\\d+"$' }),
  Location: header('the appended events: /v1/streams/{stream}?from=<first revision>'),
  IdempotentReplayed: header('"true" when this is the original result of an earlier append with the same event ids (nothing was written)', { type: 'string', enum: ['true'] }),
  RetryAfter: header('seconds to wait before retrying', { type: 'integer', minimum: 0 }),
  WWWAuthenticate: header('the Bearer challenge (RFC 6750)'),
  XRequestId: header('this request\'s id (echoed when the client sent one), also in the server log'),
}

type Problem = ZodType
const P = Problems
const oneOf = (...schemas: Problem[]): Problem => (schemas.length === 1 ? schemas[0] : z.union(schemas as [Problem, Problem, ...Problem[]]))

/** Default description and schema of each problem status; a route may name its own 404/409. */
const DEFAULTS: Record<number, { description: string; schema: Problem; headers?: Record<string, unknown> }> = {
  400: { description: 'Invalid request or malformed body; `errors` lists each invalid field', schema: oneOf(P.invalidRequest, P.malformedBody) },
  401: { description: 'Tokens are configured and this request has none, or an unknown one', schema: P.unauthorized, headers: { 'WWW-Authenticate': Headers.WWWAuthenticate } },
  403: { description: 'A read-only token tried to write', schema: P.forbidden },
  404: { description: 'Not found', schema: oneOf(P.notFound, P.streamNotFound, P.streamDeleted, P.retentionNotFound, P.subjectNotFound) },
  409: { description: 'The expected revision did not hold (wrong-expected-revision); nothing changed', schema: P.wrongExpectedRevision },
  410: { description: 'Gone: the stream was hard-deleted (stream-tombstoned) or the data subject erased (subject-erased)', schema: oneOf(P.streamTombstoned, P.subjectErased) },
  406: { description: 'Accept allows neither JSON nor CBOR', schema: P.notAcceptable },
  412: { description: 'If-Match / If-None-Match did not hold; nothing written', schema: P.preconditionFailed },
  413: { description: 'The body is over MAX_BODY_BYTES, or an event over MAX_EVENT_BYTES', schema: P.payloadTooLarge },
  415: { description: 'The body is neither application/json nor application/cbor', schema: P.unsupportedMediaType },
  501: { description: 'This store keeps no consumer checkpoints', schema: P.notImplemented },
  422: { description: 'The database refused this request on a constraint of its own (append-refused); nothing written', schema: P.appendRefused },
  503: {
    description: 'Write queue full, shutting down, or the database unavailable (retry after Retry-After); for an append whose commit got no answer, commit-outcome-unknown (retrying with the same event ids is safe)',
    schema: oneOf(P.unavailable, P.commitOutcomeUnknown, P.tooManySubscriptions),
    headers: { 'Retry-After': Headers.RetryAfter },
  },
}

/** A status with its own description and problem kinds (e.g. which 409s a route answers). */
export type ProblemSpec = number | { status: number; description: string; schemas: Problem[] }

/** Problem responses (RFC 9457, application/problem+json) for the OpenAPI document. */
export function problems(...specs: ProblemSpec[]) {
  return Object.fromEntries(
    specs.map((spec) => {
      const s = typeof spec === 'number' ? { status: spec, ...DEFAULTS[spec] } : { ...DEFAULTS[spec.status], ...spec, schema: oneOf(...spec.schemas) }
      if (!s.schema) throw new Error(`no problem schema for status ${s.status}`)
      return [s.status, { description: s.description, ...(s.headers ? { headers: s.headers } : {}), content: { 'application/problem+json': { schema: s.schema } } }]
    }),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: Problem } } }>
}

/** What every /v1 route may answer: 401 (tokens configured) and 406 (Accept). */
export const V1 = [401, 406] as const
/** What every /v1 write may answer besides: 403 (read-only token), 413, 415, 422, 503. */
export const WRITE = [401, 403, 406, 413, 415, 422, 503] as const

export const wrongRevision409 = (description: string, ...more: Problem[]): ProblemSpec => ({
  status: 409,
  description,
  schemas: [P.wrongExpectedRevision, ...more],
})

/** Every request body of edgelog is required: the document says so (see bodyContent). */
export function requireBodies<D extends { paths?: object }>(doc: D): D {
  for (const item of Object.values(doc.paths ?? {}) as Array<Record<string, { requestBody?: { required?: boolean } }>>) {
    for (const op of Object.values(item)) if (op && typeof op === 'object' && op.requestBody && !('$ref' in op.requestBody)) op.requestBody.required = true
  }
  return doc
}

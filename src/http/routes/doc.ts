import type { ZodType } from 'zod'
import { Problem } from '../schemas.ts'

/** The same schema under both request media types (validated for JSON by Hono, for CBOR by cborBody). */
export const bodyContent = <T extends ZodType>(schema: T) => ({
  required: false,
  content: { 'application/json': { schema }, 'application/cbor': { schema } },
})

export const jsonAndCbor = <T extends ZodType>(schema: T) => ({
  'application/json': { schema },
  'application/cbor': { schema },
})

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (problem+json)',
  401: 'Missing or unknown token',
  403: 'Read-only token',
  404: 'Not found',
  406: 'Accept allows neither JSON nor CBOR',
  409: 'Conflict: wrong expected revision, append condition failed, or event id reused',
  410: 'Gone: the stream was hard-deleted (stream-tombstoned) or the data subject erased (subject-erased)',
  412: 'If-Match / If-None-Match did not hold',
  413: 'Body or event too large',
  415: 'Body is neither JSON nor CBOR',
  422: 'The database refused this request on a constraint of its own (append-refused)',
  503: 'Write queue full or shutting down (Retry-After)',
}

/** Problem responses (RFC 9457) for the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: DESCRIPTIONS[s], content: { 'application/problem+json': { schema: Problem } } }]),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }>
}

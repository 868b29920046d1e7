import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { asPreconditionFailed, invalidRequest } from '../../core/errors.ts'
import { NO_STREAM, type ExpectedRevision } from '../../core/expectedRevision.ts'
import type { AppendResult } from '../../core/types.ts'
import type { AppDeps } from '../deps.ts'
import { bodyOf, cborBody, send, sendEvents, type Env } from '../media.ts'
import * as S from '../schemas.ts'
import { bodyContent, Headers, jsonAndCbor, problems, V1, WRITE, wrongRevision409 } from '../openapi.ts'
import { Problems } from '../schemas.ts'
import { headOfEmpty } from './lifecycle.ts'
import { openapiRoute, type Fast } from '../route.ts'
import { STREAM_NAME } from '../../core/streams.ts'

const StreamParam = z.object({ stream: S.StreamName.openapi({ param: { name: 'stream', in: 'path' } }) })
/** StreamParam's result for a plainly valid name (S.StreamName is this regex). */
export const fastStream: Fast = (p) => (typeof p.stream === 'string' && STREAM_NAME.test(p.stream) ? { stream: p.stream } : undefined)
const CURSOR = /^\d{1,15}$/
/** The append's header schema (optional strings, of which route.ts passes only those present) as it would parse them. */
export const conditionalHeaders: Fast = (h) => h

/** The read query's result when each key present is one plainly valid value (else zod, for its error). */
export const fastReadQuery =
  (maxPageSize: number): Fast =>
  (q) => {
    const out: { from?: number; limit?: number; direction?: 'forward' | 'backward' } = {}
    const { from, limit, direction } = q
    if (from !== undefined) {
      if (typeof from !== 'string' || !CURSOR.test(from)) return undefined
      out.from = Number(from)
    }
    if (limit !== undefined) {
      if (typeof limit !== 'string' || !CURSOR.test(limit)) return undefined
      const n = Number(limit)
      if (n < 1 || n > maxPageSize) return undefined
      out.limit = n
    }
    if (direction !== undefined) {
      if (direction !== 'forward' && direction !== 'backward') return undefined
      out.direction = direction
    }
    return out
  }

/**
 * RFC 9110 §13.1: `If-Match: "7"` = expected revision 7, `If-None-Match: *` = the stream
 * must not exist. A header that disagrees with the body's expectedRevision is a 400.
 */
export function expectedFrom(ifMatch: string | undefined, ifNoneMatch: string | undefined, body: ExpectedRevision | undefined) {
  let header: ExpectedRevision | undefined
  if (ifMatch !== undefined) {
    const m = /^\s*"(\d{1,15})"\s*$/.exec(ifMatch)
    if (!m) throw invalidRequest(`If-Match must be a stream revision as a strong ETag, e.g. "7"; got ${ifMatch}.`)
    header = Number(m[1])
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw invalidRequest('If-None-Match supports only * (the stream must not exist).')
    if (header !== undefined) throw invalidRequest('Send either If-Match or If-None-Match, not both.')
    header = NO_STREAM
  }
  if (header !== undefined && body !== undefined && header !== body) {
    throw invalidRequest(`The conditional header says ${JSON.stringify(header)} but expectedRevision says ${JSON.stringify(body)}.`)
  }
  return { expected: header ?? body ?? 'any', fromHeader: header !== undefined }
}

export function appendHeaders(result: AppendResult, stream: string): Record<string, string> {
  const s = result.streams[0]
  const h: Record<string, string> = { ETag: `"${s.lastRevision}"`, Location: `/v1/streams/${encodeURIComponent(stream)}?from=${s.firstRevision}` }
  if (result.replayed) h['Idempotent-Replayed'] = 'true'
  return h
}

const streamNotFound404 = { status: 404, description: 'The stream has no events', schemas: [Problems.streamNotFound] }

export function registerStreamRoutes(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const { codec, limits } = log
  const appendBody = S.AppendBody(limits.maxEventsPerAppend)
  const fastBody = S.fastAppendBody(limits.maxEventsPerAppend)

  openapiRoute(
    app,
    createRoute({
      method: 'post',
      path: '/v1/streams/{stream}',
      operationId: 'appendToStream',
      summary: 'Append events to a stream',
      description: 'Appends 1..N events atomically. Expected revision from the body or If-Match / If-None-Match.',
      middleware: [cborBody(appendBody, codec, fastBody)] as const,
      request: {
        params: StreamParam,
        headers: z.object({
          'if-match': z.string().optional().openapi({ description: 'expected revision as a strong ETag, e.g. "7" (the ETag of a read or head)', example: '"7"' }),
          'if-none-match': z.string().optional().openapi({ description: '* : the stream must not exist', example: '*' }),
        }),
        body: bodyContent(appendBody),
      },
      responses: {
        201: {
          description: 'Appended (or the original result of a retry, with Idempotent-Replayed: true)',
          headers: { ETag: Headers.ETag, Location: Headers.Location, 'Idempotent-Replayed': Headers.IdempotentReplayed },
          content: jsonAndCbor(S.StreamAppendResult),
        },
        ...problems(
          400,
          wrongRevision409('The expected revision did not hold (wrong-expected-revision), or an event id is already stored for a different event (event-id-reused); nothing written', Problems.eventIdReused),
          410,
          412,
          ...WRITE,
        ),
      },
    }),
    async (c) => {
      const { stream } = c.req.valid('param')
      const body = bodyOf(c, () => c.req.valid('json'))
      const { expected, fromHeader } = expectedFrom(c.req.header('if-match'), c.req.header('if-none-match'), body.expectedRevision)
      let result: AppendResult
      try {
        result = await log.appendToStream(stream, expected, body.events)
      } catch (e) {
        throw fromHeader ? asPreconditionFailed(e) : e
      }
      return send(c, codec, 201, result.streams[0], appendHeaders(result, stream))
    },
    { param: fastStream, header: conditionalHeaders, json: fastBody },
  )

  openapiRoute(
    app,
    createRoute({
      method: 'get',
      path: '/v1/streams/{stream}',
      operationId: 'readStream',
      summary: 'Read a stream',
      description: 'Pages of events by revision, forward (default from 0) or backward (default from the end).',
      request: {
        params: StreamParam,
        query: z.object({
          from: S.Cursor('from').optional().openapi({ description: 'revision to start at (inclusive)' }),
          limit: S.pageLimit(limits.maxPageSize).optional(),
          direction: z.enum(['forward', 'backward'], { error: 'direction is forward or backward' }).optional(),
        }),
      },
      responses: {
        200: { description: 'A page of events; ETag is the current revision', headers: { ETag: Headers.ETag }, content: jsonAndCbor(S.StreamPage) },
        ...problems(400, streamNotFound404, 410, ...V1),
      },
    }),
    async (c) => {
      const { stream } = c.req.valid('param')
      const q = c.req.valid('query')
      const direction = q.direction ?? 'forward'
      const limit = q.limit ?? limits.defaultPageSize
      const [events, found] = await Promise.all([
        log.reader.readStream(stream, { from: q.from, limit, direction, maxBytes: limits.maxPageBytes }),
        log.reader.head(stream),
      ])
      // no events: deleted, tombstoned, truncated to nothing, or never written (lifecycle.ts)
      const head = found ?? (await headOfEmpty(deps, stream))
      // `next` follows the last event sent: a page cut by bytes continues exactly there.
      const nextAfter = (shown: typeof events) => {
        const last = shown[shown.length - 1]?.revision
        return last == null ? null : direction === 'forward' ? (last < head.revision ? last + 1 : null) : last > 0 ? last - 1 : null
      }
      return sendEvents(c, codec, (shown) => ({ stream, next: nextAfter(shown) }), events, { ETag: `"${head.revision}"` }, limits.maxPageBytes)
    },
    { param: fastStream, query: fastReadQuery(limits.maxPageSize) },
  )

  openapiRoute(
    app,
    createRoute({
      method: 'get',
      path: '/v1/streams/{stream}/head',
      operationId: 'getStreamHead',
      summary: "A stream's current revision and position",
      request: { params: StreamParam },
      responses: {
        200: { description: 'The head; ETag is the revision', headers: { ETag: Headers.ETag }, content: jsonAndCbor(S.Head) },
        ...problems(400, streamNotFound404, 410, ...V1),
      },
    }),
    async (c) => {
      const { stream } = c.req.valid('param')
      const head = (await log.reader.head(stream)) ?? (await headOfEmpty(deps, stream))
      return send(c, codec, 200, head, { ETag: `"${head.revision}"` })
    },
    { param: fastStream },
  )
}

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppDeps } from '../deps.ts'
import { bodyOf, cborBody, send, type Env } from '../media.ts'
import * as S from '../schemas.ts'
import { openapiRoute } from '../route.ts'
import { bodyContent, Headers, jsonAndCbor, problems, WRITE, wrongRevision409 } from '../openapi.ts'

/**
 * Multi-stream atomic append: each stream with its own expected revision, plus stream-less
 * (DCB) events and an append condition (`failIfEventsMatch` after a position), all or nothing.
 */
export function registerAppendRoute(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const schema = S.MultiAppendBody(log.limits.maxEventsPerAppend)
  openapiRoute(
    app,
    createRoute({
      method: 'post',
      path: '/v1/append',
      operationId: 'appendMulti',
      summary: 'Append to several streams and stream-less events atomically, optionally on a DCB condition',
      description:
        'Every stream\'s expected revision must hold (409 wrong-expected-revision names the stream) and, with a condition, no event matching `failIfEventsMatch` may have been appended after `after` (409 condition-failed names the positions), or nothing is written. Stream-less events are addressed by their tags and read back with stream and revision null.',
      middleware: [cborBody(schema, log.codec)] as const,
      request: { body: bodyContent(schema) },
      responses: {
        201: { description: 'Appended (or the original result of a retry)', headers: { 'Idempotent-Replayed': Headers.IdempotentReplayed }, content: jsonAndCbor(S.MultiAppendResult) },
        ...problems(
          400,
          wrongRevision409(
            "A stream's expected revision did not hold (wrong-expected-revision), the condition matched events after `after` (condition-failed), or an event id is already stored for a different event (event-id-reused); nothing written",
            S.Problems.conditionFailed,
            S.Problems.eventIdReused,
          ),
          410,
          ...WRITE,
        ),
      },
    }),
    async (c) => {
      const body = bodyOf(c, () => c.req.valid('json'))
      const result = await log.append({ streams: body.streams ?? [], events: body.events, condition: body.condition })
      const headers: Record<string, string> = result.replayed ? { 'Idempotent-Replayed': 'true' } : {}
      return send(c, log.codec, 201, { position: result.position, streams: result.streams, events: result.events }, headers)
    },
  )
}

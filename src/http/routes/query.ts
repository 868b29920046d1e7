import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppDeps } from '../deps.ts'
import { bodyOf, cborBody, sendEvents, type Env } from '../media.ts'
import * as S from '../schemas.ts'
import { bodyContent, jsonAndCbor, problems, V1 } from '../openapi.ts'

/**
 * `POST /v1/query`: a Dynamic Consistency Boundary read (dcb.events). Returns matching
 * events from a position and the log position the read is consistent with, which a
 * command handler passes back as `condition.after` when it appends its decision.
 */
export function registerQueryRoute(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const { codec, limits } = log
  const schema = S.QueryBody(limits.maxPageSize)
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/query',
      operationId: 'query',
      summary: 'Read events matching a DCB query',
      description:
        'An event matches an item if its type is one of the item\'s types (any type when absent) and it carries all of the item\'s tags; it matches the query if it matches any item. Paged by position; `position` is the last committed position the page is consistent with (use it as `condition.after`).',
      middleware: [cborBody(schema, codec)] as const,
      request: { body: bodyContent(schema) },
      responses: { 200: { description: 'A page of matching events', content: jsonAndCbor(S.QueryPage) }, ...problems(400, 413, 415, ...V1) },
    }),
    async (c) => {
      const body = bodyOf(c, () => c.req.valid('json'))
      const from = body.from ?? 0
      const limit = body.limit ?? limits.defaultPageSize
      const { events, position } = await log.reader.query(body.items, { from, limit, maxBytes: limits.maxPageBytes })
      // A page short of `limit` that was not cut by bytes holds every match up to
      // `position`: nothing more to read for now.
      const next = (shown: typeof events) =>
        shown.length === limit || shown.length < events.length || events.cut ? shown[shown.length - 1].position + 1 : null
      return sendEvents(c, codec, (shown) => ({ next: next(shown), position }), events, {}, limits.maxPageBytes)
    },
  )
}

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { StoredEvent } from '../../core/types.ts'
import type { AppDeps } from '../deps.ts'
import { sendEvents, type Env } from '../media.ts'
import * as S from '../schemas.ts'
import { openapiRoute } from '../route.ts'
import { jsonAndCbor, problems, V1 } from '../openapi.ts'

const CategoryParam = z.object({
  category: S.CategoryName.openapi({ param: { name: 'category', in: 'path' }, example: 'account' }),
})

/** `next` is where the following page starts (keyset paging by position): after the last event sent. */
const nextOf = (events: StoredEvent[], from: number) => (events.length ? events[events.length - 1].position + 1 : from)

export function registerLogRoutes(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const { codec, limits } = log

  openapiRoute(
    app,
    createRoute({
      method: 'get',
      path: '/v1/all',
      operationId: 'readAll',
      summary: 'Read the global log',
      description: 'Events in commit order from a position (inclusive), optionally only some types and only events carrying all the given tags.',
      request: {
        query: z.object({
          from: S.Cursor('from').optional().openapi({ description: 'position to start at (inclusive), default 0' }),
          limit: S.pageLimit(limits.maxPageSize).optional(),
          types: S.csvTerms('types').optional().openapi({ description: 'comma-separated event types (at most 32)', example: 'Deposited,Withdrawn' }),
          tags: S.csvTerms('tags')
            .optional()
            .openapi({ description: 'comma-separated tags; an event must carry all of them', example: 'account:17' }),
          wait: S.WaitParam.optional(),
        }),
      },
      responses: { 200: { description: 'A page of the log', content: jsonAndCbor(S.LogPage) }, ...problems(400, ...V1, 503) },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const from = q.from ?? 0
      const read = () => log.reader.readAll({ from, limit: q.limit ?? limits.defaultPageSize, types: q.types, tags: q.tags, maxBytes: limits.maxPageBytes })
      // Long poll: an empty page waits for commits (or polls) until something matches or `wait`
      // ends (a client that left is noticed then: request.signal makes Deno warn).
      const events = q.wait ? await log.subscriptions.readWhenAvailable(read, q.wait) : await read()
      // Cut short by shutdown: close the connection too, so the server need not wait it out.
      const headers: Record<string, string> = q.wait && log.subscriptions.closed ? { Connection: 'close' } : {}
      return sendEvents(c, codec, (shown) => ({ next: nextOf(shown, from) }), events, headers, limits.maxPageBytes)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/categories/{category}',
      operationId: 'readCategory',
      summary: 'Read a category',
      description:
        'Events of every stream whose name starts with `<category>-` (or is the category), from a position. With member and size, a consumer-group member sees only its share of the streams (stable hash of the stream id).',
      request: {
        params: CategoryParam,
        query: z
          .object({
            from: S.Cursor('from').optional(),
            limit: S.pageLimit(limits.maxPageSize).optional(),
            member: S.GroupMember.optional(),
            size: S.GroupSize.optional(),
          })
          .superRefine(S.groupChecks()),
      },
      responses: { 200: { description: 'A page of the category', content: jsonAndCbor(S.LogPage) }, ...problems(400, ...V1) },
    }),
    async (c) => {
      const { category } = c.req.valid('param')
      const q = c.req.valid('query')
      const from = q.from ?? 0
      const limit = q.limit ?? limits.defaultPageSize
      const events = await log.reader.readCategory(category, { from, limit, member: q.member, size: q.size, maxBytes: limits.maxPageBytes })
      return sendEvents(c, codec, (shown) => ({ next: nextOf(shown, from) }), events, {}, limits.maxPageBytes)
    },
  )
}

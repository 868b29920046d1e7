import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppDeps } from '../app.ts'
import { bodyOf, cborBody, send, type Env } from '../media.ts'
import * as S from '../schemas.ts'
import { bodyContent, jsonAndCbor, problems } from './doc.ts'

/** Multi-stream atomic append: each stream with its own expected revision, all or nothing. */
export function registerAppendRoute(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const schema = S.MultiAppendBody(log.limits.maxEventsPerAppend)
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/append',
      summary: 'Append to several streams atomically',
      description: 'Every stream\'s expected revision must hold, or nothing is written (409 names the stream).',
      middleware: [cborBody(schema, log.codec)] as const,
      request: { body: bodyContent(schema) },
      responses: {
        201: { description: 'Appended (or the original result of a retry)', content: jsonAndCbor(S.MultiAppendResult) },
        ...problems(400, 409, 413, 415, 503),
      },
    }),
    async (c) => {
      const body = bodyOf(c, () => c.req.valid('json'))
      const result = await log.append({ streams: body.streams })
      const headers: Record<string, string> = result.replayed ? { 'Idempotent-Replayed': 'true' } : {}
      return send(c, log.codec, 201, { position: result.position, streams: result.streams }, headers)
    },
  )
}

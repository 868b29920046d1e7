import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppDeps } from '../deps.ts'
import type { Env } from '../media.ts'

const Health = z.object({ status: z.enum(['ok', 'degraded']), database: z.string() }).openapi('Health')

/** Liveness and readiness: 200 when the database answers, 503 when it does not. */
export function registerHealthRoute(app: OpenAPIHono<Env>, { log }: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      operationId: 'health',
      security: [],
      summary: 'Liveness and database readiness',
      responses: {
        200: { description: 'Serving, database answers', content: { 'application/json': { schema: Health } } },
        503: { description: 'Database does not answer', content: { 'application/json': { schema: Health } } },
      },
    }),
    async (c) => {
      try {
        await log.reader.ping()
        return c.json({ status: 'ok' as const, database: 'ok' }, 200)
      } catch (e) {
        return c.json({ status: 'degraded' as const, database: `unreachable: ${(e as Error).message}` }, 503)
      }
    },
  )
}

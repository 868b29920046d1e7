import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { checkpointBehind, consumerNotFound, type Checkpoint } from '../../core/consumers.ts'
import { invalidRequest, checkpointsNotSupported } from '../../core/errors.ts'
import type { AppDeps } from '../deps.ts'
import { bodyOf, cborBody, send, type Env } from '../media.ts'
import { bodyContent, jsonAndCbor, problems, V1, WRITE } from '../openapi.ts'
import { ConsumerName, Problems } from '../schemas.ts'

const NameParam = z.object({ name: ConsumerName.openapi({ param: { name: 'name', in: 'path' }, example: 'projector-accounts' }) })

const CheckpointOut = z
  .object({ name: z.string(), position: z.number().int(), updatedAt: z.string().openapi({ format: 'date-time' }) })
  .openapi('Checkpoint')

const CheckpointBody = z
  .strictObject({
    position: z.number({ error: 'position is required (a non-negative integer)' }).int().min(0).openapi({ description: 'the last position this consumer has handled' }),
  })
  .openapi('SaveCheckpoint')

const render = (c: Checkpoint) => ({ name: c.name, position: c.position, updatedAt: new Date(c.updatedAt).toISOString() })

/** Named consumers: read and save a checkpoint (the last handled position). It never moves backwards. */
export function registerConsumerRoutes(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const store = () => log.consumers ?? (() => { throw checkpointsNotSupported() })()

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/consumers/{name}',
      operationId: 'getConsumer',
      summary: "A consumer's checkpoint",
      request: { params: NameParam },
      responses: { 200: { description: 'The checkpoint', content: jsonAndCbor(CheckpointOut) }, ...problems(400, { status: 404, description: 'The consumer has no checkpoint', schemas: [Problems.consumerNotFound] }, 501, ...V1) },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      const checkpoint = await store().get(name)
      if (!checkpoint) throw consumerNotFound(name)
      return send(c, log.codec, 200, render(checkpoint))
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/consumers/{name}',
      operationId: 'saveConsumer',
      summary: "Save a consumer's checkpoint",
      description:
        'Saves the last position the consumer has handled. A checkpoint never moves backwards: a lower position is a 409 `checkpoint-behind` (the stored one stays); the same position again is a 200.',
      middleware: [cborBody(CheckpointBody, log.codec)] as const,
      request: { params: NameParam, body: bodyContent(CheckpointBody) },
      responses: { 200: { description: 'Saved', content: jsonAndCbor(CheckpointOut) }, ...problems(400, { status: 409, description: 'The position is below the stored checkpoint (checkpoint-behind); the stored one stays', schemas: [Problems.checkpointBehind] }, 501, ...WRITE) },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      const { position } = bodyOf(c, () => c.req.valid('json'))
      const last = await log.reader.lastPosition()
      if (position > last) throw invalidRequest(`position ${position} is past the end of the log (last position ${last}); a checkpoint is a position already read.`)
      const stored = await store().save(name, position)
      if (stored.position > position) throw checkpointBehind(name, position, stored.position)
      return send(c, log.codec, 200, render(stored))
    },
  )
}

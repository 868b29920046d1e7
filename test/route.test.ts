// src/http/route.ts must check exactly what @hono/zod-openapi's `app.openapi` checks: the
// same routes registered both ways answer every request here with the same status, problem
// document and validated data, and describe the same OpenAPI operation.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { invalidRequest } from '../src/core/errors.ts'
import { negotiate, strictJsonBody, type Env } from '../src/http/media.ts'
import { issuesOf, problemResponse, toEdgelogError } from '../src/http/problem.ts'
import { openapiRoute } from '../src/http/route.ts'
import { bodyContent } from '../src/http/openapi.ts'
import { conditionalHeaders, fastReadQuery, fastStream } from '../src/http/routes/streams.ts'
import * as S from '../src/http/schemas.ts'

const MAX_PAGE = 1000
const StreamParam = z.object({ stream: S.StreamName.openapi({ param: { name: 'stream', in: 'path' } }) })
const read = createRoute({
  method: 'get',
  path: '/v1/streams/{stream}',
  request: {
    params: StreamParam,
    query: z.object({
      from: S.Cursor('from').optional(),
      limit: S.pageLimit(MAX_PAGE).optional(),
      direction: z.enum(['forward', 'backward'], { error: 'direction is forward or backward' }).optional(),
    }),
  },
  responses: { 200: { description: 'ok' } },
})
const append = createRoute({
  method: 'post',
  path: '/v1/streams/{stream}',
  request: {
    params: StreamParam,
    headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }),
    body: bodyContent(S.AppendBody(100)),
  },
  responses: { 201: { description: 'ok' } },
})

function build(fast: boolean) {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest('The request is invalid; see errors for what to fix.', issuesOf(result.error))
    },
  })
  app.use('/v1/*', negotiate)
  app.use('/v1/*', strictJsonBody)
  // echo what the route validated
  const readHandler = (c: any) => c.json({ param: c.req.valid('param'), query: c.req.valid('query') }, 200)
  const appendHandler = (c: any) => c.json({ param: c.req.valid('param'), header: c.req.valid('header'), json: c.req.valid('json') }, 201)
  if (fast) {
    openapiRoute(app, read, readHandler, { param: fastStream, query: fastReadQuery(MAX_PAGE) })
    openapiRoute(app, append, appendHandler, { param: fastStream, header: conditionalHeaders })
  } else {
    app.openapi(read, readHandler)
    app.openapi(append, appendHandler)
  }
  app.onError((err, c) => problemResponse(c, toEdgelogError(err, c)))
  return app
}

const requests: Array<[string, RequestInit?]> = [
  ['/v1/streams/account-1'],
  ['/v1/streams/account-1?from=3&limit=10&direction=backward'],
  ['/v1/streams/account-1?direction=backward&limit=1'],
  ['/v1/streams/account-1?limit=0'],
  ['/v1/streams/account-1?limit=1001'],
  ['/v1/streams/account-1?limit=1000&other=x'],
  ['/v1/streams/account-1?from=-1'],
  ['/v1/streams/account-1?from=1e3'],
  ['/v1/streams/account-1?from='],
  ['/v1/streams/account-1?from=1&from=2'],
  ['/v1/streams/account-1?direction=sideways'],
  ['/v1/streams/account-1?direction=forward&direction=backward'],
  ['/v1/streams/account-1?limit=0012'],
  ['/v1/streams/account-1?from=1234567890123456'],
  ['/v1/streams/-bad'],
  ['/v1/streams/$bad?limit=x'],
  [`/v1/streams/${'a'.repeat(201)}`],
  ['/v1/streams/a%20b'],
  ['/v1/streams/caf%C3%A9'],
]
const post = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>): RequestInit => ({ method: 'POST', headers, body })
const json = { 'content-type': 'application/json' }
for (const [path, init] of [
  ['/v1/streams/order-1', post('{"events":[{"type":"Placed","data":{"n":1}}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"Placed"}],"expectedRevision":3}', { ...json, 'if-match': '"3"' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"Placed"}]}', { ...json, 'If-None-Match': '*' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"Placed"}]}', { ...json, 'if-match': '"1"', 'if-none-match': '*', 'x-other': 'y' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"Placed"}]}', { ...json, 'if-match': '' })],
  ['/v1/streams/order-1', post('{"events":[]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":""}]}', json)],
  ['/v1/streams/order-1', post('{"events":"x"}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}]', json)],
  ['/v1/streams/order-1', post('[]', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}]}', { 'content-type': 'application/json; charset=utf-8' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}]}', { 'content-type': 'application/json ; charset=utf-8' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}]}', { 'content-type': 'application/vnd.edgelog+json' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}]}', { 'content-type': 'Application/JSON' })],
  ['/v1/streams/order-1', post(new Uint8Array([0xa0]), { 'content-type': 'application/cbor' })],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}]}', { 'content-type': 'text/plain' })],
  ['/v1/streams/-bad', post('{"events":[{"type":"A"}]}', json)],
  ['/v1/streams/-bad', post('{"events":[]}', json)],
] as Array<[string, RequestInit]>) requests.push([path, init])

describe('src/http/route.ts against app.openapi', () => {
  const reference = build(false)
  const fast = build(true)

  it('the same answer to every request: status, problem document, validated data', async () => {
    for (const [path, init] of requests) {
      const answer = async (app: OpenAPIHono<Env>) => {
        const r = await app.request(path, init)
        return { status: r.status, type: r.headers.get('content-type'), body: await r.text() }
      }
      assert.deepEqual(await answer(fast), await answer(reference), `${init?.method ?? 'GET'} ${path} ${JSON.stringify(init?.headers ?? {})}`)
    }
  })

  it('the same OpenAPI operations', () => {
    const doc = { openapi: '3.1.0', info: { title: 't', version: '1' } }
    assert.deepEqual(fast.getOpenAPI31Document(doc), reference.getOpenAPI31Document(doc))
  })
})

// src/http/route.ts must check exactly what @hono/zod-openapi's `app.openapi` checks: the
// same routes registered both ways answer every request here with the same status, problem
// document and validated data, and describe the same OpenAPI operation.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import fc from 'fast-check'
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

const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v

function build(fast: boolean) {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest('The request is invalid; see errors for what to fix.', issuesOf(result.error))
    },
  })
  app.use('/v1/*', negotiate)
  app.use('/v1/*', strictJsonBody)
  // echo what the route validated (keys sorted: the schema copies objects in its own key
  // order, the shortcuts hand over the parsed body's, and readers look values up by key)
  const readHandler = (c: any) => c.json(sorted({ param: c.req.valid('param'), query: c.req.valid('query') }), 200)
  const appendHandler = (c: any) => c.json(sorted({ param: c.req.valid('param'), header: c.req.valid('header'), json: c.req.valid('json') }), 201)
  if (fast) {
    openapiRoute(app, read, readHandler, { param: fastStream, query: fastReadQuery(MAX_PAGE) })
    openapiRoute(app, append, appendHandler, { param: fastStream, header: conditionalHeaders, json: S.fastAppendBody(100) })
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
  ['/v1/streams/order-1', post('{"expectedRevision":"no_stream","events":[{"tags":["a","b"],"metadata":{"z":1,"2":2},"type":"Placed","id":"0190B6A2-7C1E-7D4A-9B1F-2F6C3E8A9D10","data":[1]}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A","tags":["a","a"]}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A","id":"0190b6a2-7c1e-7d4a-9b1f-2f6c3e8a9d10"},{"type":"B","id":"0190B6A2-7C1E-7D4A-9B1F-2F6C3E8A9D10"}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A","metadata":[1]}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A","metadata":{"__proto__":{"x":1},"y":2}}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A","extra":1}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A\\u0001"}]}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}],"expectedRevision":"exists"}', json)],
  ['/v1/streams/order-1', post('{"events":[{"type":"A"}],"expectedRevision":9007199254740992}', json)],
  ['/v1/streams/order-1', post(`{"events":[${Array(101).fill('{"type":"A"}').join()}]}`, json)],
  ['/v1/streams/order-1', post(`{"events":[{"type":"A","tags":[${Array.from({ length: 101 }, (_, i) => `"t${i}"`).join()}]}]}`, json)],
  ['/v1/streams/order-1', post(`{"events":[{"type":"A","tags":[${Array.from({ length: 100 }, (_, i) => `"t${i}"`).join()}]}]}`, json)],
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

  it('fastAppendBody accepts only what the schema accepts, with the same values', () => {
    const schema = S.AppendBody(5)
    const fastBody = S.fastAppendBody(5)
    const name = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('Placed', 'a', 'x'.repeat(200), 'tag:1', 'Überwiesen') },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(201), '', 'é\u0001', '\ud800') },
      { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
    )
    const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined))
    const id = fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), fc.constantFrom('0190b6a2-7c1e-7d4a-9b1f-2f6c3e8a9d10', '0190B6A2-7C1E-7D4A-9B1F-2F6C3E8A9D10', 'not-a-uuid'))
    const metadata = fc.oneof(fc.constant(null), fc.dictionary(fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('1', '__proto__')), anything, { maxKeys: 3 }), anything)
    const tags = fc.oneof({ weight: 4, arbitrary: fc.array(name, { maxLength: 4 }) }, { weight: 1, arbitrary: anything })
    const event = fc.oneof(
      { weight: 6, arbitrary: fc.record({ id, type: name, data: anything, metadata, tags }, { requiredKeys: ['type'] }) },
      { weight: 1, arbitrary: fc.record({ id, type: fc.oneof(name, anything), other: anything, __proto__: anything }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: anything },
    )
    const body = fc.oneof(
      fc.record({ events: fc.array(event, { maxLength: 6 }), expectedRevision: fc.oneof(fc.constant(undefined), fc.constantFrom('any', 'no_stream', 'stream_exists', 'exists', -1, 0, 7, 1.5, 2 ** 53, null)) }, { requiredKeys: [] }),
      anything,
    )
    let accepted = 0
    fc.assert(
      fc.property(body, (raw) => {
        // as a JSON body arrives: parsed from its text
        const value = raw === undefined ? undefined : JSON.parse(JSON.stringify(raw))
        const fastResult = fastBody(value)
        const parsed = schema.safeParse(value)
        if (fastResult === undefined) return
        accepted++
        assert.ok(parsed.success, `accepted what the schema refuses: ${JSON.stringify(value)}`)
        assert.deepEqual(fastResult, parsed.data)
      }),
      { numRuns: 5000, seed: 12 },
    )
    // and the usual body is among what it takes
    assert.ok(accepted > 100, `accepted ${accepted}`)
    assert.ok(fastBody(JSON.parse('{"events":[{"type":"Placed","data":{"n":1}}]}')))
  })

  it('the same OpenAPI operations', () => {
    const doc = { openapi: '3.1.0', info: { title: 't', version: '1' } }
    assert.deepEqual(fast.getOpenAPI31Document(doc), reference.getOpenAPI31Document(doc))
  })
})

// HTTP around the data: service endpoints, JSON/CBOR negotiation, X-Request-Id.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ContractClient } from './client.ts'
import { expectProblem, expectStatus, newEvent, show, uniqueStream } from './http.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export function protocolTests(client: ContractClient): void {
  const { req, get, streamPath, append, appendOk, head, readStream } = client

  describe('service endpoints', () => {
    it('GET /health is ok', async () => {
      const body = expectStatus(await get('/health'), 200)
      assert.equal(body.status, 'ok')
      assert.equal(body.database, 'ok')
    })

    it('GET /openapi.json is OpenAPI 3.1 and lists every /v1 route', async () => {
      const doc = expectStatus(await get('/openapi.json'), 200)
      assert.match(String(doc.openapi), /^3\.1/)
      const routes: Array<[string, string]> = [
        ['/v1/streams/{stream}', 'post'],
        ['/v1/streams/{stream}', 'get'],
        ['/v1/streams/{stream}/head', 'get'],
        ['/v1/append', 'post'],
        ['/v1/all', 'get'],
        ['/v1/categories/{category}', 'get'],
      ]
      for (const [path, method] of routes) {
        assert.ok(doc.paths?.[path]?.[method], `${method.toUpperCase()} ${path} missing; paths: ${Object.keys(doc.paths ?? {})}`)
      }
    })

    it('GET /docs is an HTML page whose scripts and styles all come from this server (swagger-ui-dist, pinned)', async () => {
      const reply = await get('/docs')
      assert.equal(reply.status, 200)
      assert.match(reply.contentType, /^text\/html/)
      assert.match(reply.text, /<html/i)
      const refs = [...reply.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
      assert.deepEqual(refs.sort(), ['docs/init.js', 'docs/swagger-ui-bundle.js', 'docs/swagger-ui.css'], 'only relative, same-origin assets')
      for (const [file, type] of [['swagger-ui-bundle.js', /^text\/javascript/], ['swagger-ui.css', /^text\/css/]] as const) {
        const asset = await get(`/docs/${file}`)
        assert.equal(asset.status, 200, file)
        assert.match(asset.contentType, type)
        assert.equal(asset.text, readFileSync(join(root, 'node_modules/swagger-ui-dist', file), 'utf8'), `${file} is swagger-ui-dist's`)
      }
      assert.match((await get('/docs/init.js')).text, /SwaggerUIBundle\(/)
    })
  })

  describe('CBOR', () => {
    const data = { text: 'grüße ✓', int: -42, big: 2 ** 40, float: 1.5, ok: true, none: null, list: [1, [2, { x: 'y' }]] }

    it('accepts a CBOR body and answers CBOR when asked', async () => {
      const stream = uniqueStream('cbor')
      const event = { ...newEvent('Cbor', data), metadata: { m: 1 }, tags: ['k:v'] }
      const reply = await req('POST', streamPath(stream), { cbor: { events: [event] }, accept: 'application/cbor' })
      assert.equal(reply.status, 201, show(reply))
      assert.match(reply.contentType, /^application\/cbor/)
      assert.equal(reply.body.stream, stream)
      assert.deepEqual(reply.body.events, [{ id: event.id, revision: 0, position: reply.body.firstPosition }])

      const [stored] = await readStream(stream)
      assert.deepEqual(stored.data, data)
      assert.deepEqual(stored.metadata, { m: 1 })
      assert.deepEqual(stored.tags, ['k:v'])
    })

    it('JSON and CBOR responses carry the same data', async () => {
      const stream = uniqueStream('same')
      const result = await appendOk(stream, [newEvent('J', data), { ...newEvent('K'), metadata: { a: [1] }, tags: ['t:1'] }])
      for (const path of [
        streamPath(stream),
        `${streamPath(stream)}?direction=backward&limit=1`,
        `${streamPath(stream)}/head`,
        `/v1/all?from=${result.firstPosition}&limit=2`,
        `/v1/categories/${stream.split('-')[0]}`,
      ]) {
        const json = await get(path, { accept: 'application/json' })
        const binary = await get(path, { accept: 'application/cbor' })
        expectStatus(json, 200)
        expectStatus(binary, 200)
        assert.match(json.contentType, /^application\/json/)
        assert.match(binary.contentType, /^application\/cbor/)
        assert.deepEqual(binary.body, json.body, path)
      }
    })

    it('a CBOR append result equals the JSON one on replay', async () => {
      const stream = uniqueStream('cborretry')
      const events = [newEvent('X', data)]
      const json = await append(stream, events)
      const binary = await req('POST', streamPath(stream), { cbor: { events }, accept: 'application/cbor' })
      assert.equal(binary.status, 201, show(binary))
      assert.equal(binary.headers.get('idempotent-replayed'), 'true')
      assert.deepEqual(binary.body, json.body)
    })

    it('errors stay application/problem+json when CBOR is accepted', async () => {
      const reply = await get(streamPath(uniqueStream('nocbor')), { accept: 'application/cbor' })
      expectProblem(reply, 404, 'stream-not-found')
    })

    it('Accept: */* and application/problem+json get JSON', async () => {
      const stream = uniqueStream('accept')
      await appendOk(stream, [newEvent()])
      const reply = await head(stream)
      for (const accept of ['*/*', 'application/problem+json', 'application/json']) {
        const withAccept = await get(`${streamPath(stream)}/head`, { accept })
        assert.equal(withAccept.status, 200, show(withAccept))
        assert.match(withAccept.contentType, /^application\/json/, accept)
        assert.deepEqual(withAccept.body, reply.body)
      }
    })
  })


  describe('X-Request-Id', () => {
    it('echoes a request id sent by the client, on success and on error', async () => {
      const id = `req-${randomUUID()}`
      const health = await get('/health', { headers: { 'x-request-id': id } })
      assert.equal(health.headers.get('x-request-id'), id, 'GET /health')
      const ok = await get('/v1/all?limit=1', { headers: { 'x-request-id': id } })
      assert.equal(ok.status, 200)
      assert.equal(ok.headers.get('x-request-id'), id, 'GET /v1/all')
      const notFound = await get(streamPath(uniqueStream('rid')), { headers: { 'x-request-id': id } })
      assert.equal(notFound.status, 404)
      assert.equal(notFound.headers.get('x-request-id'), id, 'a 404 problem')
    })

    it('generates a fresh request id when the client sends none', async () => {
      const a = (await get('/health')).headers.get('x-request-id')
      const b = (await get('/v1/nothing-here')).headers.get('x-request-id')
      assert.ok(a && a.length > 0, 'no generated X-Request-Id')
      assert.ok(b && b.length > 0, 'no generated X-Request-Id on an error')
      assert.notEqual(a, b)
    })
  })
}

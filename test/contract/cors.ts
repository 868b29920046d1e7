// CORS (CORS_ORIGINS): preflights, allowed and refused origins, exposed headers, on /v1 and /openapi.json.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ContractClient } from './client.ts'
import { expectProblem, expectStatus, newEvent, show, uniqueStream } from './http.ts'
import { CORS_ORIGIN } from './limits.ts'

const EXPOSED = ['etag', 'location', 'idempotent-replayed', 'retry-after', 'x-request-id']
const listOf = (value: string | null) => (value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)

export function corsTests(client: ContractClient): void {
  const { req, streamPath } = client
  const origin = { origin: CORS_ORIGIN }

  describe('CORS', () => {
    it('a preflight for a conditional append from an allowed origin is answered (204, methods, headers)', async () => {
      const reply = await req('OPTIONS', streamPath(uniqueStream('cors')), {
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,if-match,authorization' },
      })
      assert.equal(reply.status, 204, show(reply))
      assert.equal(reply.headers.get('access-control-allow-origin'), CORS_ORIGIN)
      assert.ok(listOf(reply.headers.get('access-control-allow-methods')).includes('post'), show(reply))
      assert.ok(listOf(reply.headers.get('access-control-allow-methods')).includes('put'), show(reply))
      const allowed = listOf(reply.headers.get('access-control-allow-headers'))
      for (const h of ['content-type', 'if-match', 'if-none-match', 'authorization', 'last-event-id']) assert.ok(allowed.includes(h), `${h} not allowed: ${allowed}`)
    })

    it('a preflight for a subscription resuming with Last-Event-ID is answered', async () => {
      const reply = await req('OPTIONS', '/v1/subscribe?from=0', {
        headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
      })
      assert.equal(reply.status, 204, show(reply))
      assert.equal(reply.headers.get('access-control-allow-origin'), CORS_ORIGIN)
    })

    it('responses to an allowed origin expose ETag, Location, Idempotent-Replayed, Retry-After, X-Request-Id', async () => {
      const stream = uniqueStream('cors')
      const event = newEvent('Cors')
      const reply = await req('POST', streamPath(stream), { json: { events: [event] }, headers: origin })
      expectStatus(reply, 201)
      assert.equal(reply.headers.get('access-control-allow-origin'), CORS_ORIGIN)
      const exposed = listOf(reply.headers.get('access-control-expose-headers'))
      for (const h of EXPOSED) assert.ok(exposed.includes(h), `${h} not exposed: ${exposed}`)
      // a replay carries Idempotent-Replayed, readable by the page
      const replay = await req('POST', streamPath(stream), { json: { events: [event] }, headers: origin })
      assert.equal(replay.headers.get('idempotent-replayed'), 'true')
      assert.equal(replay.headers.get('access-control-allow-origin'), CORS_ORIGIN)
    })

    it('problems carry the CORS headers too, so a page can read a 409', async () => {
      const stream = uniqueStream('cors')
      const reply = await req('POST', streamPath(stream), { json: { events: [newEvent()], expectedRevision: 5 }, headers: origin })
      expectProblem(reply, 409, 'wrong-expected-revision')
      assert.equal(reply.headers.get('access-control-allow-origin'), CORS_ORIGIN)
    })

    it('reads, the subscription stream and /openapi.json answer an allowed origin', async () => {
      for (const path of ['/v1/all?from=0&limit=1', '/openapi.json', '/v1/subscribe?from=0&live=false&max=1']) {
        const reply = await req('GET', path, { headers: origin })
        assert.equal(reply.status, 200, show(reply))
        assert.equal(reply.headers.get('access-control-allow-origin'), CORS_ORIGIN, path)
      }
    })

    it('another origin gets no Access-Control-Allow-Origin (the browser refuses it)', async () => {
      const pre = await req('OPTIONS', '/v1/all', { headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET' } })
      assert.equal(pre.headers.get('access-control-allow-origin'), null, show(pre))
      const get = await req('GET', '/v1/all?limit=1', { headers: { origin: 'http://evil.test' } })
      assert.equal(get.headers.get('access-control-allow-origin'), null, show(get))
    })
  })
}

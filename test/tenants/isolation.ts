/**
 * Tenants over HTTP, against any server that serves them (Node with a file per tenant,
 * the Worker with a Durable Object per tenant): two tenants with the same stream names
 * never see each other's events, positions, consumers or subscriptions.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent, type CallOptions } from '../contract/http.ts'
import { openSse } from '../subscribe/sse.ts'

let n = 0
/** A tenant name no earlier run used: its log starts empty. */
export const newTenant = (label = 't') => `${label}${Date.now().toString(36)}${(n++).toString(36)}`

export function tenantIsolationTests(getBaseUrl: () => string, auth: CallOptions = {}): void {
  const req = (method: string, path: string, opts: CallOptions = {}) => call(getBaseUrl(), method, path, { ...auth, ...opts })
  const at = (tenant: string, path: string) => `/v1/tenants/${tenant}${path}`

  describe('tenants', () => {
    it('the same stream name in two tenants: own events, revisions and positions', async () => {
      const [a, b] = [newTenant('a'), newTenant('b')]
      expectStatus(await req('POST', at(a, '/streams/order-1'), { json: { events: [newEvent('A1'), newEvent('A2')] } }), 201)
      const appended = expectStatus(await req('POST', at(b, '/streams/order-1'), { json: { events: [newEvent('B1')], expectedRevision: 'no_stream' } }), 201)
      // b's log is its own: its first event is revision 0 at position 1, whatever a holds.
      assert.equal(appended.firstRevision, 0)
      assert.equal(appended.firstPosition, 1)
      const readB = expectStatus(await req('GET', at(b, '/streams/order-1')), 200)
      assert.deepEqual(readB.events.map((e: any) => e.type), ['B1'])
      const readA = expectStatus(await req('GET', at(a, '/streams/order-1')), 200)
      assert.deepEqual(readA.events.map((e: any) => [e.type, e.revision, e.position]), [['A1', 0, 1], ['A2', 1, 2]])
      assert.equal(expectStatus(await req('GET', at(b, '/streams/order-1/head')), 200).revision, 0)
      const allB = expectStatus(await req('GET', at(b, '/all?from=0')), 200)
      assert.deepEqual(allB.events.map((e: any) => e.type), ['B1'])
      // and neither is the default tenant
      const plain = await req('GET', `/v1/streams/order-1?limit=100`)
      if (plain.status === 200) assert.ok(!plain.body.events.some((e: any) => ['A1', 'A2', 'B1'].includes(e.type) && [readA.events[0].id, readB.events[0].id].includes(e.id)))
      else expectProblem(plain, 404, 'stream-not-found')
    })

    it('a multi-stream append, a DCB query and a Location header stay in their tenant', async () => {
      const [a, b] = [newTenant('a'), newTenant('b')]
      const appended = await req('POST', at(a, '/streams/cart-1'), { json: { events: [newEvent('Added')] } })
      expectStatus(appended, 201)
      assert.equal(appended.headers.get('location'), `/v1/tenants/${a}/streams/cart-1?from=0`)
      expectStatus(await req('POST', at(b, '/append'), { json: { streams: [{ stream: 'cart-1', expectedRevision: 'no_stream', events: [{ ...newEvent('Other'), tags: ['cart:1'] }] }] } }), 201)
      const q = expectStatus(await req('POST', at(a, '/query'), { json: { items: [{ types: ['Other'] }] } }), 200)
      assert.deepEqual(q.events, [])
      const qb = expectStatus(await req('POST', at(b, '/query'), { json: { items: [{ tags: ['cart:1'] }] } }), 200)
      assert.deepEqual(qb.events.map((e: any) => e.type), ['Other'])
    })

    it("consumers' checkpoints are per tenant", async () => {
      const [a, b] = [newTenant('a'), newTenant('b')]
      expectStatus(await req('POST', at(a, '/streams/job-1'), { json: { events: [newEvent(), newEvent()] } }), 201)
      expectStatus(await req('PUT', at(a, '/consumers/projector'), { json: { position: 2 } }), 200)
      assert.equal(expectStatus(await req('GET', at(a, '/consumers/projector')), 200).position, 2)
      expectStatus(await req('GET', at(b, '/consumers/projector')), 404)
    })

    it("a subscription sees only its tenant's commits, pushed live", async () => {
      const [a, b] = [newTenant('a'), newTenant('b')]
      const sub = await openSse(`${getBaseUrl()}${at(b, '/subscribe?category=live&from=0')}`, { headers: auth.headers as Record<string, string> | undefined })
      try {
        assert.equal(sub.status, 200)
        expectStatus(await req('POST', at(a, '/streams/live-1'), { json: { events: [newEvent('ForA')] } }), 201)
        expectStatus(await req('POST', at(b, '/streams/live-1'), { json: { events: [newEvent('ForB')] } }), 201)
        const [event] = await sub.take(1)
        assert.equal(event.type, 'ForB')
        assert.equal(event.position, 1)
      } finally {
        sub.close()
      }
    })

    it('/v1/tenants/default/... is the plain /v1/... log', async () => {
      const stream = `plain${Date.now().toString(36)}-1`
      const appended = expectStatus(await req('POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Plain')] } }), 201)
      const read = expectStatus(await req('GET', at('default', `/streams/${stream}`)), 200)
      assert.deepEqual(read.events.map((e: any) => e.id), appended.events.map((e: any) => e.id))
    })

    it('a bad tenant name is a 400 problem that names the rule, and nothing is written', async () => {
      for (const bad of ['.hidden', '-dash', 'a:b', 'a%2Fb', 'x'.repeat(65), '%20', 'a@b']) {
        const reply = await req('POST', `/v1/tenants/${bad}/streams/s-1`, { json: { events: [newEvent()] } })
        const problem = expectProblem(reply, 400, 'invalid-request')
        assert.match(problem.detail, /tenant name/, bad)
        assert.equal(problem.errors[0].path, 'tenant')
      }
    })

    it("a problem from a tenant's log names the path the client requested (RFC 9457 instance)", async () => {
      const t = newTenant('inst')
      const missing = expectProblem(await req('GET', at(t, '/streams/nope-1')), 404, 'stream-not-found')
      assert.equal(missing.instance, `/v1/tenants/${t}/streams/nope-1`)
      const invalid = expectProblem(await req('POST', at(t, '/streams/s-1'), { json: { events: [] } }), 400, 'invalid-request')
      assert.equal(invalid.instance, `/v1/tenants/${t}/streams/s-1`)
      assert.equal(expectProblem(await req('GET', at('default', '/streams/nope-1')), 404, 'stream-not-found').instance, '/v1/tenants/default/streams/nope-1')
      assert.equal(expectProblem(await req('GET', '/v1/streams/nope-1'), 404, 'stream-not-found').instance, '/v1/streams/nope-1')
    })

    it('describes the tenant-qualified routes in /openapi.json', async () => {
      const doc = expectStatus(await req('GET', '/openapi.json'), 200)
      const op = doc.paths['/v1/tenants/{tenant}/streams/{stream}']?.post
      assert.ok(op, Object.keys(doc.paths).join(' '))
      assert.ok(op.parameters.some((p: any) => p.name === 'tenant' && p.in === 'path'))
      assert.ok(doc.paths['/v1/streams/{stream}'].post)
    })
  })
}

// The Worker with STORE=d1 and a D1 database per tenant (D1_TENANTS) under workerd: the
// bundle of wrangler.toml with the bindings of test/worker/wrangler.d1-tenants.toml
// (DB for the default tenant, DB_ACME and DB_GLOBEX). Two tenants with the same stream
// names never see each other's events, positions, consumers or subscriptions; a tenant
// the deployment does not list is a 404 of its own; scoped tokens hold.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { limitsEnv } from './contract/limits.ts'
import { call, expectProblem, expectStatus, newEvent, type CallOptions } from './contract/http.ts'
import { openSse } from './subscribe/sse.ts'
import { root, startLocalWorker, type LocalWorker } from './worker/start.ts'

const config = join(root, 'test/worker/wrangler.d1-tenants.toml')

describe('worker (workerd, STORE=d1, a D1 database per tenant)', () => {
  let worker: LocalWorker
  const vars = { ...limitsEnv, LOG_LEVEL: 'error', POLL_INTERVAL_MS: '100' }
  let auth: CallOptions = {}
  const req = (method: string, path: string, opts: CallOptions = {}) => call(worker.baseUrl, method, path, { ...auth, ...opts })
  const at = (tenant: string, path: string) => `/v1/tenants/${tenant}${path}`
  const uniq = (label: string) => `${label}${randomUUID().slice(0, 8)}`
  before(async () => {
    worker = await startLocalWorker(vars, config)
  })
  after(async () => {
    await worker?.stop()
  })

  it('the same stream name in two tenants: own events, revisions, positions; neither is the default log', async () => {
    const stream = `${uniq('order')}-1`
    const a = expectStatus(await req('POST', at('acme', `/streams/${stream}`), { json: { events: [newEvent('A1'), newEvent('A2')] } }), 201)
    const globexHead = expectStatus(await req('GET', at('globex', '/all?direction=backward&limit=1')), 200).events[0]?.position ?? 0
    const g = expectStatus(await req('POST', at('globex', `/streams/${stream}`), { json: { events: [newEvent('G1')], expectedRevision: 'no_stream' } }), 201)
    assert.equal(g.firstRevision, 0)
    assert.equal(g.firstPosition, globexHead + 1, "globex's positions continue its own log, not acme's")
    assert.deepEqual(expectStatus(await req('GET', at('globex', `/streams/${stream}`)), 200).events.map((e: any) => e.type), ['G1'])
    assert.deepEqual(expectStatus(await req('GET', at('acme', `/streams/${stream}`)), 200).events.map((e: any) => [e.type, e.revision]), [['A1', 0], ['A2', 1]])
    const acmeIds = a.events.map((e: any) => e.id)
    const globexAll = expectStatus(await req('GET', at('globex', '/all?from=0&limit=500')), 200).events.map((e: any) => e.id)
    assert.ok(!acmeIds.some((id: string) => globexAll.includes(id)))
    expectProblem(await req('GET', `/v1/streams/${stream}`), 404, 'stream-not-found')
    expectProblem(await req('GET', at('default', `/streams/${stream}`)), 404, 'stream-not-found')
  })

  it("consumers' checkpoints and deletes are per tenant", async () => {
    const consumer = uniq('projector')
    expectStatus(await req('PUT', at('acme', `/consumers/${consumer}`), { json: { position: 1 } }), 200)
    assert.equal(expectStatus(await req('GET', at('acme', `/consumers/${consumer}`)), 200).position, 1)
    expectStatus(await req('GET', at('globex', `/consumers/${consumer}`)), 404)
    expectStatus(await req('GET', `/v1/consumers/${consumer}`), 404)
    const stream = `${uniq('del')}-1`
    for (const t of ['acme', 'globex']) expectStatus(await req('POST', at(t, `/streams/${stream}`), { json: { events: [newEvent('E')] } }), 201)
    expectStatus(await req('DELETE', at('acme', `/streams/${stream}`)), 200)
    expectProblem(await req('GET', at('acme', `/streams/${stream}`)), 404, 'stream-deleted')
    assert.equal(expectStatus(await req('GET', at('globex', `/streams/${stream}`)), 200).events.length, 1)
  })

  it("a subscription sees only its tenant's commits", async () => {
    const category = uniq('live')
    const sub = await openSse(`${worker.baseUrl}${at('globex', `/subscribe?category=${category}&from=0`)}`, { headers: auth.headers as Record<string, string> | undefined })
    try {
      assert.equal(sub.status, 200)
      expectStatus(await req('POST', at('acme', `/streams/${category}-1`), { json: { events: [newEvent('ForAcme')] } }), 201)
      expectStatus(await req('POST', at('globex', `/streams/${category}-1`), { json: { events: [newEvent('ForGlobex')] } }), 201)
      const [event] = await sub.take(1)
      assert.equal(event.type, 'ForGlobex')
    } finally {
      sub.close()
    }
  })

  it('a tenant not in D1_TENANTS is a 404 tenant-not-found naming the ones served; a bad name is a 400; problems name the requested path', async () => {
    const unknown = expectProblem(await req('POST', at('initech', '/streams/s-1'), { json: { events: [newEvent()] } }), 404, 'tenant-not-found')
    assert.match(unknown.detail, /acme, globex/)
    assert.equal(unknown.tenant, 'initech')
    assert.equal(unknown.instance, '/v1/tenants/initech/streams/s-1')
    const bad = expectProblem(await req('GET', at('.hidden', '/all')), 400, 'invalid-request')
    assert.equal(bad.errors[0].path, 'tenant')
    const missing = expectProblem(await req('GET', at('acme', '/streams/nope-1')), 404, 'stream-not-found')
    assert.equal(missing.instance, '/v1/tenants/acme/streams/nope-1')
  })

  it('/v1/tenants/default/... is the plain /v1/... log (the binding DB)', async () => {
    const stream = `${uniq('plain')}-1`
    const appended = expectStatus(await req('POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Plain')] } }), 201)
    const read = expectStatus(await req('GET', at('default', `/streams/${stream}`)), 200)
    assert.deepEqual(read.events.map((e: any) => e.id), appended.events.map((e: any) => e.id))
    const doc = expectStatus(await req('GET', '/openapi.json'), 200)
    assert.ok(doc.paths['/v1/tenants/{tenant}/streams/{stream}']?.post)
  })

  it('tokens scoped to a tenant: 403 on the other tenant and on the plain routes (after a restart on the same databases)', async () => {
    const stream = `${uniq('tok')}-1`
    expectStatus(await req('POST', at('acme', `/streams/${stream}`), { json: { events: [newEvent('Kept')] } }), 201)
    await worker.restart({ ...vars, AUTH_TOKENS: 'admin,acme-rw:acme', AUTH_READ_TOKENS: 'globex-ro:globex' })
    const as = (token: string): CallOptions => ({ headers: { authorization: `Bearer ${token}` } })
    try {
      assert.deepEqual(expectStatus(await req('GET', at('acme', `/streams/${stream}`), as('acme-rw')), 200).events.map((e: any) => e.type), ['Kept'])
      expectStatus(await req('POST', at('acme', `/streams/${stream}`), { json: { events: [newEvent()] }, ...as('acme-rw') }), 201)
      const denied = expectProblem(await req('GET', at('globex', '/all'), as('acme-rw')), 403, 'forbidden')
      assert.match(denied.detail, /acme/)
      expectProblem(await req('GET', '/v1/all', as('acme-rw')), 403, 'forbidden')
      expectStatus(await req('GET', at('globex', '/all'), as('globex-ro')), 200)
      expectProblem(await req('POST', at('globex', `/streams/${stream}`), { json: { events: [newEvent()] }, ...as('globex-ro') }), 403, 'forbidden')
      expectProblem(await req('GET', at('acme', '/all')), 401, 'unauthorized')
      expectProblem(await req('GET', at('initech', '/all'), as('admin')), 404, 'tenant-not-found')
      auth = as('admin')
      expectStatus(await req('GET', at('globex', '/all')), 200)
    } finally {
      auth = {}
    }
  })
})

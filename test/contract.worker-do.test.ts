// The HTTP contract of docs/api.md against the Cloudflare Worker with STORE=do under
// workerd: every tenant a SQLite-backed Durable Object that migrates itself at start.
// One workerd for the suite; a restart (new isolate and objects, same persisted state)
// for durability and for the tenant-scoped tokens.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { contractSuite } from './contract/suite.ts'
import { limitsEnv } from './contract/limits.ts'
import { call, expectProblem, expectStatus, newEvent } from './contract/http.ts'
import { openSse } from './subscribe/sse.ts'
import { newTenant, tenantIsolationTests } from './tenants/isolation.ts'
import { startLocalWorker, type LocalWorker } from './worker/start.ts'

describe('worker (workerd + a Durable Object per tenant)', () => {
  let worker: LocalWorker
  // Subscriptions are pushed by the object's commits: a poll this slow would time every one out.
  const vars = { ...limitsEnv, LOG_LEVEL: 'error', STORE: 'do', POLL_INTERVAL_MS: '600000' }
  before(async () => {
    worker = await startLocalWorker(vars)
  })
  after(async () => {
    await worker?.stop()
  })

  contractSuite('worker, STORE=do', () => worker.baseUrl)
  tenantIsolationTests(() => worker.baseUrl)

  describe('Durable Object specifics', () => {
    it('concurrent appends from many requests to one stream: one writer, no lost or doubled revision', async () => {
      const stream = `do${Date.now().toString(36)}-1`
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) => call(worker.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Concurrent', { i })] } })),
      )
      const revisions = replies.map((r) => expectStatus(r, 201).lastRevision).sort((a: number, b: number) => a - b)
      assert.deepEqual(revisions, Array.from({ length: 50 }, (_, i) => i))
    })

    it('a live subscription is pushed each commit (no polling: POLL_INTERVAL_MS is 10 minutes here)', async () => {
      const category = `dosub${Date.now().toString(36)}`
      const sub = await openSse(`${worker.baseUrl}/v1/subscribe?category=${category}`)
      try {
        assert.equal(sub.status, 200)
        for (let i = 0; i < 3; i++) {
          expectStatus(await call(worker.baseUrl, 'POST', `/v1/streams/${category}-${i}`, { json: { events: [newEvent('Live', { i })] } }), 201)
          const [event] = await sub.take(1)
          assert.equal(event.stream, `${category}-${i}`)
        }
      } finally {
        sub.close()
      }
    })

    it('a restart of workerd (new isolate, new objects, same storage) loses no acknowledged event; scoped tokens after it', async () => {
      const tenant = newTenant('durable')
      const stream = 'acct-1'
      const acked = await Promise.all(
        Array.from({ length: 30 }, (_, i) => call(worker.baseUrl, 'POST', `/v1/tenants/${tenant}/streams/${stream}`, { json: { events: [newEvent('Deposited', { i })] } })),
      )
      const ids = acked.flatMap((r) => expectStatus(r, 201).events.map((e: any) => e.id)).sort()
      const plain = expectStatus(await call(worker.baseUrl, 'POST', '/v1/streams/plain-1', { json: { events: [newEvent('Plain')] } }), 201)

      await worker.restart({ ...vars, AUTH_TOKENS: `admin,${tenant}-rw:${tenant}`, AUTH_READ_TOKENS: `${tenant}-ro:${tenant}|other` })
      const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

      const read = expectStatus(await call(worker.baseUrl, 'GET', `/v1/tenants/${tenant}/streams/${stream}?limit=100`, as('admin')), 200)
      assert.deepEqual(read.events.map((e: any) => e.id).sort(), ids)
      assert.deepEqual(read.events.map((e: any) => e.revision), Array.from({ length: 30 }, (_, i) => i))
      const again = expectStatus(await call(worker.baseUrl, 'GET', '/v1/streams/plain-1', as('admin')), 200)
      assert.ok(again.events.some((e: any) => e.id === plain.events[0].id))
      // the writer's heads start from the stored ones: the next append is revision 30
      const next = expectStatus(await call(worker.baseUrl, 'POST', `/v1/tenants/${tenant}/streams/${stream}`, { json: { events: [newEvent()], expectedRevision: 29 }, ...as(`${tenant}-rw`) }), 201)
      assert.equal(next.lastRevision, 30)

      // tokens scoped to tenants (docs/api.md "Tokens"): another tenant is a 403
      expectProblem(await call(worker.baseUrl, 'GET', `/v1/tenants/${newTenant('x')}/all`, as(`${tenant}-rw`)), 403, 'forbidden')
      const plainDenied = expectProblem(await call(worker.baseUrl, 'GET', '/v1/all', as(`${tenant}-rw`)), 403, 'forbidden')
      assert.match(plainDenied.detail, /default tenant/)
      expectStatus(await call(worker.baseUrl, 'GET', `/v1/tenants/${tenant}/all`, as(`${tenant}-ro`)), 200)
      expectStatus(await call(worker.baseUrl, 'GET', '/v1/tenants/other/all', as(`${tenant}-ro`)), 200)
      expectProblem(await call(worker.baseUrl, 'POST', `/v1/tenants/${tenant}/streams/${stream}`, { json: { events: [newEvent()] }, ...as(`${tenant}-ro`) }), 403, 'forbidden')
      expectProblem(await call(worker.baseUrl, 'GET', `/v1/tenants/${tenant}/all`), 401, 'unauthorized')
      expectStatus(await call(worker.baseUrl, 'GET', `/v1/tenants/${newTenant('y')}/all`, as('admin')), 200)
    })
  })
})

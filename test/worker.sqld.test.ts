// The Cloudflare Worker (src/worker.ts under workerd) with STORE=libsql against a real
// libSQL server (sqld): the HTTP contract, and what only an isolate shared by many
// requests shows (no request's database I/O may run in another request's context).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { contractSuite } from './contract/suite.ts'
import { limitsEnv } from './contract/limits.ts'
import { call, expectStatus, newEvent } from './contract/http.ts'
import { startLocalWorker, type LocalWorker } from './worker/start.ts'
import { startMigratedSqld, type Sqld } from './sqld.ts'

describe('worker (workerd) on sqld, STORE=libsql', () => {
  let sqld: Sqld
  let worker: LocalWorker
  before(async () => {
    sqld = await startMigratedSqld()
    worker = await startLocalWorker({ ...limitsEnv, LOG_LEVEL: 'error', STORE: 'libsql', DATABASE_URL: sqld.url })
  })
  after(async () => {
    await worker?.stop()
    await sqld?.stop()
    sqld?.cleanup()
  })

  it('more than 20 concurrent database requests, then /health, reads and appends still answer', async () => {
    const stream = `wkc${Date.now().toString(36)}-1`
    expectStatus(await call(worker.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Seed')] } }), 201)
    // 60 at once: heads, reads and appends, more than @libsql/client/web's default 20 slots.
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const signal = AbortSignal.timeout(20_000)
        if (i % 3 === 0) return call(worker.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Concurrent', { i })] }, signal })
        return call(worker.baseUrl, 'GET', i % 3 === 1 ? `/v1/streams/${stream}/head` : `/v1/streams/${stream}`, { signal })
      }),
    )
    for (const r of replies) assert.ok(r.status === 200 || r.status === 201, `${r.method} ${r.url}: ${r.status} ${r.text}`)
    for (let round = 0; round < 3; round++) {
      const health = await call(worker.baseUrl, 'GET', '/health', { signal: AbortSignal.timeout(5_000) })
      assert.equal(health.status, 200, health.text)
      expectStatus(await call(worker.baseUrl, 'GET', `/v1/streams/${stream}/head`, { signal: AbortSignal.timeout(5_000) }), 200)
      expectStatus(await call(worker.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent('After')] }, signal: AbortSignal.timeout(5_000) }), 201)
    }
    const head = expectStatus(await call(worker.baseUrl, 'GET', `/v1/streams/${stream}/head`), 200)
    assert.equal(head.revision, 1 + 20 + 3 - 1, 'every acknowledged append stored once')
  })

  contractSuite('worker on sqld', () => worker.baseUrl)
})

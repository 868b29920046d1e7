// Data lifecycle with SHARED_WRITERS: nothing in memory is trusted, every condition is in
// SQL (groupInSql.ts). The lifecycle contract on one such server, then two servers on one
// file: a delete made through one is enforced on appends through the other.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { contractClient } from './contract/client.ts'
import { call, expectProblem, expectStatus, newEvent, uniqueStream } from './contract/http.ts'
import { lifecycleTests } from './contract/lifecycle.ts'
import { startServer, type RunningServer } from './contract/server.ts'

describe('data lifecycle, shared writers (conditions in SQL)', () => {
  let a: RunningServer
  let b: RunningServer
  before(async () => {
    a = await startServer('node', { env: { SHARED_WRITERS: 'true', LOG_LEVEL: 'error' } })
    b = await startServer('node', { dbPath: a.dbPath, env: { SHARED_WRITERS: 'true', LOG_LEVEL: 'error' } })
  })
  after(async () => {
    await b?.stop()
    await a?.stop()
  })

  lifecycleTests(contractClient(() => a.baseUrl), () => a.baseUrl)

  it('a soft delete through one writer: the other refuses the old expected revision and continues the revisions', async () => {
    const stream = uniqueStream('shared')
    expectStatus(await call(b.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent(), newEvent()] } }), 201)
    expectStatus(await call(a.baseUrl, 'DELETE', `/v1/streams/${stream}?expectedRevision=1`), 200)
    expectProblem(await call(b.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent()], expectedRevision: 1 } }), 409, 'wrong-expected-revision')
    const again = expectStatus(await call(b.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent()], expectedRevision: 'no_stream' } }), 201)
    assert.equal(again.firstRevision, 2)
  })

  it('a hard delete through one writer: appends through the other are 410, whatever the expectation', async () => {
    const stream = uniqueStream('shared')
    expectStatus(await call(b.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent()] } }), 201)
    expectStatus(await call(a.baseUrl, 'DELETE', `/v1/streams/${stream}?hard=true`), 200)
    for (const expectedRevision of [undefined, 'any', 'no_stream', 0]) {
      const json = expectedRevision === undefined ? { events: [newEvent()] } : { events: [newEvent()], expectedRevision }
      expectProblem(await call(b.baseUrl, 'POST', `/v1/streams/${stream}`, { json }), 410, 'stream-tombstoned')
    }
    // alongside another request in the same commit group, only this one fails
    const other = uniqueStream('shared')
    const [bad, good] = await Promise.all([
      call(b.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent()] } }),
      call(b.baseUrl, 'POST', `/v1/streams/${other}`, { json: { events: [newEvent()] } }),
    ])
    expectProblem(bad, 410, 'stream-tombstoned')
    expectStatus(good, 201)
  })
})

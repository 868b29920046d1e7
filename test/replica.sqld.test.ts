// Embedded read replicas (REPLICA_PATH) against a real libSQL server (sqld), over HTTP
// against the node entry: reads and subscription catch-up come from the local replica,
// appends go to the primary, and whoever appends through an instance reads its own write
// through it; other instances' commits show after a sync.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { call, expectStatus, newEvent } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { openSse } from './subscribe/sse.ts'
import { startMigratedSqld, type Sqld } from './sqld.ts'
import { tempDir } from './helpers.ts'

describe('embedded read replicas on sqld', () => {
  const { dir, cleanup } = tempDir()
  let sqld: Sqld
  let primary: RunningServer // no replica: reads the primary
  let lazy: RunningServer // a replica that syncs only after its own commits (interval of an hour)
  let eager: RunningServer // a replica synced every 100 ms
  before(async () => {
    sqld = await startMigratedSqld()
    const env = { DATABASE_URL: sqld.url, LOG_LEVEL: 'error', POLL_INTERVAL_MS: '100' }
    ;[primary, lazy, eager] = await Promise.all([
      startServer('node', { env }),
      startServer('node', { env: { ...env, REPLICA_PATH: join(dir, 'lazy', 'replica.db'), REPLICA_SYNC_INTERVAL_MS: '3600000' } }),
      startServer('node', { env: { ...env, REPLICA_PATH: join(dir, 'eager', 'replica.db'), REPLICA_SYNC_INTERVAL_MS: '100' } }),
    ])
  })
  after(async () => {
    await Promise.all([primary, lazy, eager].map((s) => s?.stop()))
    await sqld?.stop()
    sqld?.cleanup()
    cleanup()
  })

  const revisionsOf = async (server: RunningServer, stream: string) => {
    const r = await call(server.baseUrl, 'GET', `/v1/streams/${stream}`)
    return r.status === 404 ? [] : expectStatus(r, 200).events.map((e: { type: string }) => e.type)
  }

  it('reads come from the replica; an instance reads its own writes at once, others after a sync', async () => {
    const stream = `rep${Date.now().toString(36)}-1`
    // Appended through the lazy replica's instance: its next read waits for a sync.
    expectStatus(await call(lazy.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { expectedRevision: 'no_stream', events: [newEvent('Mine')] } }), 201)
    assert.deepEqual(await revisionsOf(lazy, stream), ['Mine'], 'read-your-writes through the same instance')
    // Another instance appends: the lazy replica has not synced since, so it does not show it
    // (its reads really are local)...
    expectStatus(await call(primary.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { expectedRevision: 0, events: [newEvent('Theirs')] } }), 201)
    assert.deepEqual(await revisionsOf(primary, stream), ['Mine', 'Theirs'])
    assert.deepEqual(await revisionsOf(lazy, stream), ['Mine'], 'a replica serves its last synced state')
    const head = expectStatus(await call(lazy.baseUrl, 'GET', `/v1/streams/${stream}/head`), 200)
    assert.equal(head.revision, 0)
    // ...while appends go to the primary, which decides: a stale expected revision is a 409.
    const stale = await call(lazy.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { expectedRevision: 0, events: [newEvent('Stale')] } })
    assert.equal(stale.status, 409, stale.text)
    assert.equal(stale.body.actualRevision, 1)
    // That commit attempt made it sync: everything up to it shows now.
    assert.deepEqual(await revisionsOf(lazy, stream), ['Mine', 'Theirs'])
    // The periodically synced replica shows the other instance's commits by itself.
    const deadline = Date.now() + 30_000
    while ((await revisionsOf(eager, stream)).length < 2) {
      assert.ok(Date.now() < deadline, 'the eager replica synced within 30 s')
      await new Promise((r) => setTimeout(r, 20)) // poll the condition again
    }
    assert.equal((await call(lazy.baseUrl, 'GET', '/health')).status, 200)
  })

  it("a subscription catches up from the replica and sees other instances' appends live", async () => {
    const category = `rsub${Date.now().toString(36)}`
    const first = expectStatus(await call(primary.baseUrl, 'POST', `/v1/streams/${category}-1`, { json: { events: [newEvent('One'), newEvent('Two')] } }), 201)
    const sub = await openSse(`${eager.baseUrl}/v1/subscribe?category=${category}&from=0`)
    try {
      assert.equal(sub.status, 200)
      const caughtUp = await sub.take(2, 30_000)
      assert.deepEqual(caughtUp.map((e) => e.position), first.events.map((e: { position: number }) => e.position))
      const live = expectStatus(await call(primary.baseUrl, 'POST', `/v1/streams/${category}-2`, { json: { events: [newEvent('Three')] } }), 201)
      const [event] = await sub.take(1, 30_000)
      assert.equal(event.position, live.lastPosition)
    } finally {
      sub.close()
    }
  })

  it('a file DATABASE_URL with REPLICA_PATH is refused at start with a clear message', async () => {
    const err = await startServer('node', { env: { REPLICA_PATH: join(dir, 'x.db') } }).then(
      (s) => (s.stop(), assert.fail('started')),
      (e: Error) => e,
    )
    assert.match(err.message, /cannot start: REPLICA_PATH keeps a replica of a remote primary/)
    assert.doesNotMatch(err.message, /^\s+at /m)
  })
})

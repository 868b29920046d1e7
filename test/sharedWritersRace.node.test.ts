// Two edgelog processes on one libSQL file with SHARED_WRITERS=true (what two instances on
// one remote libSQL server do): process B hammers one stream with "any" appends while
// process A alternates stale appends (expectedRevision 0) and "any" appends to it. A stale
// guard sends A's group down the command-by-command path while B keeps committing: a
// conflict must fail only its own request (409), never a valid neighbour (503).
// On a local file the gap between A's read and A's write is short, so this rarely loses a
// race even on code that mishandles it; test/contention.file.test.ts puts a commit of the
// other writer into that gap every time.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent, show, type Reply } from './contract/http.ts'
import { MAX_PAGE_SIZE } from './contract/limits.ts'
import { startServer, type RunningServer } from './contract/server.ts'

const WORKERS = 25
const ROUNDS = 16 // per worker of A: half stale, half valid

describe('two server processes sharing one file (SHARED_WRITERS=true)', () => {
  let a: RunningServer
  let b: RunningServer
  before(async () => {
    a = await startServer('node', { env: { SHARED_WRITERS: 'true' } })
    b = await startServer('node', { env: { SHARED_WRITERS: 'true' }, dbPath: a.dbPath })
  })
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()])
  })

  it('stale appends on A are 409 and valid ones 201 while B commits to the same stream; the log has no gap or duplicate', async () => {
    const stream = `shared${randomUUID().slice(0, 8)}-1`
    const post = (server: RunningServer, body: unknown) => call(server.baseUrl, 'POST', `/v1/streams/${stream}`, { json: body })
    expectStatus(await post(a, { events: [newEvent('Seed'), newEvent('Seed')] }), 201)

    const acked: Array<{ id: string; revision: number; position: number }> = []
    const ack = (reply: Reply) => {
      const result = expectStatus(reply, 201)
      assert.notEqual(reply.headers.get('idempotent-replayed'), 'true', show(reply))
      acked.push(...result.events)
    }
    let done = false
    let bAppends = 0
    let stale = 0
    let valid = 0
    const unexpected: string[] = []

    // B: "any" appends until A is done (and at least as many as A made, so they overlap).
    const hammer = async () => {
      while (!done) {
        const reply = await post(b, { events: [newEvent('B')], expectedRevision: 'any' })
        if (reply.status !== 201) unexpected.push(`B: ${show(reply)}`)
        else (ack(reply), bAppends++)
      }
    }
    const worker = async (n: number) => {
      for (let k = 0; k < ROUNDS; k++) {
        if (k % 2 === 0) {
          const reply = await post(a, { events: [newEvent('Stale', { n, k })], expectedRevision: 0 })
          if (reply.status !== 409) unexpected.push(`A stale: ${show(reply)}`)
          else (expectProblem(reply, 409, 'wrong-expected-revision'), stale++)
        } else {
          const reply = await post(a, { events: [newEvent('A', { n, k })], expectedRevision: 'any' })
          if (reply.status !== 201) unexpected.push(`A valid: ${show(reply)}`)
          else (ack(reply), valid++)
        }
      }
    }
    const hammers = Array.from({ length: WORKERS }, hammer)
    await Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)))
    done = true
    await Promise.all(hammers)

    assert.deepEqual(unexpected.slice(0, 5), [], `${unexpected.length} unexpected answers`)
    assert.equal(stale, (WORKERS * ROUNDS) / 2)
    assert.equal(valid, (WORKERS * ROUNDS) / 2)
    assert.ok(bAppends > 0)

    // The stream: revisions 0..n-1 once each, exactly the acknowledged events where their
    // appends said; the global log strictly increasing.
    const events: any[] = []
    for (let from: number | null = 0; from !== null; ) {
      const page = expectStatus(await call(a.baseUrl, 'GET', `/v1/streams/${stream}?from=${from}&limit=${MAX_PAGE_SIZE}`), 200)
      events.push(...page.events)
      from = page.next
    }
    assert.deepEqual(events.map((e) => e.revision), events.map((_, i) => i), 'revisions have a gap or a duplicate')
    assert.equal(events.length, acked.length + 2, 'stored = acknowledged + the two seeds')
    const byId = new Map(events.map((e) => [e.id, e]))
    for (const e of acked) {
      const stored = byId.get(e.id)
      assert.ok(stored, `acknowledged ${e.id} is stored`)
      assert.deepEqual([stored.revision, stored.position], [e.revision, e.position])
    }
    assert.ok(!events.some((e) => e.type === 'Stale'), 'no stale append was written')
    for (let i = 1; i < events.length; i++) assert.ok(events[i].position > events[i - 1].position)
  })
})

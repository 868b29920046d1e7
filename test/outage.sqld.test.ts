// Faults of a remote libSQL server, over HTTP against the node entry on a real sqld:
// a server that stops answering (SIGSTOP) costs DATABASE_TIMEOUT_MS and a 503, never a hung
// client; a commit whose answer was lost says it may have been written; a server killed
// (SIGKILL) and restarted on the same data loses no acknowledged event, and appends resume.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent, type Reply } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { startMigratedSqld, startSqld, type Sqld } from './sqld.ts'

const TIMEOUT_MS = 800
// The client gives up long after the server should have answered: a hang fails the test.
const bounded = () => AbortSignal.timeout(TIMEOUT_MS * 8)

describe('remote database faults (node on sqld)', () => {
  let sqld: Sqld
  let server: RunningServer
  before(async () => {
    sqld = await startMigratedSqld()
    server = await startServer('node', { env: { DATABASE_URL: sqld.url, DATABASE_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: 'error' } })
  })
  after(async () => {
    sqld?.resume()
    await server?.stop()
    await sqld?.stop()
    sqld?.cleanup()
  })

  it('sqld paused: appends, reads and /health answer 503 within the timeout; the unanswered commit may be stored and a retry with its ids is safe', async () => {
    const stream = `pause${Date.now().toString(36)}-1`
    const base = server.baseUrl
    expectStatus(await call(base, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Before')] } }), 201)
    const event = newEvent('DuringPause')
    const anonymous = { type: 'NoIdDuringPause' }
    sqld.pause()
    let replies: Reply[]
    try {
      replies = await Promise.all([
        call(base, 'POST', `/v1/streams/${stream}`, { json: { events: [event] }, signal: bounded() }),
        call(base, 'POST', `/v1/streams/${stream}`, { json: { events: [anonymous] }, signal: bounded() }),
        call(base, 'GET', `/v1/streams/${stream}`, { signal: bounded() }),
        call(base, 'GET', `/v1/streams/${stream}/head`, { signal: bounded() }),
        call(base, 'GET', '/health', { signal: bounded() }),
      ])
    } finally {
      sqld.resume()
    }
    const [append, anon, read, head, health] = replies
    for (const a of [append, anon]) {
      const problem = expectProblem(a, 503, 'commit-outcome-unknown')
      assert.equal(a.headers.get('retry-after'), '1')
      assert.match(problem.detail, /may have been written/)
      assert.match(problem.detail, /same event ids is safe/)
      assert.doesNotMatch(problem.detail, /nothing of this append was written/i)
    }
    assert.deepEqual(append.body.eventIds, [event.id])
    assert.equal(anon.body.eventIds.length, 1, 'the id the server chose, to retry with')
    for (const r of [read, head]) {
      const problem = expectProblem(r, 503, 'unavailable')
      assert.equal(r.headers.get('retry-after'), '1')
      assert.match(problem.detail, new RegExp(`did not answer within ${TIMEOUT_MS} ms`))
    }
    assert.equal(health.status, 503, health.text)
    assert.equal(health.body.status, 'degraded')

    // Back: retries with the same ids answer 201 whether or not the first attempts went in,
    // and each event is stored once.
    for (const [e, body] of [[event, { events: [event] }], [anonymous, { events: [{ ...anonymous, id: anon.body.eventIds[0] }] }]] as const) {
      const retry = expectStatus(await call(base, 'POST', `/v1/streams/${stream}`, { json: body, signal: bounded() }), 201)
      assert.equal(retry.events.length, 1, JSON.stringify(e))
    }
    const events = expectStatus(await call(base, 'GET', `/v1/streams/${stream}?limit=100`, { signal: bounded() }), 200).events
    assert.deepEqual(events.map((e: { revision: number }) => e.revision), events.map((_: unknown, i: number) => i))
    assert.equal(events.filter((e: { id: string }) => e.id === event.id).length, 1)
    assert.equal(events.filter((e: { id: string }) => e.id === anon.body.eventIds[0]).length, 1)
    assert.equal(events.length, 3)
    assert.equal((await call(base, 'GET', '/health', { signal: bounded() })).status, 200)
    // The log says why: the timeout, not just "fetch failed".
    assert.ok(server.stdout.some((l) => /commit-outcome-unknown/.test(l) && /TimeoutError|no answer within/.test(l)), server.stdout.join('\n'))
  })

  it('sqld killed (SIGKILL) under load and restarted on the same data: nothing acknowledged lost, clear 503s meanwhile, appends resume', async () => {
    const base = server.baseUrl
    const category = `kill${Date.now().toString(36)}`
    const acked = new Map<string, { stream: string; revision: number; position: number }>()
    const refused: Reply[] = []
    let stop = false
    let restarted: Sqld | undefined
    // 10 appenders, each on its own stream with expected revisions, retrying with the same
    // ids on a 503 until the database is back.
    const appender = async (k: number) => {
      const stream = `${category}-${k}`
      let revision: number | 'no_stream' = 'no_stream'
      let n = 0
      while (!stop || n < 3) {
        const event = newEvent('Loaded', { k, n })
        for (;;) {
          const r = await call(base, 'POST', `/v1/streams/${stream}`, { json: { expectedRevision: revision, events: [event] }, signal: bounded() })
          if (r.status === 201) {
            acked.set(event.id, { stream, revision: r.body.lastRevision, position: r.body.lastPosition })
            revision = r.body.lastRevision
            break
          }
          refused.push(r)
          assert.equal(r.status, 503, `${r.status} ${r.text}`)
          // poll until the database answers again
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        n++
      }
    }
    const load = Array.from({ length: 10 }, (_, k) => appender(k))
    const until = async (check: () => boolean) => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await until(() => acked.size >= 50)
    await sqld.kill()
    const port = sqld.port
    await until(() => refused.length >= 10)
    restarted = await startSqld({ dir: sqld.dir, port })
    sqld = restarted
    const before = refused.length
    await until(() => acked.size >= 150)
    stop = true
    await Promise.all(load)

    for (const r of refused) {
      const problem = expectProblem(r, 503, r.body.type.endsWith('commit-outcome-unknown') ? 'commit-outcome-unknown' : 'unavailable')
      assert.equal(r.headers.get('retry-after'), '1')
      if (problem.type.endsWith('/unavailable')) assert.match(problem.detail, /could not be reached|did not answer/)
    }
    assert.ok(refused.some((r) => /nothing of this append was written/i.test(r.body.detail)), 'a refused connection says nothing was written')
    assert.ok(before >= 10)
    // Every acknowledged event is stored where its append said, once; streams have no gap.
    const all: Array<{ id: string; stream: string; revision: number; position: number }> = []
    for (let from = 0; ; ) {
      const page = expectStatus(await call(base, 'GET', `/v1/categories/${category}?from=${from}&limit=100`), 200)
      all.push(...page.events)
      if (!page.events.length) break
      from = page.next
    }
    const byId = new Map(all.map((e: { id: string }) => [e.id, e]))
    for (const [id, a] of acked) {
      const e = byId.get(id) as { stream: string; revision: number; position: number } | undefined
      assert.ok(e, `acknowledged ${id} is stored`)
      assert.deepEqual([e.stream, e.revision, e.position], [a.stream, a.revision, a.position])
    }
    assert.equal(all.length, acked.size, 'nothing stored that was not acknowledged (retries reused their ids)')
    for (let k = 0; k < 10; k++) {
      const revisions = all.filter((e: { stream: string }) => e.stream === `${category}-${k}`).map((e: { revision: number }) => e.revision)
      assert.deepEqual(revisions, revisions.map((_: unknown, i: number) => i))
    }
    assert.ok(server.stdout.some((l) => /ECONNREFUSED/.test(l)), 'the log keeps the cause of "fetch failed"')
    assert.equal((await call(base, 'GET', '/health', { signal: bounded() })).status, 200)
  })
})

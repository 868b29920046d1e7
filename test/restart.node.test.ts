// Crash and shutdown safety against a Node server: whatever was acknowledged with a 201
// is on disk after a restart on the same database file, and nothing is half-written.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { call, expectStatus, newEvent, show, sleep } from './contract/http.ts'
import { MAX_PAGE_SIZE } from './contract/limits.ts'
import { startServer, type RunningServer } from './contract/server.ts'

const CLIENTS = 32
const STREAMS = 8

interface Attempt {
  stream: string
  ids: string[]
  /** acked: 201; rejected: a 503; unknown: no answer (the connection died). */
  outcome: 'acked' | 'rejected' | 'unknown'
  result?: { events: Array<{ id: string; revision: number; position: number }> }
}

/** Clients appending 1..3 events at a time until the server goes away. */
function startWorkload(server: RunningServer) {
  const streams = Array.from({ length: STREAMS }, (_, i) => `crash${randomUUID().slice(0, 8)}-${i}`)
  const attempts: Attempt[] = []
  const unexpected: string[] = []

  const client = async (n: number) => {
    for (let i = 0; ; i++) {
      const stream = streams[(n + i) % STREAMS]
      const events = Array.from({ length: 1 + ((n + i) % 3) }, () => newEvent('Written', { n, i }))
      const attempt: Attempt = { stream, ids: events.map((e) => e.id), outcome: 'unknown' }
      attempts.push(attempt)
      try {
        const reply = await call(server.baseUrl, 'POST', `/v1/streams/${stream}`, {
          json: { events },
          signal: AbortSignal.timeout(20_000),
        })
        if (reply.status === 201) {
          attempt.outcome = 'acked'
          attempt.result = reply.body
        } else if (reply.status === 503) {
          attempt.outcome = 'rejected'
          await sleep(20)
        } else {
          unexpected.push(show(reply))
          return
        }
      } catch {
        return // the server is gone: this attempt's outcome is unknown
      }
    }
  }

  const done = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)))
  const acked = () => attempts.filter((a) => a.outcome === 'acked').length
  return { streams, attempts, unexpected, done, acked }
}

const outcomes = (attempts: Attempt[]) =>
  ['acked', 'rejected', 'unknown'].map((o) => `${o}: ${attempts.filter((a) => a.outcome === o).length}`).join(', ')

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`)
    await sleep(5)
  }
}

async function readStream(baseUrl: string, stream: string): Promise<any[]> {
  const events: any[] = []
  for (let from: number | null = 0; from !== null; ) {
    const reply = await call(baseUrl, 'GET', `/v1/streams/${stream}?from=${from}&limit=${MAX_PAGE_SIZE}`)
    if (reply.status === 404) return events
    const page = expectStatus(reply, 200)
    events.push(...page.events)
    from = page.next
  }
  return events
}

/**
 * After the restart: acked attempts whole and in place, others all-or-nothing, no gaps.
 * Returns how many appends without an answer were written anyway.
 */
async function verify(baseUrl: string, streams: string[], attempts: Attempt[]): Promise<number> {
  const stored = new Map<string, any>()
  for (const stream of streams) {
    const events = await readStream(baseUrl, stream)
    assert.deepEqual(
      events.map((e) => e.revision),
      events.map((_, i) => i),
      `${stream}: revisions have a gap or a duplicate after restart`,
    )
    for (const event of events) {
      assert.ok(!stored.has(event.id), `event ${event.id} stored twice`)
      stored.set(event.id, event)
    }
  }

  let lost = 0
  let writtenUnanswered = 0
  for (const attempt of attempts) {
    const present = attempt.ids.filter((id) => stored.has(id)).length
    if (attempt.outcome === 'acked') {
      if (present !== attempt.ids.length) lost++
      for (const landed of attempt.result!.events) {
        const event = stored.get(landed.id)
        if (!event) continue
        assert.equal(event.stream, attempt.stream)
        assert.equal(event.revision, landed.revision, `acked revision of ${landed.id} changed`)
        assert.equal(event.position, landed.position, `acked position of ${landed.id} changed`)
      }
    } else {
      if (attempt.outcome === 'unknown' && present > 0) writtenUnanswered++
      assert.ok(
        present === 0 || present === attempt.ids.length,
        `${attempt.outcome} append to ${attempt.stream} is half-written: ${present}/${attempt.ids.length}`,
      )
    }
  }
  assert.equal(lost, 0, `${lost} acknowledged appends are missing after restart`)

  // The global log holds exactly the stored events, in strictly increasing positions.
  const all: any[] = []
  for (let from = 0; ; ) {
    const page = expectStatus(await call(baseUrl, 'GET', `/v1/all?from=${from}&limit=${MAX_PAGE_SIZE}`), 200)
    if (page.events.length === 0) break
    all.push(...page.events)
    from = page.next
  }
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].position < all[i].position)
  assert.deepEqual(all.map((e) => e.id).sort(), [...stored.keys()].sort())

  // And the log goes on where it stopped.
  const stream = streams[0]
  const before = (await readStream(baseUrl, stream)).length
  const next = expectStatus(
    await call(baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent()], expectedRevision: before - 1 } }),
    201,
  )
  assert.equal(next.firstRevision, before)
  assert.ok(next.firstPosition > all[all.length - 1].position)
  return writtenUnanswered
}

describe('restart (node)', () => {
  it('SIGKILL mid-flight loses no acknowledged append', async (t) => {
    const first = await startServer('node')
    const workload = startWorkload(first)
    try {
      await waitFor(() => workload.acked() >= 300, '300 acknowledged appends')
    } finally {
      await first.kill()
    }
    await workload.done
    t.diagnostic(outcomes(workload.attempts))
    assert.deepEqual(workload.unexpected, [])

    const second = await startServer('node', { dbPath: first.dbPath })
    try {
      const unanswered = await verify(second.baseUrl, workload.streams, workload.attempts)
      t.diagnostic(`written without an answer: ${unanswered}`)
    } finally {
      await second.stop()
    }
  })

  it('SIGTERM drains in-flight appends, exits 0, and loses no acknowledged append', async (t) => {
    const first = await startServer('node')
    const workload = startWorkload(first)
    let exit
    try {
      await waitFor(() => workload.acked() >= 300, '300 acknowledged appends')
    } finally {
      exit = await first.stop('SIGTERM')
    }
    await workload.done
    t.diagnostic(outcomes(workload.attempts))
    assert.deepEqual(exit, { code: 0, signal: null }, [...first.stderr, ...first.stdout].join('\n'))
    assert.deepEqual(workload.unexpected, [])

    const second = await startServer('node', { dbPath: first.dbPath })
    try {
      const unanswered = await verify(second.baseUrl, workload.streams, workload.attempts)
      t.diagnostic(`written without an answer: ${unanswered}`)
      // A graceful stop answers every append it commits.
      assert.equal(unanswered, 0, 'appends committed during shutdown but never answered')
    } finally {
      await second.stop()
    }
  })
})

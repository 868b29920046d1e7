// Many clients racing on the same streams against one Node server: optimistic concurrency
// must give each revision exactly one winner, with no gap, and a global order without holes.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { call, expectStatus, newEvent, show, sleep, type Reply } from './contract/http.ts'
import { MAX_PAGE_SIZE } from './contract/limits.ts'
import { startServer, type RunningServer } from './contract/server.ts'

const APPENDERS = 50
const STREAMS = 5
const EVENTS_PER_APPENDER = 4

interface Ack {
  stream: string
  id: string
  revision: number
  position: number
}

describe('concurrent appenders (node)', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node')
  })
  after(async () => {
    await server?.stop()
  })

  const req = (method: string, path: string, json?: unknown) => call(server.baseUrl, method, path, { json })

  const readStream = async (stream: string): Promise<any[]> => {
    const events: any[] = []
    for (let from: number | null = 0; from !== null; ) {
      const page = expectStatus(await req('GET', `/v1/streams/${stream}?from=${from}&limit=${MAX_PAGE_SIZE}`), 200)
      events.push(...page.events)
      from = page.next
    }
    return events
  }

  const readAll = async (from: number): Promise<any[]> => {
    const events: any[] = []
    for (;;) {
      const page = expectStatus(await req('GET', `/v1/all?from=${from}&limit=${MAX_PAGE_SIZE}`), 200)
      if (page.events.length === 0) return events
      events.push(...page.events)
      from = page.next
    }
  }

  /** 503 (write queue full) is allowed under load; the client backs off and retries. */
  const isBackpressure = (reply: Reply) => reply.status === 503

  /** Per stream: revisions 0..n-1 once each, matching the acks exactly. */
  const assertStreamsMatchAcks = async (streams: string[], acks: Ack[]) => {
    for (const stream of streams) {
      const mine = acks.filter((a) => a.stream === stream)
      const byRevision = new Map<number, Ack>()
      for (const ack of mine) {
        assert.ok(!byRevision.has(ack.revision), `two winners for ${stream}@${ack.revision}`)
        byRevision.set(ack.revision, ack)
      }
      const events = await readStream(stream)
      assert.deepEqual(
        events.map((e) => e.revision),
        events.map((_, i) => i),
        `${stream} revisions have a gap or a duplicate`,
      )
      assert.equal(events.length, mine.length, `${stream}: ${events.length} stored, ${mine.length} acknowledged`)
      for (const event of events) {
        const ack = byRevision.get(event.revision)
        assert.ok(ack, `${stream}@${event.revision} stored but never acknowledged`)
        assert.equal(event.id, ack.id, `${stream}@${event.revision}`)
        assert.equal(event.position, ack.position, `${stream}@${event.revision}`)
      }
    }
  }

  /** Across /v1/all: strictly increasing positions, and exactly our acks among our streams. */
  const assertGlobalOrder = async (streams: string[], acks: Ack[]) => {
    const from = Math.min(...acks.map((a) => a.position))
    const all = await readAll(from)
    for (let i = 1; i < all.length; i++) {
      assert.ok(all[i - 1].position < all[i].position, `positions not increasing at ${all[i].position}`)
    }
    const ours = all.filter((e) => streams.includes(e.stream))
    assert.deepEqual(
      ours.map((e) => e.id).sort(),
      acks.map((a) => a.id).sort(),
      'the global log and the acknowledged ids differ',
    )
    // Within a stream, revision order and position order agree.
    for (const stream of streams) {
      const revisions = ours.filter((e) => e.stream === stream).map((e) => e.revision)
      assert.deepEqual(revisions, revisions.map((_, i) => i), `${stream} out of order in /v1/all`)
    }
  }

  it(`${APPENDERS} appenders with expectedRevision = head race on ${STREAMS} streams`, async () => {
    const streams = Array.from({ length: STREAMS }, (_, i) => `race${randomUUID().slice(0, 8)}-${i}`)
    const acks: Ack[] = []
    let conflicts = 0

    const appender = async (n: number) => {
      for (let k = 0; k < EVENTS_PER_APPENDER; k++) {
        const stream = streams[(n + k) % STREAMS]
        const event = newEvent('Raced', { appender: n, k })
        for (let attempt = 0; ; attempt++) {
          assert.ok(attempt < 1000, `appender ${n} starved on ${stream}`)
          const head = await req('GET', `/v1/streams/${stream}/head`)
          assert.ok(head.status === 200 || head.status === 404, show(head))
          const expectedRevision = head.status === 200 ? head.body.revision : 'no_stream'
          const reply = await req('POST', `/v1/streams/${stream}`, { events: [event], expectedRevision })
          if (reply.status === 201) {
            const [landed] = reply.body.events
            assert.equal(landed.id, event.id)
            assert.equal(landed.revision, head.status === 200 ? head.body.revision + 1 : 0, show(reply))
            acks.push({ stream, id: event.id, revision: landed.revision, position: landed.position })
            break
          }
          if (reply.status === 409) {
            assert.equal(reply.body.type, 'https://edgelog.dev/problems/wrong-expected-revision', show(reply))
            assert.notEqual(reply.body.actualRevision, reply.body.expectedRevision, show(reply))
            conflicts++
            continue
          }
          if (isBackpressure(reply)) {
            await sleep(10)
            continue
          }
          assert.fail(`unexpected answer: ${show(reply)}`)
        }
      }
    }

    await Promise.all(Array.from({ length: APPENDERS }, (_, n) => appender(n)))

    assert.equal(acks.length, APPENDERS * EVENTS_PER_APPENDER)
    assert.ok(conflicts > 0, 'the appenders never collided: the test did not race')
    await assertStreamsMatchAcks(streams, acks)
    await assertGlobalOrder(streams, acks)
  })

  it(`${APPENDERS} appenders with expectedRevision "any" never interleave one append`, async () => {
    const streams = Array.from({ length: STREAMS }, (_, i) => `any${randomUUID().slice(0, 8)}-${i}`)
    const acks: Ack[] = []

    const appender = async (n: number) => {
      for (let k = 0; k < EVENTS_PER_APPENDER; k++) {
        const stream = streams[(n + k) % STREAMS]
        const events = [newEvent('First', { n, k }), newEvent('Second', { n, k })]
        for (;;) {
          const reply = await req('POST', `/v1/streams/${stream}`, { events, expectedRevision: 'any' })
          if (isBackpressure(reply)) {
            await sleep(10)
            continue
          }
          const result = expectStatus(reply, 201)
          assert.equal(result.lastRevision, result.firstRevision + 1, show(reply))
          for (const landed of result.events) acks.push({ stream, ...landed })
          break
        }
      }
    }

    await Promise.all(Array.from({ length: APPENDERS }, (_, n) => appender(n)))

    assert.equal(acks.length, APPENDERS * EVENTS_PER_APPENDER * 2)
    await assertStreamsMatchAcks(streams, acks)
    await assertGlobalOrder(streams, acks)
    // Each append's two events sit next to each other in its stream.
    for (const stream of streams) {
      const events = await readStream(stream)
      for (let i = 0; i < events.length; i += 2) {
        assert.deepEqual([events[i].type, events[i + 1].type], ['First', 'Second'], `${stream}@${i}`)
        assert.deepEqual(events[i].data, events[i + 1].data, `${stream}@${i}: two appends interleaved`)
      }
    }
  })

  it('20 identical requests at once write the events exactly once', async () => {
    const stream = `dup${randomUUID().slice(0, 8)}-0`
    const body = { events: [newEvent('Once'), newEvent('Once')], expectedRevision: 'no_stream' }
    const replies = await Promise.all(Array.from({ length: 20 }, () => req('POST', `/v1/streams/${stream}`, body)))

    for (const reply of replies) assert.equal(reply.status, 201, show(reply))
    for (const reply of replies) assert.deepEqual(reply.body, replies[0].body)
    const originals = replies.filter((r) => r.headers.get('idempotent-replayed') !== 'true')
    assert.equal(originals.length, 1, 'exactly one request is the original, the rest are replays')
    const events = await readStream(stream)
    assert.deepEqual(
      events.map((e) => e.id),
      body.events.map((e) => e.id),
    )
  })
})

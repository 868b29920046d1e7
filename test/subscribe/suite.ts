/**
 * Subscriptions over HTTP (docs/subscriptions.md), run against the real server on each
 * runtime: SSE catch-up then live, Last-Event-ID and checkpoint resume, consumer groups,
 * disconnects, checkpoint routes, long poll, heartbeats, polling mode and shutdown.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startServer, type RunningServer, type Runtime } from '../contract/server.ts'
import { call, expectProblem, expectStatus, newEvent, sleep } from '../contract/http.ts'
import { openSse, type SseClient } from './sse.ts'
import { MAX_EVENT_BYTES, MAX_PAGE_BYTES, MAX_PAGE_SIZE } from '../contract/limits.ts'
import { EventSource } from 'eventsource'

let seq = 0
/** A fresh category per test, so tests never see each other's events. */
const category = () => `c${Date.now().toString(36)}x${(seq++).toString(36)}`

/** Appends `n` events to `stream` in requests of at most 100; returns their positions. */
async function append(base: string, stream: string, n: number, type = 'Tested'): Promise<number[]> {
  const positions: number[] = []
  for (let done = 0; done < n; ) {
    const k = Math.min(100, n - done)
    const events = Array.from({ length: k }, (_, i) => newEvent(type, { i: done + i }))
    const body = expectStatus(await call(base, 'POST', `/v1/streams/${stream}`, { json: { events } }), 201)
    positions.push(...body.events.map((e: { position: number }) => e.position))
    done += k
  }
  return positions
}

const positionsOf = (events: Array<{ position: number }>) => events.map((e) => e.position)

function assertStrictlyIncreasing(positions: number[]) {
  for (let i = 1; i < positions.length; i++) assert.ok(positions[i] > positions[i - 1], `position ${positions[i]} after ${positions[i - 1]} at ${i}`)
}

/** Every stream's events arrive in revision order 0, 1, 2, ... with no gap. */
function assertStreamsInOrder(events: Array<{ stream: string; revision: number }>) {
  const next = new Map<string, number>()
  for (const e of events) {
    assert.equal(e.revision, next.get(e.stream) ?? 0, `stream ${e.stream}`)
    next.set(e.stream, e.revision + 1)
  }
}

/**
 * Subscribers open at random moments of a run of concurrent appends, from random positions,
 * with random filters and small pages: each must get exactly the matching events, in order,
 * across its own catch-up reads and the shared live tail (seeded; the seed is in the message).
 */
async function randomizedJoin(base: string, sse: (path: string) => Promise<SseClient>) {
  const seed = Math.floor(Math.random() * 2 ** 31)
  let state = seed
  const rand = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n)
  const cat = category()
  const types = ['A', 'B']
  const written: Array<{ position: number; type: string; stream: string }> = []
  const appendSome = async () => {
    const stream = `${cat}-${rand(4)}`
    const events = Array.from({ length: 1 + rand(20) }, () => newEvent(types[rand(2)]))
    const body = expectStatus(await call(base, 'POST', `/v1/streams/${stream}`, { json: { events } }), 201)
    body.events.forEach((e: { position: number }, i: number) => written.push({ position: e.position, type: events[i].type, stream }))
  }
  for (let i = 0; i < 10; i++) await appendSome()
  // Subscribers open at random moments of a run of concurrent appends, from random
  // positions already written, with small pages (several catch-up reads each).
  const subs: Array<{ client: SseClient; from: number; type?: string; stream?: string }> = []
  const writers = Array.from({ length: 3 }, async () => {
    for (let i = 0; i < 15; i++) await appendSome()
  })
  for (let i = 0; i < 6; i++) {
    const from = written[rand(written.length)].position
    const type = rand(3) === 0 ? types[rand(2)] : undefined
    const stream = type === undefined && rand(3) === 0 ? `${cat}-${rand(4)}` : undefined
    const filter = stream ? `stream=${stream}` : `category=${cat}${type ? `&types=${type}` : ''}`
    subs.push({ client: await sse(`/v1/subscribe?${filter}&from=${from}&limit=${1 + rand(30)}`), from, type, stream })
    await appendSome()
  }
  await Promise.all(writers)
  for (let i = 0; i < 5; i++) await appendSome()
  for (const { client, from, type, stream } of subs) {
    const expected = written
      .filter((e) => e.position >= from && (type === undefined || e.type === type) && (stream === undefined || e.stream === stream))
      .map((e) => e.position)
      .sort((a, b) => a - b)
    const got = positionsOf(await client.take(expected.length, 20_000))
    assert.deepEqual(got, expected, `seed ${seed}: from ${from}, type ${type}, stream ${stream}`)
  }
  // Nothing after the expected ones: one more event is the next message of each.
  const [p] = await append(base, `${cat}-0`, 1, 'A')
  for (const { client, type, stream } of subs) {
    if ((type === undefined || type === 'A') && (stream === undefined || stream === `${cat}-0`)) {
      assert.deepEqual(positionsOf(await client.take(1)), [p], `seed ${seed}: no duplicate before the next event`)
    }
    client.close()
  }
}

/** `env`: extra server environment, read when the servers start (e.g. a remote DATABASE_URL). */
export function subscribeSuite(runtime: Runtime, env: () => Record<string, string> = () => ({})) {
  describe(`subscriptions on ${runtime}`, () => {
    let server: RunningServer
    let base: string
    const open: SseClient[] = []
    const sse = async (path: string, opts?: Parameters<typeof openSse>[1]) => {
      const client = await openSse(base + path, opts)
      open.push(client)
      return client
    }

    before(async () => {
      server = await startServer(runtime, { env: env() })
      base = server.baseUrl
    })
    after(async () => {
      for (const c of open) c.close()
      if (server) await server.stop().catch(() => {})
    })

    it('catches up, then delivers live events from concurrent appends once each, in position order', async () => {
      const cat = category()
      const streams = Array.from({ length: 5 }, (_, i) => `${cat}-${i}`)
      const before = (await Promise.all(streams.map((s) => append(base, s, 40)))).flat()
      const sub = await sse(`/v1/subscribe?category=${cat}`)
      assert.equal(sub.status, 200)
      assert.match(sub.headers.get('content-type') ?? '', /^text\/event-stream/)
      const caughtUp = await sub.take(before.length)
      // Live: 5 writers append concurrently while the subscriber is at the head.
      const live = (await Promise.all(streams.map((s) => append(base, s, 60)))).flat()
      const rest = await sub.take(live.length)
      const all = [...caughtUp, ...rest]
      const positions = positionsOf(all)
      assertStrictlyIncreasing(positions)
      assert.deepEqual(positions, [...before, ...live].sort((a, b) => a - b))
      assert.equal(new Set(all.map((e) => e.id)).size, all.length)
      assertStreamsInOrder(all)
      // The SSE framing: id = position, no event: line (a plain "message"), data = the event as reads render it.
      const m = sub.messages[0]
      assert.equal(m.id, String(all[0].position))
      assert.equal(m.event, 'message')
      const read = expectStatus(await call(base, 'GET', `/v1/all?from=${all[0].position}&limit=1`), 200).events[0]
      assert.deepEqual(all[0], read, 'data: is the event exactly as reads render it')
      assert.equal(sub.messages[0].data, JSON.stringify(read))
      // a sentinel appended last arrives next: nothing extra or duplicated came before it
      const sentinel = await append(base, `${cat}-0`, 1)
      assert.deepEqual(positionsOf(await sub.take(1)), sentinel)
      assert.equal(sub.messages.length, all.length + 1, 'no extra or duplicate message')
      sub.close()
    })

    it('a generic EventSource (the eventsource package) gets every event in onmessage, types "error", "message", "open" included', async () => {
      const cat = category()
      const types = ['error', 'message', 'open', 'Deposited']
      const positions: number[] = []
      for (const type of types) positions.push(...(await append(base, `${cat}-1`, 1, type)))
      const es = new EventSource(`${base}/v1/subscribe?category=${cat}`)
      try {
        const received: MessageEvent[] = []
        const errors: unknown[] = []
        es.addEventListener('error', (e) => errors.push(e))
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`only ${received.length} messages in 10 s; errors: ${errors.length}`)), 10_000)
          es.onmessage = (m) => {
            received.push(m)
            if (received.length === types.length) {
              clearTimeout(timer)
              resolve()
            }
          }
        })
        assert.deepEqual(received.map((m) => JSON.parse(m.data).type), types)
        assert.deepEqual(received.map((m) => m.lastEventId), positions.map(String), 'lastEventId is the position')
        assert.deepEqual(errors, [], 'no event reached the error handler')
      } finally {
        es.close()
      }
    })

    it('resumes after Last-Event-ID with no gap and no duplicate', async () => {
      const cat = category()
      const positions = await append(base, `${cat}-1`, 30)
      const first = await sse(`/v1/subscribe?category=${cat}`)
      const seen = await first.take(10)
      first.close()
      const lastId = first.messages[9].id!
      assert.equal(lastId, String(positions[9]))
      const again = await sse(`/v1/subscribe?category=${cat}`, { lastEventId: lastId })
      const rest = await again.take(20)
      assert.deepEqual([...positionsOf(seen), ...positionsOf(rest)], positions)
      // Live after the resume too.
      const more = await append(base, `${cat}-1`, 3)
      assert.deepEqual(positionsOf(await again.take(3)), more)
      again.close()
    })

    it('filters by stream, types and tags', async () => {
      const cat = category()
      await append(base, `${cat}-a`, 3, 'Opened')
      const b = await append(base, `${cat}-b`, 4, 'Opened')
      const bOther = await append(base, `${cat}-b`, 2, 'Closed')
      // from = a position inside the stream: the stream subscription starts there.
      const s = await sse(`/v1/subscribe?stream=${cat}-b&from=${b[2]}`)
      assert.deepEqual(positionsOf(await s.take(4)), [b[2], b[3], ...bOther])
      const t = await sse(`/v1/subscribe?category=${cat}&types=Closed`)
      assert.deepEqual(positionsOf(await t.take(2)), bOther)
      const tag = `k:${cat}`
      const tagged = expectStatus(
        await call(base, 'POST', `/v1/streams/${cat}-c`, { json: { events: [{ ...newEvent('Tagged'), tags: [tag, 'x'] }, newEvent('Plain')] } }),
        201,
      )
      const g = await sse(`/v1/subscribe?tags=${encodeURIComponent(tag)}&from=${b[0]}`)
      assert.deepEqual(positionsOf(await g.take(1)), [tagged.events[0].position])
      // a sentinel every filter matches arrives next on each: nothing outside the filters came before it
      const sentinel = expectStatus(await call(base, 'POST', `/v1/streams/${cat}-b`, { json: { events: [{ ...newEvent('Closed'), tags: [tag] }] } }), 201).events[0].position
      for (const c of [s, t, g]) assert.deepEqual(positionsOf(await c.take(1)), [sentinel])
      assert.equal(s.messages.length + t.messages.length + g.messages.length, 7 + 3, 'nothing outside the filters')
      for (const c of [s, t, g]) c.close()
    })

    it('resumes from a consumer checkpoint saved every N events (up to N-1 redelivered)', async () => {
      const cat = category()
      const consumer = `proj-${cat}`
      const positions = await append(base, `${cat}-1`, 23)
      const sub = await sse(`/v1/subscribe?category=${cat}&consumer=${consumer}&checkpointEvery=5`)
      await sub.take(23)
      // Saved after the 5th, 10th, 15th, 20th event; the last 3 are inside the loss window.
      let checkpoint: any
      for (let i = 0; i < 50; i++) {
        checkpoint = (await call(base, 'GET', `/v1/consumers/${consumer}`)).body
        if (checkpoint.position === positions[19]) break
        await sleep(20)
      }
      assert.equal(checkpoint.name, consumer)
      assert.equal(checkpoint.position, positions[19])
      assert.ok(!Number.isNaN(Date.parse(checkpoint.updatedAt)))
      sub.close()
      const resumed = await sse(`/v1/subscribe?category=${cat}&consumer=${consumer}`)
      assert.deepEqual(positionsOf(await resumed.take(3)), positions.slice(20))
      resumed.close()

      // checkpointMs: the checkpoint follows the last delivered event within T ms.
      const timed = `timed-${cat}`
      const t = await sse(`/v1/subscribe?category=${cat}&consumer=${timed}&checkpointMs=100`)
      await t.take(23)
      for (let i = 0; i < 100; i++) {
        checkpoint = (await call(base, 'GET', `/v1/consumers/${timed}`)).body
        if (checkpoint?.position === positions[22]) break
        await sleep(20)
      }
      assert.equal(checkpoint.position, positions[22])
      t.close()
    })

    it('max and live=false end the stream, for clients that read a response whole (k6); a planned end saves the checkpoint', async () => {
      const cat = category()
      const positions = await append(base, `${cat}-1`, 23)
      const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))
      const whole = async (path: string) => {
        const res = await fetch(base + path, { signal: AbortSignal.timeout(10_000) })
        assert.equal(res.status, 200)
        return res.text() // resolves only when the server ends the stream
      }
      assert.deepEqual(ids(await whole(`/v1/subscribe?category=${cat}&max=10`)), positions.slice(0, 10))
      assert.deepEqual(ids(await whole(`/v1/subscribe?category=${cat}&from=${positions[10]}&max=5&limit=2`)), positions.slice(10, 15))
      assert.deepEqual(ids(await whole(`/v1/subscribe?category=${cat}&live=false&limit=4`)), positions)
      assert.deepEqual(ids(await whole(`/v1/subscribe?category=${cat}&from=${positions[22] + 1}&live=false`)), [])
      const consumer = `window-${cat}`
      assert.deepEqual(ids(await whole(`/v1/subscribe?category=${cat}&consumer=${consumer}&checkpointEvery=10&live=false`)), positions)
      assert.equal((await call(base, 'GET', `/v1/consumers/${consumer}`)).body.position, positions[22], 'the tail after the last 10 is saved too')
      expectProblem(await call(base, 'GET', `/v1/subscribe?category=${cat}&live=maybe`), 400, 'invalid-request')
    })

    it('large events: byte-cut batches catch up to the end (live=false) and then live, nothing skipped or repeated', async () => {
      const cat = category()
      const payload = 'y'.repeat(MAX_EVENT_BYTES - 1200)
      const appendLarge = async (n: number) => {
        const positions: number[] = []
        for (let done = 0; done < n; done += 6) {
          const events = Array.from({ length: Math.min(6, n - done) }, (_, i) => newEvent('Large', { i: done + i, payload }))
          positions.push(...expectStatus(await call(base, 'POST', `/v1/streams/${cat}-1`, { json: { events } }), 201).events.map((e: { position: number }) => e.position))
        }
        return positions
      }
      const positions = await appendLarge(30)
      // Far more than one MAX_PAGE_BYTES of events: a subscription reads them in byte-cut pages.
      assert.ok(30 * payload.length > 3 * MAX_PAGE_BYTES)
      const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))
      const res = await fetch(`${base}/v1/subscribe?category=${cat}&live=false&limit=${MAX_PAGE_SIZE}`, { signal: AbortSignal.timeout(20_000) })
      assert.deepEqual(ids(await res.text()), positions, 'live=false ends only after the last page')
      const sub = await sse(`/v1/subscribe?category=${cat}&limit=${MAX_PAGE_SIZE}`)
      const caught = await sub.take(30)
      const more = await appendLarge(20)
      const live = await sub.take(20)
      assert.deepEqual(positionsOf([...caught, ...live]), [...positions, ...more])
      assert.equal(live[19].data.payload, payload)
      sub.close()
    })

    it('randomized: subscribers that catch up while events are appended join the live tail with no gap and no duplicate', () => randomizedJoin(base, sse))

    it('consumer group members together see each event exactly once, each stream in order', async () => {
      const cat = category()
      const size = 3
      const members = await Promise.all(
        Array.from({ length: size }, (_, m) => sse(`/v1/subscribe?category=${cat}&member=${m}&size=${size}`)),
      )
      const streams = Array.from({ length: 12 }, (_, i) => `${cat}-${i}`)
      const positions = (await Promise.all(streams.map((s) => append(base, s, 25)))).flat()
      const total = () => members.reduce((a, c) => a + c.messages.length, 0)
      // then one sentinel per stream: it goes to the stream's member after every earlier event of that stream
      const sentinels = new Set((await Promise.all(streams.map((s) => append(base, s, 1)))).flat())
      for (let i = 0; i < 400 && total() < positions.length + sentinels.size; i++) await sleep(50)
      const byMember = members.map((c) => c.events.filter((e) => !sentinels.has(e.position)))
      assert.equal(total(), positions.length + sentinels.size, 'nothing beyond the events and the sentinels')
      const all = byMember.flat()
      assert.equal(all.length, positions.length, 'each event exactly once')
      assert.deepEqual(positionsOf(all).sort((a, b) => a - b), [...positions].sort((a, b) => a - b))
      const owner = new Map<string, number>()
      byMember.forEach((events, m) => {
        assertStrictlyIncreasing(positionsOf(events))
        assertStreamsInOrder(events)
        for (const e of events) {
          assert.equal(owner.get(e.stream) ?? m, m, `stream ${e.stream} went to two members`)
          owner.set(e.stream, m)
        }
      })
      assert.ok(byMember.filter((e) => e.length).length >= 2, 'the streams are spread over members')
      for (const c of members) c.close()
    })

    it('survives a disconnect mid-catch-up and resumes with Last-Event-ID', async () => {
      const cat = category()
      const streams = Array.from({ length: 4 }, (_, i) => `${cat}-${i}`)
      const positions = (await Promise.all(streams.map((s) => append(base, s, 300)))).flat().sort((a, b) => a - b)
      const first = await sse(`/v1/subscribe?category=${cat}&limit=100`)
      await first.take(250)
      first.close()
      await first.ended
      const got = first.events
      const last = got[got.length - 1].position
      const second = await sse(`/v1/subscribe?category=${cat}`, { lastEventId: last })
      const rest = await second.take(positions.length - got.length)
      const all = [...got, ...rest]
      assert.deepEqual(positionsOf(all), positions)
      assertStreamsInOrder(all)
      second.close()
      expectStatus(await call(base, 'GET', '/health'), 200)
    })

    it('saves and reads checkpoints; a checkpoint never moves backwards', async () => {
      const cat = category()
      const positions = await append(base, `${cat}-1`, 10)
      const name = `cp-${cat}`
      expectProblem(await call(base, 'GET', `/v1/consumers/${name}`), 404, 'consumer-not-found')
      const saved = expectStatus(await call(base, 'PUT', `/v1/consumers/${name}`, { json: { position: positions[5] } }), 200)
      assert.equal(saved.position, positions[5])
      const behind = expectProblem(await call(base, 'PUT', `/v1/consumers/${name}`, { json: { position: positions[2] } }), 409, 'checkpoint-behind')
      assert.equal(behind.position, positions[5])
      assert.equal(behind.requested, positions[2])
      expectStatus(await call(base, 'PUT', `/v1/consumers/${name}`, { json: { position: positions[5] } }), 200)
      const forward = expectStatus(await call(base, 'PUT', `/v1/consumers/${name}`, { cbor: { position: positions[9] }, accept: 'application/cbor' }), 200)
      assert.equal(forward.position, positions[9])
      assert.equal(expectStatus(await call(base, 'GET', `/v1/consumers/${name}`), 200).position, positions[9])
      expectProblem(await call(base, 'PUT', `/v1/consumers/${name}`, { json: { position: 1e12 } }), 400, 'invalid-request')
      expectProblem(await call(base, 'PUT', `/v1/consumers/${name}`, { json: { position: -1 } }), 400, 'invalid-request')
      expectProblem(await call(base, 'PUT', `/v1/consumers/bad%20name`, { json: { position: 1 } }), 400, 'invalid-request')
      // Concurrent savers: whatever the order, the highest wins.
      await Promise.all(positions.map((p) => call(base, 'PUT', `/v1/consumers/${name}-race`, { json: { position: p } })))
      assert.equal((await call(base, 'GET', `/v1/consumers/${name}-race`)).body.position, positions[9])
    })

    it('rejects bad subscriptions with a problem before streaming', async () => {
      expectProblem(await call(base, 'GET', '/v1/subscribe?stream=a-1&category=a'), 400, 'invalid-request')
      expectProblem(await call(base, 'GET', '/v1/subscribe?category=a&member=1'), 400, 'invalid-request')
      expectProblem(await call(base, 'GET', '/v1/subscribe?checkpointEvery=10'), 400, 'invalid-request')
      expectProblem(await call(base, 'GET', '/v1/subscribe', { headers: { 'last-event-id': 'abc' } }), 400, 'invalid-request')
      expectProblem(await call(base, 'GET', '/v1/all?wait=2m'), 400, 'invalid-request')
      expectProblem(await call(base, 'GET', '/v1/all?wait=61s'), 400, 'invalid-request')
    })

    it('long poll on /v1/all returns as soon as an event arrives, or empty at timeout', async () => {
      const cat = category()
      const [p] = await append(base, `${cat}-1`, 1)
      let started = Date.now()
      const empty = expectStatus(await call(base, 'GET', `/v1/all?from=${p + 1000000}&wait=300ms`), 200)
      assert.deepEqual(empty.events, [])
      assert.ok(Date.now() - started >= 250, 'waited')
      let head = p
      for (;;) {
        const page = expectStatus(await call(base, 'GET', `/v1/all?from=${head}&limit=500`), 200)
        head = page.next
        if (!page.events.length) break
      }
      started = Date.now()
      const polled = call(base, 'GET', `/v1/all?from=${head}&wait=10s`)
      // append once the long poll is waiting inside the server (its gauge says so)
      for (let waiting = 0, until = Date.now() + 10_000; waiting < 1; ) {
        assert.ok(Date.now() < until, 'the long poll never reached the server')
        const metrics = await call(base, 'GET', '/metrics')
        waiting = Number(/^edgelog_long_polls_waiting (\d+)$/m.exec(metrics.text)?.[1] ?? 0)
      }
      const [q] = await append(base, `${cat}-1`, 1)
      const page = expectStatus(await polled, 200)
      const took = Date.now() - started
      assert.ok(took < 3000, `returned after ${took} ms`)
      assert.ok(page.events.some((e: { position: number }) => e.position === q))
      // Seconds as a plain number, and events already there: no wait at all.
      started = Date.now()
      expectStatus(await call(base, 'GET', `/v1/all?from=${q}&wait=5`), 200)
      assert.ok(Date.now() - started < 1000)
    })

    it('ends open subscriptions on SIGTERM and exits 0', async () => {
      const sub = await sse(`/v1/subscribe?category=${category()}`)
      const poll = call(base, 'GET', '/v1/all?from=100000000&wait=30s')
      // A request the server has not taken in yet when it stops accepting is refused (the
      // connection is reset): wait until the long poll is waiting inside the server.
      for (let waiting = 0, until = Date.now() + 10_000; waiting < 1; ) {
        assert.ok(Date.now() < until, 'the long poll never reached the server')
        const metrics = await call(base, 'GET', '/metrics')
        waiting = Number(/^edgelog_long_polls_waiting (\d+)$/m.exec(metrics.text)?.[1] ?? 0)
      }
      const started = Date.now()
      assert.deepEqual(await server.stop('SIGTERM', 10_000), { code: 0, signal: null })
      assert.ok(Date.now() - started < 5000, `stopped in ${Date.now() - started} ms`)
      await sub.ended
      assert.ok(sub.comments.some((c) => /shutting down/.test(c)), `comments: ${sub.comments}`)
      assert.equal((await poll).status, 200)
    })
  })

  describe(`subscriptions on ${runtime} after a restart on the same file`, () => {
    let server: RunningServer | undefined
    after(async () => {
      if (server) await server.stop().catch(() => {})
    })

    it('a filtered subscriber joins the live tail that an unfiltered one holds at the end of the log (it spun, and the server hung, until a commit)', { timeout: 60_000 }, async () => {
      const first = await startServer(runtime)
      const cat = category()
      const [a1] = await append(first.baseUrl, `${cat}-1`, 1)
      const [b1] = await append(first.baseUrl, `${cat}b-1`, 1)
      await first.stop()
      // A new process: nothing committed since it started.
      server = await startServer(runtime, { dbPath: first.dbPath })
      const base = server.baseUrl
      const all = await openSse(`${base}/v1/subscribe?from=${a1}`)
      const live = async (n: number) => {
        for (let attempt = 0; ; attempt++) {
          const metrics = (await call(base, 'GET', '/metrics')).text
          if (new RegExp(`^edgelog_subscriptions\\{state="live"\\} ${n}$`, 'm').test(metrics)) return
          assert.ok(attempt < 500, `never ${n} live:\n${metrics.match(/^edgelog_subscriptions\{.*$/gm)}`)
          await new Promise((r) => setImmediate(r))
        }
      }
      const byStream = await openSse(`${base}/v1/subscribe?from=${a1}&stream=${cat}-1`)
      const byCategory = await openSse(`${base}/v1/subscribe?from=${a1}&category=${cat}`)
      try {
        assert.deepEqual(positionsOf(await all.take(2)), [a1, b1])
        assert.deepEqual(positionsOf(await byStream.take(1)), [a1])
        assert.deepEqual(positionsOf(await byCategory.take(1)), [a1])
        await live(3)
        expectStatus(await call(base, 'GET', '/health', { signal: AbortSignal.timeout(5_000) }), 200)
        const [a2] = await append(base, `${cat}-1`, 1)
        assert.deepEqual(positionsOf(await byStream.take(1)), [a2])
        assert.deepEqual(positionsOf(await byCategory.take(1)), [a2])
        assert.deepEqual(positionsOf(await all.take(1)), [a2])
      } finally {
        all.close()
        byStream.close()
        byCategory.close()
      }
    })

    it('a subscriber whose from is ahead of the log does not hold the tail where no other can join (it hung the server)', { timeout: 60_000 }, async () => {
      const own = await startServer(runtime)
      try {
        const base = own.baseUrl
        const cat = category()
        const [p1, p2] = await append(base, `${cat}-1`, 2)
        const ahead = await openSse(`${base}/v1/subscribe?from=${p2 + 3}&category=${cat}`)
        const fromStart = await openSse(`${base}/v1/subscribe?from=${p1}&category=${cat}`)
        try {
          assert.deepEqual(positionsOf(await fromStart.take(2)), [p1, p2])
          expectStatus(await call(base, 'GET', '/health', { signal: AbortSignal.timeout(5_000) }), 200)
          const more = await append(base, `${cat}-1`, 4)
          assert.deepEqual(positionsOf(await fromStart.take(4)), more)
          // the one ahead gets what reaches its `from`, nothing before
          assert.deepEqual(positionsOf(await ahead.take(2)), more.filter((p) => p >= p2 + 3))
        } finally {
          ahead.close()
          fromStart.close()
        }
      } finally {
        await own.stop()
      }
    })
  })

  describe(`subscriptions on ${runtime} with MAX_SUBSCRIPTIONS=2`, () => {
    let server: RunningServer
    before(async () => {
      server = await startServer(runtime, { env: { MAX_SUBSCRIPTIONS: '2' } })
    })
    after(async () => {
      if (server) await server.stop().catch(() => {})
    })

    it('a subscription or long poll over the cap is a 503 problem with Retry-After; a leaving subscriber frees its slot', async () => {
      const base = server.baseUrl
      const cat = category()
      const a = await openSse(`${base}/v1/subscribe?category=${cat}`)
      const b = await openSse(`${base}/v1/subscribe?category=${cat}`)
      try {
        const over = await call(base, 'GET', `/v1/subscribe?category=${cat}`)
        const problem = expectProblem(over, 503, 'too-many-subscriptions')
        assert.equal(over.headers.get('retry-after'), '1')
        assert.match(problem.detail, /MAX_SUBSCRIPTIONS/)
        // A long poll counts too once it has to wait; a page that is there needs no slot.
        expectProblem(await call(base, 'GET', '/v1/all?from=100000000&wait=10s'), 503, 'too-many-subscriptions')
        const [first] = await append(base, `${cat}-0`, 1)
        expectStatus(await call(base, 'GET', `/v1/all?from=${first}&wait=10s`), 200)
        // The server sees a disconnect when the runtime cancels the response: retry until it has.
        a.close()
        await a.ended
        let reopened: SseClient | undefined
        for (let attempt = 0; !reopened; attempt++) {
          assert.ok(attempt < 200, 'the slot was never freed')
          reopened = await openSse(`${base}/v1/subscribe?category=${cat}`).catch((e) => {
            assert.equal(e.status, 503, String(e))
            return new Promise<undefined>((r) => setImmediate(() => r(undefined)))
          })
        }
        const [p] = await append(base, `${cat}-1`, 1)
        assert.deepEqual(positionsOf(await reopened.take(2)), [first, p])
        assert.deepEqual(positionsOf(await b.take(2)), [first, p])
        reopened.close()
      } finally {
        a.close()
        b.close()
      }
    })

    it('HEAD of a subscription answers its headers and holds no slot (each one once kept a slot for ever)', async () => {
      const base = server.baseUrl
      const cat = category()
      await append(base, `${cat}-0`, 1)
      for (let i = 0; i < 6; i++) {
        const res = await call(base, 'HEAD', `/v1/subscribe?category=${cat}${i % 2 ? '&live=false' : ''}`, { headers: { accept: 'text/event-stream' } })
        expectStatus(res, 200)
        assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
      }
      const sub = await openSse(`${base}/v1/subscribe?category=${cat}`)
      try {
        assert.equal((await sub.take(1)).length, 1)
      } finally {
        sub.close()
      }
    })
  })

  describe(`subscriptions on ${runtime} without an in-process signal (SHARED_WRITERS)`, () => {
    let server: RunningServer
    before(async () => {
      server = await startServer(runtime, { env: { SHARED_WRITERS: 'true', POLL_INTERVAL_MS: '100', SSE_HEARTBEAT_MS: '300', ...env() } })
    })
    const opened: SseClient[] = []
    after(async () => {
      for (const c of opened) c.close()
      if (server) await server.stop().catch(() => {})
    })

    it('randomized (polling, one poll per process): subscribers that catch up while events are appended join the live tail with no gap and no duplicate', () =>
      randomizedJoin(server.baseUrl, async (path) => {
        const client = await openSse(server.baseUrl + path)
        opened.push(client)
        return client
      }))

    it('polls for live events and sends heartbeats; a second process writing is seen', async () => {
      const base = server.baseUrl
      const cat = category()
      const sub = await openSse(`${base}/v1/subscribe?category=${cat}`)
      await sub.until(() => sub.comments.includes('heartbeat'), 3000, 'a heartbeat')
      // Another server process on the same database file writes; this one has no signal for it.
      const other = await startServer(runtime, { dbPath: server.dbPath, env: { SHARED_WRITERS: 'true', ...env() } })
      try {
        const positions = await append(other.baseUrl, `${cat}-1`, 5)
        assert.deepEqual(positionsOf(await sub.take(5, 5000)), positions)
        const [p] = await append(other.baseUrl, `${cat}-1`, 1)
        const page = expectStatus(await call(base, 'GET', `/v1/all?from=${p}&wait=5s`), 200)
        assert.equal(page.events[0].position, p)
      } finally {
        sub.close()
        await other.stop()
      }
    })
  })
}

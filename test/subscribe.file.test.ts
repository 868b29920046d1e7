// Subscriptions in-process on Node (the app served by @hono/node-server over a temp libSQL
// file): what HTTP cannot show — subscribers released on disconnect, a slow consumer held
// to one page (no read-ahead), a stalled one cut, and stats() for /metrics. Twice: served
// as the Node entry serves it (serveNode: event streams written straight to Node's
// response) and by the adapter alone (event streams as web streams, as Bun and Deno serve them).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { serveNode } from '../src/nodeServer.ts'
import type { EventLog } from '../src/core/eventLog.ts'
import { createApp } from '../src/http/app.ts'
import type { Store } from '../src/store/store.ts'
import { openTestLog } from './helpers.ts'
import { openSse } from './subscribe/sse.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const PAGE = 100

const servers = [
  ['serveNode', serveNode],
  ['web streams', serve],
] as const

for (const [how, serveWith] of servers) describe(`subscriptions in-process (node, ${how})`, () => {
  let t: Awaited<ReturnType<typeof openTestLog>>
  let store: Store
  let log: EventLog
  let server: ServerType
  let base: string

  before(async () => {
    // A poll interval no test outlives: a delivery that waited for a poll would time the test out.
    t = await openTestLog({ durability: 'normal' }, { MAX_PAGE_SIZE: String(PAGE), POLL_INTERVAL_MS: '3600000' })
    ;({ store, log } = t)
    const app = createApp({ ...t.deps, sse: { heartbeatMs: 200, stallTimeoutMs: 600 } })
    server = await new Promise<ServerType>((resolve) => {
      const s = serveWith({ fetch: app.fetch as never, port: 0, hostname: '127.0.0.1' }, () => resolve(s)) as ServerType
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    log.subscriptions.close()
    await new Promise((r) => server.close(r))
    await t.close()
  })

  // a delivery left to a poll would never come: the test's timeout fails it instead of hanging the suite
  it('is woken by the writer (signal mode) and releases a subscriber that disconnects', { timeout: 30_000 }, async () => {
    assert.equal(log.subscriptions.stats().mode, 'signal')
    await log.appendToStream('rel-1', 'any', [{ type: 'A' }])
    const sub = await openSse(`${base}/v1/subscribe?category=rel`)
    await sub.take(1)
    assert.equal(log.subscriptions.stats().active, 1)
    // delivered on the writer's signal: no poll runs within the test's lifetime
    await log.appendToStream('rel-1', 'any', [{ type: 'B' }])
    await sub.take(1)
    sub.close()
    for (let i = 0; i < 50 && log.subscriptions.stats().active; i++) await sleep(20)
    assert.equal(log.subscriptions.stats().active, 0)
  })

  it('holds a slow consumer to its page (no read-ahead), reports its lag, and cuts it when stalled', async () => {
    const blob = 'x'.repeat(2000)
    for (let i = 0; i < 10; i++) {
      await log.appendToStream(`slow-${i}`, 'any', Array.from({ length: 1000 }, (_, k) => ({ type: 'Big', data: { k, blob } })))
    }
    const before = log.subscriptions.stats()
    // Read the headers and the first chunk, then stop reading without disconnecting.
    const res = await fetch(`${base}/v1/subscribe?category=slow`)
    const reader = res.body!.getReader()
    await reader.read()
    // the subscription reports its lag while it is held: then it is blocked on the client
    for (let i = 0; i < 200 && !(log.subscriptions.stats().maxLag > 0); i++) await sleep(20)
    const s = log.subscriptions.stats()
    assert.equal(s.active, 1)
    assert.ok(s.maxLag > 0, 'lag reported')
    for (let i = 0; i < 200 && log.subscriptions.stats().active; i++) await sleep(20)
    const cut = log.subscriptions.stats()
    assert.equal(cut.active, 0, 'a stalled subscriber is cut after stallTimeoutMs')
    // Until the cut, ~20 MB of events: the socket buffers take some, the rest stays in the database.
    const pushed = cut.eventsPushed - before.eventsPushed
    assert.ok(pushed < 10_000, `pushed ${pushed} of 10000 to a client that reads nothing`)
    assert.equal(cut.stalledDisconnects, before.stalledDisconnects + 1)
    await reader.cancel().catch(() => {})
  })

  it('keeps a subscriber that reads: heartbeats past stallTimeoutMs do not count as a stall', async () => {
    const before = log.subscriptions.stats().stalledDisconnects
    await log.appendToStream('keep-1', 'any', [{ type: 'A' }])
    const sub = await openSse(`${base}/v1/subscribe?category=keep`)
    await sub.take(1)
    // 5 heartbeats, 200 ms apart: the stall check (armed by a write, 600 ms) fires between them
    await sub.until(() => sub.comments.filter((c) => c === 'heartbeat').length >= 5, 5000, 'five heartbeats')
    assert.equal(log.subscriptions.stats().stalledDisconnects, before)
    await log.appendToStream('keep-1', 'any', [{ type: 'B' }])
    const [e] = await sub.take(1)
    assert.equal(e.type, 'B')
    sub.close()
  })

  it('lets a read-only token subscribe but not save checkpoints', async () => {
    const app = createApp({ ...t.deps, auth: { tokens: ['rw'], readTokens: ['ro'] } })
    const get = (path: string, token: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } })
    const forbidden = await get('/v1/subscribe?consumer=x&checkpointEvery=10', 'ro')
    assert.equal(forbidden.status, 403)
    assert.equal((await forbidden.json()).type, 'https://edgelog.dev/problems/forbidden')
    const put = await app.request('/v1/consumers/x', { method: 'PUT', headers: { authorization: 'Bearer ro', 'content-type': 'application/json' }, body: '{"position":1}' })
    assert.equal(put.status, 403)
    const ok = await get('/v1/subscribe?category=none', 'ro')
    assert.equal(ok.status, 200)
    await ok.body?.cancel()
    const rw = await get('/v1/subscribe?category=none&consumer=x&checkpointEvery=10', 'rw')
    assert.equal(rw.status, 200)
    await rw.body?.cancel()
  })

  it('sends heartbeats while idle and saves timed checkpoints', async () => {
    await log.appendToStream('hb-1', 'any', [{ type: 'A' }])
    const sub = await openSse(`${base}/v1/subscribe?category=hb&consumer=hb&checkpointMs=50`)
    const [e] = await sub.take(1)
    await sub.until(() => sub.comments.includes('heartbeat'), 2000, 'a heartbeat')
    assert.equal((await store.consumers.get('hb'))?.position, e.position)
    assert.ok(log.subscriptions.stats().checkpointsSaved >= 1)
    sub.close()
  })

  describe('checkpoints through the core API (no HTTP)', () => {
    const positions = async (stream: string) => (await log.reader.readStream(stream, { from: 0, limit: 100, direction: 'forward' })).map((e) => e.position)

    it('resumes after the stored checkpoint', async () => {
      await log.appendToStream('cp-resume-1', 'any', [{ type: 'A' }, { type: 'B' }, { type: 'C' }])
      const [p0, p1, p2] = await positions('cp-resume-1')
      await store.consumers.save('cp-resume', p0)
      const seen: number[] = []
      const consumer = { store: store.consumers, name: 'cp-resume' }
      for await (const batch of log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-resume-1' }, untilCaughtUp: true, consumer })) seen.push(...batch.map((e) => e.position))
      assert.deepEqual(seen, [p1, p2])
      // No every / everyMs: resuming saves nothing.
      assert.equal((await store.consumers.get('cp-resume'))?.position, p0)
      // resume: false starts at `from` whatever is stored.
      const all: number[] = []
      for await (const batch of log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-resume-1' }, untilCaughtUp: true, consumer: { ...consumer, resume: false } })) all.push(...batch.map((e) => e.position))
      assert.deepEqual(all, [p0, p1, p2])
    })

    it('saves every N handled events, never ahead of what the consumer took', async () => {
      await log.appendToStream('cp-every-1', 'any', Array.from({ length: 5 }, () => ({ type: 'E' })))
      const ps = await positions('cp-every-1')
      const before = log.subscriptions.stats().checkpointsSaved
      const consumer = { store: store.consumers, name: 'cp-every', every: 2 }
      const batches: number[][] = []
      const storedAtBatch: (number | undefined)[] = []
      for await (const batch of log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-every-1' }, untilCaughtUp: true, consumer })) {
        storedAtBatch.push((await store.consumers.get('cp-every'))?.position)
        batches.push(batch.map((e) => e.position))
      }
      assert.deepEqual(batches, [ps.slice(0, 2), ps.slice(2, 4), ps.slice(4)])
      // While a batch is being handled, the checkpoint is the end of the one before.
      assert.deepEqual(storedAtBatch, [undefined, ps[1], ps[3]])
      // The planned end (caught up) saves the last one.
      assert.equal((await store.consumers.get('cp-every'))?.position, ps[4])
      assert.equal(log.subscriptions.stats().checkpointsSaved, before + 3)

      // The next subscription of that consumer resumes after it: nothing left.
      await log.appendToStream('cp-every-1', 'any', [{ type: 'F' }])
      const [next] = (await positions('cp-every-1')).slice(5)
      const rest: number[] = []
      for await (const batch of log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-every-1' }, untilCaughtUp: true, consumer })) rest.push(...batch.map((e) => e.position))
      assert.deepEqual(rest, [next])
    })

    it('saves nothing more for a batch the consumer did not finish (break)', async () => {
      await log.appendToStream('cp-break-1', 'any', Array.from({ length: 3 }, () => ({ type: 'E' })))
      const ps = await positions('cp-break-1')
      const consumer = { store: store.consumers, name: 'cp-break', every: 1 }
      const seen: number[] = []
      for await (const batch of log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-break-1' }, consumer })) {
        seen.push(...batch.map((e) => e.position))
        if (seen.length === 2) break
      }
      assert.deepEqual(seen, ps.slice(0, 2))
      assert.equal((await store.consumers.get('cp-break'))?.position, ps[0])
    })

    it('ends after max events and saves them; saves on time while live and idle', async () => {
      await log.appendToStream('cp-max-1', 'any', Array.from({ length: 4 }, () => ({ type: 'E' })))
      const ps = await positions('cp-max-1')
      const seen: number[] = []
      const consumer = { store: store.consumers, name: 'cp-max', everyMs: 60_000 }
      for await (const batch of log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-max-1' }, max: 3, consumer })) seen.push(...batch.map((e) => e.position))
      assert.deepEqual(seen, ps.slice(0, 3))
      assert.equal((await store.consumers.get('cp-max'))?.position, ps[2])

      // Live: an idle subscription wakes within everyMs and saves what was handled.
      const ac = new AbortController()
      const timed = { store: store.consumers, name: 'cp-timed', everyMs: 30 }
      const sub = log.subscriptions.subscribe({ from: 1, filter: { stream: 'cp-max-1' }, signal: ac.signal, consumer: timed })
      const handled: number[] = []
      let idle = 0
      for await (const batch of sub) {
        handled.push(...batch.map((e) => e.position))
        if (!batch.length) idle++
        // A timed save falls after an idle wake-up: stop once it is there.
        if (idle && (await store.consumers.get('cp-timed'))?.position === ps[3]) break
      }
      ac.abort()
      assert.deepEqual(handled, ps)
      assert.equal((await store.consumers.get('cp-timed'))?.position, ps[3])
    })
  })
})

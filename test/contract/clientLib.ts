// edgelog/client (src/client) against the real server: every call, problems as typed errors,
// subscribe() with reconnect / Last-Event-ID / heartbeat detection / checkpoints, and the
// two command patterns with their retries.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { getEventListeners } from 'node:events'
import { describe, it } from 'node:test'
import { createClient, EdgelogProblem, type RecordedEvent } from 'edgelog/client'
import { uniqueStream } from './http.ts'

type Amount = { amount: number }

/** Collects `n` events of a subscription, then closes it. */
async function take<D>(sub: AsyncIterable<RecordedEvent<D>> & { close(): void }, n: number): Promise<RecordedEvent<D>[]> {
  const out: RecordedEvent<D>[] = []
  const timer = setTimeout(() => sub.close(), 20_000)
  try {
    for await (const e of sub) {
      out.push(e)
      if (out.length === n) break
    }
  } finally {
    clearTimeout(timer)
    sub.close()
  }
  assert.equal(out.length, n, `subscription gave ${out.length} of ${n} events in 20 s`)
  return out
}

/** A fetch that hands every request to the real one, letting a test tamper with subscribe responses. */
function tamperingFetch(tamper: (res: Response, n: number) => Response) {
  const subscribes: Request[] = []
  const f = async (req: Request) => {
    const res = await fetch(req)
    if (!new URL(req.url).pathname.endsWith('/v1/subscribe')) return res
    subscribes.push(req)
    return tamper(res, subscribes.length)
  }
  return { fetch: f, subscribes }
}

export function clientLibTests(getBaseUrl: () => string): void {
  const client = () => createClient({ baseUrl: getBaseUrl() })

  describe('edgelog/client', () => {
    it('append, read, readStream, head, replayed retries; a missing stream is null', async () => {
      const log = client()
      const stream = uniqueStream('cl')
      assert.equal(await log.head(stream), null)
      assert.equal(await log.readStream(stream), null)
      const events = [{ id: randomUUID(), type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }]
      const first = await log.append(stream, events.slice(0, 1), { expectedRevision: 'no_stream' })
      assert.deepEqual([first.firstRevision, first.lastRevision, first.replayed], [0, 0, false])
      const replay = await log.append(stream, events.slice(0, 1), { expectedRevision: 'no_stream' })
      assert.equal(replay.replayed, true)
      assert.equal(replay.lastPosition, first.lastPosition)
      await log.append(stream, events.slice(1), { expectedRevision: 0 })
      const page = await log.read<Amount>(stream, { from: 1 })
      assert.deepEqual(page.events.map((e) => e.type), ['Deposited'])
      assert.equal(page.events[0].data.amount, 5)
      const whole = await log.readStream(stream)
      assert.equal(whole?.revision, 1)
      assert.deepEqual((await log.head(stream))?.revision, 1)
      const all = await log.readAll({ from: first.firstPosition, limit: 1 })
      assert.equal(all.events[0].id, events[0].id)
      const category = await log.readCategory(stream.split('-')[0], { member: 0, size: 1 })
      assert.equal(category.events.length, 2)
    })

    it('problems are typed errors: a 409 names the actual revision', async () => {
      const log = client()
      const stream = uniqueStream('cl')
      await log.append(stream, [{ type: 'A' }])
      const err = await log.append(stream, [{ type: 'B' }], { expectedRevision: 7 }).catch((e) => e)
      assert.ok(EdgelogProblem.is(err, 'wrong-expected-revision'), String(err))
      assert.equal(err.status, 409)
      assert.equal(err.problem.actualRevision, 0)
      assert.equal(err.problem.expectedRevision, 7)
      const bad = await log.append(stream, [{ type: '' }]).catch((e) => e)
      assert.ok(EdgelogProblem.is(bad, 'invalid-request'))
      assert.ok(bad.problem.errors?.some((i) => i.path.includes('type')))
    })

    it('multi-stream append, query, and a conditional append that fails with the conflicting positions', async () => {
      const log = client()
      const [a, b] = [uniqueStream('cla'), uniqueStream('clb')]
      const tag = `course:${randomUUID().slice(0, 8)}`
      const multi = await log.appendMulti({ streams: [{ stream: a, expectedRevision: 'no_stream', events: [{ type: 'X' }] }, { stream: b, events: [{ type: 'Y' }] }] })
      assert.equal(multi.streams.length, 2)
      const read = await log.query([{ tags: [tag] }])
      assert.deepEqual(read.events, [])
      const ok = await log.appendIf([{ type: 'Subscribed', tags: [tag] }], { failIfEventsMatch: [{ tags: [tag] }], after: read.position })
      assert.equal(ok.events[0].revision, null)
      const err = await log.appendIf([{ type: 'Subscribed', tags: [tag] }], { failIfEventsMatch: [{ tags: [tag] }], after: read.position }).catch((e) => e)
      assert.ok(EdgelogProblem.is(err, 'condition-failed'), String(err))
      assert.deepEqual(err.problem.positions, [ok.position])
      assert.equal((await log.queryAll([{ tags: [tag] }])).events.length, 1)
    })

    it('consumer checkpoints: save, read, never backwards (typed checkpoint-behind)', async () => {
      const log = client()
      const name = `cl-${randomUUID().slice(0, 8)}`
      assert.equal(await log.getCheckpoint(name), null)
      const { lastPosition } = await log.append(uniqueStream('cl'), [{ type: 'A' }, { type: 'B' }])
      assert.equal((await log.saveCheckpoint(name, lastPosition)).position, lastPosition)
      const err = await log.saveCheckpoint(name, lastPosition - 1).catch((e) => e)
      assert.ok(EdgelogProblem.is(err, 'checkpoint-behind'))
      assert.equal(err.problem.position, lastPosition)
      assert.equal((await log.getCheckpoint(name))?.position, lastPosition)
    })

    it('subscribe: catch-up then live, in order; close() ends the iteration', async () => {
      const log = client()
      const stream = uniqueStream('cls')
      await log.append(stream, [{ type: 'error' }, { type: 'message' }])
      const sub = log.subscribe({ category: stream.split('-')[0] })
      const got = take(sub, 4)
      await log.append(stream, [{ type: 'open' }, { type: 'Live' }])
      assert.deepEqual((await got).map((e) => e.type), ['error', 'message', 'open', 'Live'])
      assert.equal(sub.lastEventId, (await log.head(stream))?.position)
    })

    it('subscribe reconnects after a dropped connection with Last-Event-ID: no gap, no duplicate', async () => {
      const stream = uniqueStream('clr')
      const log = client()
      const before = await log.append(stream, [{ type: 'A' }, { type: 'B' }, { type: 'C' }])
      // The first connection breaks right after its first chunk that holds an event.
      let delivered!: () => void
      const firstChunk = new Promise<void>((r) => (delivered = r))
      const t = tamperingFetch((res, n) => {
        if (n > 1) return res
        let seen = false
        const cut = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            if (seen) return controller.error(new Error('connection dropped'))
            controller.enqueue(chunk)
            seen = new TextDecoder().decode(chunk).includes('data:')
            if (seen) delivered()
          },
        })
        return new Response(res.body!.pipeThrough(cut), { status: res.status, headers: res.headers })
      })
      const reconnects: Array<number | undefined> = []
      const sub = createClient({ baseUrl: getBaseUrl(), fetch: t.fetch }).subscribe({
        stream,
        retryMs: 10,
        onReconnect: (info) => reconnects.push(info.lastEventId),
      })
      const got = take(sub, 6)
      // Only after the first connection delivered: else a slow catch-up read (a Worker on a
      // remote server) may return all six in that one chunk, and nothing is left to cut.
      await firstChunk
      await log.append(stream, [{ type: 'D' }, { type: 'E' }, { type: 'F' }])
      const events = await got
      assert.deepEqual(events.map((e) => e.type), ['A', 'B', 'C', 'D', 'E', 'F'])
      assert.equal(reconnects.length, 1)
      assert.ok(reconnects[0]! >= before.firstPosition)
      assert.equal(t.subscribes[1].headers.get('last-event-id'), String(reconnects[0]))
    })

    it('live=false and max: a stream that ends early (a restart) is resumed, not taken for the end; max counts across connections', async () => {
      const stream = uniqueStream('cle')
      const log = client()
      await log.append(stream, ['A', 'B', 'C', 'D', 'E', 'F'].map((type) => ({ type })))
      // The first connection delivers one event and ends cleanly, as a server shutting down does.
      const firstEventOnly = () =>
        tamperingFetch((res, n) => {
          if (n > 1) return res
          let text = ''
          const decoder = new TextDecoder()
          const cut = new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              text += decoder.decode(chunk, { stream: true })
              const data = text.indexOf('\ndata: ')
              const end = data === -1 ? -1 : text.indexOf('\n\n', data)
              if (end === -1) return
              controller.enqueue(new TextEncoder().encode(text.slice(0, end + 2) + ': server shutting down; reconnect with Last-Event-ID\n\n'))
              controller.terminate()
              void res.body?.cancel().catch(() => {})
            },
          })
          return new Response(res.body!.pipeThrough(cut), { status: res.status, headers: res.headers })
        })
      const drain = async (sub: AsyncIterable<{ type: string }>) => {
        const types: string[] = []
        for await (const e of sub) types.push(e.type)
        return types
      }
      const caughtUp = firstEventOnly()
      const reconnects: unknown[] = []
      const all = createClient({ baseUrl: getBaseUrl(), fetch: caughtUp.fetch }).subscribe({ stream, live: false, retryMs: 10, onReconnect: (i) => reconnects.push(i.error) })
      assert.deepEqual(await drain(all), ['A', 'B', 'C', 'D', 'E', 'F'])
      assert.equal(reconnects.length, 1)

      const limited = firstEventOnly()
      const four = createClient({ baseUrl: getBaseUrl(), fetch: limited.fetch }).subscribe({ stream, max: 4, retryMs: 10 })
      assert.deepEqual(await drain(four), ['A', 'B', 'C', 'D'])
      assert.equal(limited.subscribes.length, 2)
      assert.equal(new URL(limited.subscribes[1].url).searchParams.get('max'), '3', 'the reconnect asks for what is left')
    })

    it('subscribe detects a silent connection (no event, no heartbeat) and reconnects', async () => {
      const stream = uniqueStream('clh')
      const log = client()
      await log.append(stream, [{ type: 'A' }])
      // The first connection answers 200 and then never sends a byte.
      const t = tamperingFetch((res, n) => {
        if (n > 1) return res
        void res.body?.cancel()
        return new Response(new ReadableStream({}), { status: 200, headers: { 'content-type': 'text/event-stream' } })
      })
      const errors: unknown[] = []
      const sub = createClient({ baseUrl: getBaseUrl(), fetch: t.fetch }).subscribe({
        stream,
        heartbeatTimeoutMs: 500,
        retryMs: 10,
        onReconnect: (info) => errors.push(info.error),
      })
      const [event] = await take(sub, 1)
      assert.equal(event.type, 'A')
      assert.equal(errors.length, 1)
      assert.match(String((errors[0] as Error).message), /no event or heartbeat/)
    })

    it('subscribe with a consumer: the server saves its checkpoint; a new subscription resumes after it', async () => {
      const log = client()
      const stream = uniqueStream('clc')
      const consumer = `cl-${randomUUID().slice(0, 8)}`
      const appended = await log.append(stream, [{ type: 'A' }, { type: 'B' }, { type: 'C' }])
      const first = []
      for await (const e of log.subscribe({ stream, consumer, checkpointEvery: 1, max: 2 })) first.push(e)
      assert.deepEqual(first.map((e) => e.type), ['A', 'B'])
      assert.equal((await log.getCheckpoint(consumer))?.position, appended.firstPosition + 1)
      const [next] = await take(log.subscribe({ stream, consumer }), 1)
      assert.equal(next.type, 'C')
    })

    it('streamCommand retries on 409 with the new state', async () => {
      const log = client()
      const stream = uniqueStream('clcmd')
      await log.append(stream, [{ type: 'Deposited', data: { amount: 100 } }])
      const seen: number[] = []
      const outcome = await log.streamCommand(stream, { amount: 30 }, {
        initialState: 0,
        evolve: (balance: number, e: RecordedEvent<Amount>) => balance + e.data.amount,
        decide: async (cmd, balance) => {
          seen.push(balance)
          // a concurrent writer gets in between the first read and its append
          if (seen.length === 1) await log.append(stream, [{ type: 'Deposited', data: { amount: 5 } }])
          return balance >= cmd.amount ? [{ type: 'Withdrawn', data: { amount: -cmd.amount } }] : []
        },
      })
      assert.deepEqual(seen, [100, 105])
      assert.equal(outcome.attempts, 2)
      assert.equal(outcome.state, 105)
      assert.equal(outcome.result?.lastRevision, 2)
      const none = await log.streamCommand(stream, { amount: 1000 }, {
        initialState: 0,
        evolve: (balance: number, e: RecordedEvent<Amount>) => balance + e.data.amount,
        decide: (cmd, balance) => (balance >= cmd.amount ? [{ type: 'Withdrawn', data: { amount: -cmd.amount } }] : []),
      })
      assert.equal(none.result, undefined)
    })

    it('append refuses, before sending, data JSON would store as another value (bytes, Map, Set, NaN, Infinity, BigInt, undefined in an array); nothing is written', async () => {
      const log = client()
      const stream = uniqueStream('cljson')
      const bad: Array<[unknown, RegExp]> = [
        [{ bytes: new Uint8Array([1, 2, 3]) }, /data\.bytes is a Uint8Array/],
        [{ map: new Map([['k', 1]]) }, /data\.map is a Map/],
        [{ set: new Set([1]) }, /data\.set is a Set/],
        [{ n: Number.NaN }, /data\.n is NaN/],
        [{ n: Number.POSITIVE_INFINITY }, /data\.n is Infinity/],
        [{ big: 2n ** 64n - 1n }, /data\.big is a BigInt/],
        [{ list: [1, undefined] }, /data\.list\[1\] is undefined/],
      ]
      for (const [data, message] of bad) {
        await assert.rejects(log.append(stream, [{ type: 'A', data }]), (e: Error) => e instanceof TypeError && message.test(e.message))
        await assert.rejects(log.appendMulti({ streams: [{ stream, events: [{ type: 'A', metadata: data as Record<string, unknown> }] }] }), TypeError)
      }
      assert.equal(await log.head(stream), null)
      // what JSON carries exactly still goes: nested objects and arrays, a Date as its ISO text, an absent member
      await log.append(stream, [{ type: 'A', data: { a: [1, 'x', null, { b: true }], at: new Date(0), gone: undefined } }])
      const [event] = (await log.readStream(stream))!.events
      assert.deepEqual(event.data, { a: [1, 'x', null, { b: true }], at: '1970-01-01T00:00:00.000Z' })
    })

    it('close() and the caller\'s signal end the iteration at once, also within a chunk of events; the caller\'s signal keeps no listener', async () => {
      const log = client()
      const stream = uniqueStream('clclose')
      await log.append(stream, Array.from({ length: 20 }, (_, i) => ({ type: 'E', data: { i } })))
      const closed = log.subscribe({ stream, live: false })
      const got: number[] = []
      for await (const e of closed) {
        got.push(e.revision!)
        closed.close()
      }
      assert.deepEqual(got, [0])
      const caller = new AbortController()
      const aborted: number[] = []
      for await (const e of log.subscribe({ stream, live: false, signal: caller.signal })) {
        aborted.push(e.revision!)
        if (aborted.length === 3) caller.abort()
      }
      assert.deepEqual(aborted, [0, 1, 2])
      const shared = new AbortController()
      for (let i = 0; i < 30; i++) {
        for await (const _ of log.subscribe({ stream, signal: shared.signal })) break
      }
      assert.equal(getEventListeners(shared.signal, 'abort').length, 0)
    })

    it('a stream truncated to nothing keeps its revision (readStream, streamCommand); a soft-deleted one reads as null and streamCommand recreates it', async () => {
      const log = client()
      const decider = { initialState: 0, evolve: (n: number) => n + 1, decide: () => [{ type: 'Again' }] }
      const truncated = uniqueStream('cltrunc')
      await log.append(truncated, [{ type: 'A' }, { type: 'B' }])
      const cut = await fetch(`${getBaseUrl()}/v1/streams/${truncated}/truncate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ before: 2 }) })
      assert.equal(cut.status, 200, await cut.text())
      assert.deepEqual(await log.readStream(truncated), { events: [], revision: 1 })
      const again = await log.streamCommand(truncated, {}, decider)
      assert.equal(again.result?.firstRevision, 2)
      const deleted = uniqueStream('cldel')
      await log.append(deleted, [{ type: 'A' }, { type: 'B' }, { type: 'C' }])
      const gone = await fetch(`${getBaseUrl()}/v1/streams/${deleted}`, { method: 'DELETE' })
      assert.equal(gone.status, 200, await gone.text())
      assert.equal(await log.readStream(deleted), null)
      assert.equal(await log.head(deleted), null)
      const recreated = await log.streamCommand(deleted, {}, decider)
      assert.equal(recreated.result?.firstRevision, 3, 'revisions continue after a soft delete')
    })

    it('a type or tag holding a comma is refused on the GET filters (readAll, subscribe) rather than split into two other terms', async () => {
      const log = client()
      await assert.rejects(async () => log.readAll({ tags: ['pair:a,b'] }), /holds a comma/)
      await assert.rejects(async () => log.readAll({ types: ['Has,Comma'] }), /holds a comma/)
      const sub = log.subscribe({ types: ['Has,Comma'] })
      await assert.rejects(async () => {
        for await (const _ of sub) break
      }, /holds a comma/)
    })

    it('close() in onReconnect ends the subscription without waiting out the backoff', { timeout: 20_000 }, async () => {
      const failing = async () => new Response('down', { status: 503 })
      let attempts = 0
      const sub = createClient({ baseUrl: getBaseUrl(), fetch: failing }).subscribe({
        retryMs: 600_000,
        onReconnect: () => {
          if (++attempts === 1) sub.close()
        },
      })
      for await (const _ of sub) assert.fail('no event from a server that answers 503')
      assert.equal(attempts, 1)
    })

    it('a consumer slower than heartbeatTimeoutMs is not taken for a dead connection', async () => {
      const log = client()
      const stream = uniqueStream('clslow')
      await log.append(stream, [{ type: 'A' }, { type: 'B' }, { type: 'C' }])
      const reconnects: unknown[] = []
      const got: string[] = []
      for await (const e of log.subscribe({ stream, live: false, heartbeatTimeoutMs: 200, onReconnect: (i) => reconnects.push(i.error) })) {
        got.push(e.type)
        // the consumer's work on the event outlasts the heartbeat timeout
        await new Promise((r) => setTimeout(r, 400))
      }
      assert.deepEqual(got, ['A', 'B', 'C'])
      assert.deepEqual(reconnects, [])
    })

    it('decide (DCB) retries on condition-failed with the new state', async () => {
      const log = client()
      const course = `course:${randomUUID().slice(0, 8)}`
      const query = [{ tags: [course] }]
      const seen: number[] = []
      const subscribe = (student: string) =>
        log.decide(query, { student }, {
          initialState: 0,
          evolve: (n: number) => n + 1,
          decide: async (cmd, n) => {
            seen.push(n)
            if (seen.length === 1) await log.appendIf([{ type: 'Subscribed', tags: [course, 'student:other'] }], { failIfEventsMatch: query })
            return n < 2 ? [{ type: 'Subscribed', tags: [course, `student:${cmd.student}`] }] : []
          },
        })
      const outcome = await subscribe('ann')
      assert.deepEqual(seen, [0, 1])
      assert.equal(outcome.attempts, 2)
      assert.equal(outcome.result?.events.length, 1)
      assert.equal((await log.queryAll(query)).events.length, 2)
    })
  })
}

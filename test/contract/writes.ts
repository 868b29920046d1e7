// Appends: single and multi-stream, expected revisions and conditional headers, idempotency.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { UUID_V7, type ContractClient } from './client.ts'
import { expectProblem, expectStatus, newEvent, show, uniqueStream } from './http.ts'
import { MAX_EVENTS_PER_APPEND } from './limits.ts'

export function writeTests(client: ContractClient): void {
  const { req, get, streamPath, append, appendOk, expectHead, readStream, mark, assertNothingWrittenSince, rejectsAppend } = client

  describe('append', () => {
    it('appends one event: 201, result shape, ETag, Location, and reads it back', async () => {
      const stream = uniqueStream('one')
      const event = newEvent('Opened', { owner: 'ada', amount: 12.5, nested: { ok: true, list: [1, 'two'] } })
      const reply = await append(stream, [event])
      const result = expectStatus(reply, 201)
      assert.equal(result.stream, stream)
      assert.equal(result.firstRevision, 0)
      assert.equal(result.lastRevision, 0)
      assert.ok(Number.isInteger(result.firstPosition) && result.firstPosition >= 1, show(reply))
      assert.equal(result.lastPosition, result.firstPosition)
      assert.deepEqual(result.events, [{ id: event.id, revision: 0, position: result.firstPosition }])
      assert.equal(reply.headers.get('etag'), '"0"')
      assert.ok(reply.headers.get('location')?.includes(stream), `Location: ${reply.headers.get('location')}`)

      const read = expectStatus(await get(streamPath(stream)), 200)
      assert.equal(read.stream, stream)
      assert.equal(read.next, null)
      assert.equal(read.events.length, 1)
      const [stored] = read.events
      assert.equal(stored.id, event.id)
      assert.equal(stored.stream, stream)
      assert.equal(stored.type, 'Opened')
      assert.equal(stored.revision, 0)
      assert.equal(stored.position, result.firstPosition)
      assert.deepEqual(stored.data, event.data)
      assert.equal(stored.metadata, null)
      assert.deepEqual(stored.tags, [])
      assert.equal(typeof stored.time, 'string')
      assert.ok(!Number.isNaN(Date.parse(stored.time)), `time is not ISO 8601: ${stored.time}`)
      assert.ok(Math.abs(Date.parse(stored.time) - Date.now()) < 5 * 60_000, `time is not now: ${stored.time}`)
    })

    it('appends several events atomically with consecutive revisions and increasing positions', async () => {
      const stream = uniqueStream('many')
      const events = [newEvent('A'), newEvent('B'), newEvent('C')]
      const reply = await append(stream, events)
      const result = expectStatus(reply, 201)
      assert.equal(result.firstRevision, 0)
      assert.equal(result.lastRevision, 2)
      assert.equal(reply.headers.get('etag'), '"2"')
      assert.deepEqual(result.events.map((e: any) => e.id), events.map((e) => e.id))
      assert.deepEqual(result.events.map((e: any) => e.revision), [0, 1, 2])
      const positions = result.events.map((e: any) => e.position)
      assert.ok(positions[0] < positions[1] && positions[1] < positions[2], `positions ${positions}`)
      assert.equal(result.firstPosition, positions[0])
      assert.equal(result.lastPosition, positions[2])

      const more = expectStatus(await append(stream, [newEvent('D')]), 201)
      assert.equal(more.firstRevision, 3)
      assert.ok(more.firstPosition > result.lastPosition)

      const read = await readStream(stream)
      assert.deepEqual(read.map((e) => e.type), ['A', 'B', 'C', 'D'])
      assert.deepEqual(read.map((e) => e.revision), [0, 1, 2, 3])
    })

    it('stores metadata and tags', async () => {
      const stream = uniqueStream('meta')
      const event = { ...newEvent('Tagged'), metadata: { causationId: 'c-1', user: 7 }, tags: ['account:17', 'region:eu'] }
      await appendOk(stream, [event])
      const [stored] = await readStream(stream)
      assert.deepEqual(stored.metadata, event.metadata)
      assert.deepEqual(stored.tags, event.tags)
    })

    it('generates a UUIDv7 id when the client sends none', async () => {
      const stream = uniqueStream('noid')
      const result = await appendOk(stream, [{ type: 'NoId' }, { type: 'NoId' }])
      const [a, b] = result.events.map((e: any) => e.id)
      assert.match(a, UUID_V7)
      assert.match(b, UUID_V7)
      assert.notEqual(a, b)
      const read = await readStream(stream)
      assert.deepEqual(read.map((e) => e.id), [a, b])
      assert.equal(read[0].data, null, 'absent data reads as null')
    })

    it('accepts application/json with a charset parameter', async () => {
      const stream = uniqueStream('charset')
      const reply = await req('POST', streamPath(stream), {
        body: JSON.stringify({ events: [newEvent()] }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      })
      expectStatus(reply, 201)
    })

    it('accepts a stream name of exactly 200 allowed characters', async () => {
      const base = uniqueStream('A_z.0:@+=-')
      const stream = base + 'x'.repeat(200 - base.length)
      assert.equal(stream.length, 200)
      await appendOk(stream, [newEvent()])
      await expectHead(stream, 0)
    })

    it('accepts exactly MAX_EVENTS_PER_APPEND events', async () => {
      const stream = uniqueStream('maxevents')
      const events = Array.from({ length: MAX_EVENTS_PER_APPEND }, () => newEvent())
      const result = await appendOk(stream, events)
      assert.equal(result.lastRevision, MAX_EVENTS_PER_APPEND - 1)
    })
  })

  describe('expected revision', () => {
    it('a number appends when it equals the current revision', async () => {
      const stream = uniqueStream('num')
      await appendOk(stream, [newEvent(), newEvent()])
      const result = await appendOk(stream, [newEvent()], 1)
      assert.equal(result.firstRevision, 2)
    })

    it('a wrong number is a 409 with expected and actual revision, and writes nothing', async () => {
      const stream = uniqueStream('num409')
      const first = await appendOk(stream, [newEvent(), newEvent()])
      const before = await mark()
      const problem = expectProblem(await append(stream, [newEvent()], 0), 409, 'wrong-expected-revision')
      assert.equal(problem.stream, stream)
      assert.equal(problem.expectedRevision, 0)
      assert.equal(problem.actualRevision, 1)
      await assertNothingWrittenSince(before)
      await expectHead(stream, 1, first.lastPosition)
    })

    it('a number on a missing stream is a 409 with actualRevision null', async () => {
      const stream = uniqueStream('num404')
      const problem = expectProblem(await append(stream, [newEvent()], 0), 409, 'wrong-expected-revision')
      assert.equal(problem.stream, stream)
      assert.equal(problem.expectedRevision, 0)
      assert.equal(problem.actualRevision, null)
      await expectHead(stream, null)
    })

    it('"no_stream" appends to a new stream and is a 409 on an existing one', async () => {
      const stream = uniqueStream('nostream')
      const first = await appendOk(stream, [newEvent()], 'no_stream')
      assert.equal(first.firstRevision, 0)
      const problem = expectProblem(await append(stream, [newEvent()], 'no_stream'), 409, 'wrong-expected-revision')
      assert.equal(problem.stream, stream)
      assert.equal(problem.expectedRevision, 'no_stream')
      assert.equal(problem.actualRevision, 0)
      await expectHead(stream, 0)
    })

    it('"stream_exists" is a 409 on a missing stream and appends to an existing one', async () => {
      const stream = uniqueStream('exists')
      const problem = expectProblem(await append(stream, [newEvent()], 'stream_exists'), 409, 'wrong-expected-revision')
      assert.equal(problem.expectedRevision, 'stream_exists')
      assert.equal(problem.actualRevision, null)
      await expectHead(stream, null)
      await appendOk(stream, [newEvent()])
      const result = await appendOk(stream, [newEvent()], 'stream_exists')
      assert.equal(result.firstRevision, 1)
    })

    it('"any" (and no expectedRevision) appends whatever the state', async () => {
      const stream = uniqueStream('any')
      assert.equal((await appendOk(stream, [newEvent()], 'any')).firstRevision, 0)
      assert.equal((await appendOk(stream, [newEvent()], 'any')).firstRevision, 1)
      assert.equal((await appendOk(stream, [newEvent()])).firstRevision, 2)
    })

    it('If-Match: "N" appends when the stream is at N, and answers 412 otherwise', async () => {
      const stream = uniqueStream('ifmatch')
      await appendOk(stream, [newEvent(), newEvent()])
      const ok = await append(stream, [newEvent()], undefined, { headers: { 'if-match': '"1"' } })
      assert.equal(expectStatus(ok, 201).firstRevision, 2)
      assert.equal(ok.headers.get('etag'), '"2"')

      const before = await mark()
      const stale = await append(stream, [newEvent()], undefined, { headers: { 'if-match': '"1"' } })
      const problem = expectProblem(stale, 412, 'precondition-failed')
      assert.equal(problem.stream, stream)
      assert.equal(problem.expectedRevision, 1)
      assert.equal(problem.actualRevision, 2)
      await assertNothingWrittenSince(before)
      await expectHead(stream, 2)
    })

    it('If-Match on a missing stream is a 412 with actualRevision null', async () => {
      const stream = uniqueStream('ifmatch404')
      const problem = expectProblem(
        await append(stream, [newEvent()], undefined, { headers: { 'if-match': '"0"' } }),
        412,
        'precondition-failed',
      )
      assert.equal(problem.actualRevision, null)
      await expectHead(stream, null)
    })

    it('If-None-Match: * appends to a new stream and is a 412 on an existing one', async () => {
      const stream = uniqueStream('ifnonematch')
      expectStatus(await append(stream, [newEvent()], undefined, { headers: { 'if-none-match': '*' } }), 201)
      const problem = expectProblem(
        await append(stream, [newEvent()], undefined, { headers: { 'if-none-match': '*' } }),
        412,
        'precondition-failed',
      )
      assert.equal(problem.stream, stream)
      assert.equal(problem.expectedRevision, 'no_stream')
      assert.equal(problem.actualRevision, 0)
      await expectHead(stream, 0)
    })

    it('a header and a body field that agree append; that disagree are a 400 and write nothing', async () => {
      const stream = uniqueStream('disagree')
      await appendOk(stream, [newEvent()])
      expectStatus(await append(stream, [newEvent()], 0, { headers: { 'if-match': '"0"' } }), 201)
      await rejectsAppend(
        400,
        'invalid-request',
        { json: { events: [newEvent()], expectedRevision: 0 }, headers: { 'if-match': '"1"' } },
        stream,
      )
      await expectHead(stream, 1)
    })
  })

  describe('idempotency', () => {
    it('a retry with the same event ids answers the original result, marked replayed, and writes nothing', async () => {
      const stream = uniqueStream('retry')
      const events = [newEvent('A'), newEvent('B')]
      const first = await append(stream, events)
      const original = expectStatus(first, 201)
      assert.notEqual(first.headers.get('idempotent-replayed'), 'true')
      await appendOk(uniqueStream('other'), [newEvent()]) // move the global position on

      const before = await mark()
      const retry = await append(stream, events)
      assert.equal(retry.status, 201, show(retry))
      assert.deepEqual(retry.body, original)
      assert.equal(retry.headers.get('idempotent-replayed'), 'true')
      await assertNothingWrittenSince(before)
      await expectHead(stream, 1, original.lastPosition)
      assert.equal((await readStream(stream)).length, 2)
    })

    it('a retry replays even when its expectedRevision no longer holds', async () => {
      // The client cannot tell a lost response from a lost request: the retry must not 409.
      const stream = uniqueStream('retryexp')
      const events = [newEvent()]
      const original = await appendOk(stream, events, 'no_stream')
      const retry = await append(stream, events, 'no_stream')
      assert.equal(retry.status, 201, show(retry))
      assert.deepEqual(retry.body, original)
      assert.equal(retry.headers.get('idempotent-replayed'), 'true')
      await expectHead(stream, 0)
    })

    it('an event id reused on another stream is a 409 event-id-reused and writes nothing', async () => {
      const event = newEvent()
      const stream = uniqueStream('owner')
      await appendOk(stream, [event])
      const other = uniqueStream('thief')
      const problem = await rejectsAppend(409, 'event-id-reused', { json: { events: [event] } }, other)
      assert.equal(problem.eventId, event.id)
      await expectHead(other, null)
      await expectHead(stream, 0)
    })

    it('an event id reused with another type on the same stream is a 409 event-id-reused', async () => {
      const stream = uniqueStream('retype')
      const event = newEvent('Original')
      await appendOk(stream, [event])
      const problem = await rejectsAppend(
        409,
        'event-id-reused',
        { json: { events: [{ ...event, type: 'Different' }] } },
        stream,
      )
      assert.equal(problem.eventId, event.id)
      await expectHead(stream, 0)
    })

    it('a request mixing a new event with a reused id writes neither', async () => {
      const stream = uniqueStream('mixed')
      const reused = newEvent()
      await appendOk(uniqueStream('first'), [reused])
      const fresh = newEvent()
      const problem = await rejectsAppend(409, 'event-id-reused', { json: { events: [fresh, reused] } }, stream)
      assert.equal(problem.eventId, reused.id)
      await expectHead(stream, null)
    })

    it('a retry with the same events in another order is a 409 event-id-reused, not a replay', async () => {
      const stream = uniqueStream('reorder')
      const [a, b] = [newEvent('A'), newEvent('B')]
      await appendOk(stream, [a, b])
      const problem = await rejectsAppend(409, 'event-id-reused', { json: { events: [b, a] } }, stream)
      assert.ok([a.id, b.id].includes(problem.eventId), JSON.stringify(problem))
      await expectHead(stream, 1)
    })

    it('a retry with the same ids but other tags, data or metadata is a 409 event-id-reused; the stored event is unchanged', async () => {
      const stream = uniqueStream('changed')
      const a = { ...newEvent('A'), data: { amount: 1 }, tags: ['x'] }
      await appendOk(stream, [a])
      for (const changed of [{ ...a, tags: ['y'] }, { ...a, tags: [] }, { ...a, data: { amount: 2 } }, { ...a, metadata: { by: 'z' } }]) {
        const problem = await rejectsAppend(409, 'event-id-reused', { json: { events: [changed] } }, stream)
        assert.equal(problem.eventId, a.id, JSON.stringify(problem))
      }
      const [stored] = await readStream(stream)
      assert.deepEqual([stored.tags, stored.data, stored.metadata], [['x'], { amount: 1 }, null])
      // The identical retry is still a replay.
      const again = await append(stream, [a])
      assert.equal(again.status, 201, show(again))
      assert.equal(again.headers.get('idempotent-replayed'), 'true')
    })

    it('a retry with more events than stored is a 409 event-id-reused', async () => {
      const stream = uniqueStream('subset')
      const [a, b] = [newEvent('A'), newEvent('B')]
      await appendOk(stream, [a])
      await rejectsAppend(409, 'event-id-reused', { json: { events: [a, b] } }, stream)
      await expectHead(stream, 0)
    })

    it('concurrent requests whose first ids collide: one 201 stored exactly as sent, the other 409 event-id-reused', async () => {
      // Both requests often share a commit group: a replay is a replay only when the whole
      // request matches, so the second must never be "replayed" with the first's result.
      const PAIRS = 50
      const acked: Array<{ stream: string; events: Array<{ id: string; type: string }>; result: any }> = []
      for (let i = 0; i < PAIRS; i++) {
        const x = randomUUID()
        const one = { stream: uniqueStream('ra'), events: [{ id: x, type: 'A' }] }
        const two = { stream: uniqueStream('rb'), events: [{ id: x, type: 'B' }, { id: randomUUID(), type: 'B2' }] }
        const replies = await Promise.all([one, two].map((r) => append(r.stream, r.events)))
        const statuses = replies.map((r) => r.status).sort()
        assert.deepEqual(statuses, [201, 409], `pair ${i}: ${replies.map(show).join('\n')}`)
        replies.forEach((reply, k) => {
          const sent = [one, two][k]
          if (reply.status === 201) {
            assert.notEqual(reply.headers.get('idempotent-replayed'), 'true', show(reply))
            acked.push({ ...sent, result: reply.body })
          } else {
            assert.equal(expectProblem(reply, 409, 'event-id-reused').eventId, x)
          }
        })
      }
      for (const { stream, events, result } of acked) {
        const stored = await readStream(stream)
        assert.deepEqual(stored.map((e) => [e.id, e.type, e.revision, e.position]), events.map((e, k) => [e.id, e.type, k, result.events[k].position]), stream)
      }
    })

    it('concurrent identical requests: both 201, one replayed, the events stored once', async () => {
      for (let i = 0; i < 10; i++) {
        const stream = uniqueStream('twins')
        const events = [newEvent('A'), newEvent('B')]
        const replies = await Promise.all([append(stream, events), append(stream, events)])
        const [r1, r2] = replies.map((r) => expectStatus(r, 201))
        assert.deepEqual(r1, r2)
        assert.deepEqual(replies.map((r) => r.headers.get('idempotent-replayed') === 'true').sort(), [false, true])
        assert.deepEqual((await readStream(stream)).map((e) => e.id), events.map((e) => e.id))
      }
    })
  })

  describe('multi-stream append (POST /v1/append)', () => {
    it('appends to several streams in one transaction', async () => {
      const a = uniqueStream('ma')
      const b = uniqueStream('mb')
      await appendOk(b, [newEvent()])
      const reply = await req('POST', '/v1/append', {
        json: {
          streams: [
            { stream: a, expectedRevision: 'no_stream', events: [newEvent('A1'), newEvent('A2')] },
            { stream: b, expectedRevision: 0, events: [newEvent('B1')] },
          ],
        },
      })
      const result = expectStatus(reply, 201)
      assert.equal(result.streams.length, 2)
      const [ra, rb] = result.streams
      assert.equal(ra.stream, a)
      assert.equal(ra.firstRevision, 0)
      assert.equal(ra.lastRevision, 1)
      assert.equal(rb.stream, b)
      assert.equal(rb.firstRevision, 1)
      assert.equal(rb.lastRevision, 1)
      const positions = [...ra.events, ...rb.events].map((e: any) => e.position)
      assert.equal(new Set(positions).size, 3)
      assert.equal(result.position, Math.max(...positions))
      assert.deepEqual((await readStream(a)).map((e) => e.type), ['A1', 'A2'])
      assert.equal((await readStream(b))[1].type, 'B1')
    })

    for (const conflictFirst of [true, false]) {
      it(`one stream's conflict writes nothing to the others (conflict ${conflictFirst ? 'first' : 'last'})`, async () => {
        const ok = uniqueStream('mok')
        const bad = uniqueStream('mbad')
        await appendOk(bad, [newEvent()])
        const entries = [
          { stream: ok, expectedRevision: 'no_stream', events: [newEvent()] },
          { stream: bad, expectedRevision: 5, events: [newEvent()] },
        ]
        if (conflictFirst) entries.reverse()
        const before = await mark()
        const problem = expectProblem(
          await req('POST', '/v1/append', { json: { streams: entries } }),
          409,
          'wrong-expected-revision',
        )
        assert.equal(problem.stream, bad)
        assert.equal(problem.expectedRevision, 5)
        assert.equal(problem.actualRevision, 0)
        await assertNothingWrittenSince(before)
        await expectHead(ok, null)
        await expectHead(bad, 0)
      })
    }

    it('an invalid entry rejects the whole request', async () => {
      const ok = uniqueStream('mvalid')
      const before = await mark()
      const reply = await req('POST', '/v1/append', {
        json: {
          streams: [
            { stream: ok, events: [newEvent()] },
            { stream: uniqueStream('mnotype'), events: [{ id: randomUUID() }] },
          ],
        },
      })
      expectProblem(reply, 400, 'invalid-request')
      await assertNothingWrittenSince(before)
      await expectHead(ok, null)
    })

    it('condition.after beyond the last committed position is a 400 naming that position, and writes nothing', async () => {
      const tag = `t:${randomUUID()}`
      const last = await mark()
      const stream = uniqueStream('after')
      const body = {
        streams: [{ stream, events: [newEvent()] }],
        events: [{ ...newEvent('Loose'), tags: [tag] }],
        condition: { failIfEventsMatch: [{ tags: [tag] }], after: last + 1000 },
      }
      const reply = await req('POST', '/v1/append', { json: body })
      const problem = expectProblem(reply, 400, 'invalid-request')
      assert.match(problem.detail, /condition\.after/)
      assert.ok(Number.isInteger(problem.lastPosition) && problem.lastPosition >= last && problem.lastPosition < last + 1000, show(reply))
      assert.ok(problem.detail.includes(String(problem.lastPosition)), show(reply))
      await assertNothingWrittenSince(last)
      await expectHead(stream, null)
      // at the last committed position it holds, and the append commits
      const now = await mark()
      expectStatus(await req('POST', '/v1/append', { json: { ...body, condition: { ...body.condition, after: now } } }), 201)
      await expectHead(stream, 0)
    })

    it('a retry with the same event ids replays the original result', async () => {
      const body = {
        streams: [
          { stream: uniqueStream('mra'), events: [newEvent()] },
          { stream: uniqueStream('mrb'), events: [newEvent()] },
        ],
      }
      const original = expectStatus(await req('POST', '/v1/append', { json: body }), 201)
      const before = await mark()
      const retry = await req('POST', '/v1/append', { json: body })
      assert.equal(retry.status, 201, show(retry))
      assert.deepEqual(retry.body, original)
      assert.equal(retry.headers.get('idempotent-replayed'), 'true')
      await assertNothingWrittenSince(before)
    })
  })

}

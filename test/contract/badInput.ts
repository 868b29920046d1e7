// Every bad input of docs/api.md: the documented problem, and nothing written.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { assertInvalidRequestErrors, type ContractClient } from './client.ts'
import { expectProblem, newEvent, uniqueStream } from './http.ts'
import { MAX_BODY_BYTES, MAX_EVENT_BYTES, MAX_EVENTS_PER_APPEND, MAX_PAGE_SIZE } from './limits.ts'

export function badInputTests(client: ContractClient): void {
  const { req, get, streamPath, appendOk, head, expectHead, mark, assertNothingWrittenSince, rejectsAppend } = client

  describe('bad input', () => {
    it('malformed JSON is a 400 malformed-body', async () => {
      await rejectsAppend(400, 'malformed-body', {
        body: '{"events": [{"type": "A"}',
        headers: { 'content-type': 'application/json' },
      })
    })

    it('malformed CBOR is a 400 malformed-body', async () => {
      // A map of two entries whose first key claims 6 bytes and has 2: truncated.
      await rejectsAppend(400, 'malformed-body', {
        body: new Uint8Array([0xa2, 0x66, 0x65, 0x76]),
        headers: { 'content-type': 'application/cbor' },
      })
    })

    it('a CBOR body that decodes but fails the schema is a 400 invalid-request', async () => {
      const problem = await rejectsAppend(400, 'invalid-request', { cbor: { events: [{ id: randomUUID() }] } })
      assertInvalidRequestErrors(problem, 'type')
    })

    it('a body over MAX_BODY_BYTES is a 413', async () => {
      // Each event is under MAX_EVENT_BYTES; together they are over MAX_BODY_BYTES.
      const count = Math.ceil(MAX_BODY_BYTES / (MAX_EVENT_BYTES / 2)) + 1
      const events = Array.from({ length: count }, () => newEvent('Big', 'x'.repeat(MAX_EVENT_BYTES / 2)))
      assert.ok(JSON.stringify({ events }).length > MAX_BODY_BYTES)
      await rejectsAppend(413, 'payload-too-large', { json: { events } })
    })

    it('a chunked body (no Content-Length) over MAX_BODY_BYTES is a 413', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(8192))
      const chunks = Math.ceil(MAX_BODY_BYTES / chunk.length) + 1
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"events":[{"type":"A"}]'))
          if (sent++ < chunks) controller.enqueue(chunk)
          else {
            controller.enqueue(new TextEncoder().encode('}'))
            controller.close()
          }
        },
      })
      const before = await mark()
      const stream = uniqueStream('chunked')
      const reply = await req('POST', streamPath(stream), {
        body,
        headers: { 'content-type': 'application/json' },
      })
      expectProblem(reply, 413, 'payload-too-large')
      await assertNothingWrittenSince(before)
    })

    it('a chunked body (no Content-Length) under MAX_BODY_BYTES appends normally', async () => {
      const parts = ['{"events":[{"type":"Chunked","data":', '{"n":1}}', ',{"type":"Chunked"}]}'].map((p) => new TextEncoder().encode(p))
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = parts.shift()
          if (next) controller.enqueue(next)
          else controller.close()
        },
      })
      const stream = uniqueStream('chunked-ok')
      const reply = await req('POST', streamPath(stream), { body, headers: { 'content-type': 'application/json' } })
      assert.equal(reply.status, 201, `${reply.status} ${reply.text}`)
      await expectHead(stream, 1)
    })

    it('an unsupported or missing Content-Type is a 415', async () => {
      const body = JSON.stringify({ events: [newEvent()] })
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        await rejectsAppend(415, 'unsupported-media-type', { body, headers: { 'content-type': contentType } })
      }
      // A byte body gets no Content-Type from fetch.
      await rejectsAppend(415, 'unsupported-media-type', { body: new TextEncoder().encode(body) })
    })

    it('an Accept that allows neither JSON nor CBOR is a 406, checked before writing', async () => {
      for (const accept of ['text/html', 'application/xml']) {
        const stream = uniqueStream('notacceptable')
        await rejectsAppend(406, 'not-acceptable', { json: { events: [newEvent()] }, accept }, stream)
        await expectHead(stream, null)
      }
      expectProblem(await get('/v1/all', { accept: 'text/html' }), 406, 'not-acceptable')
    })

    it('an empty events array is a 400', async () => {
      const problem = await rejectsAppend(400, 'invalid-request', { json: { events: [] } })
      assertInvalidRequestErrors(problem, 'events')
    })

    it('a body without events is a 400', async () => {
      await rejectsAppend(400, 'invalid-request', { json: { expectedRevision: 'any' } })
    })

    it('an event without a type is a 400 pointing at it, and its valid neighbours are not written', async () => {
      const problem = await rejectsAppend(400, 'invalid-request', { json: { events: [newEvent(), { data: 1 }] } })
      assertInvalidRequestErrors(problem, 'type')
    })

    it('a type over 200 characters is a 400; 200 is fine', async () => {
      const problem = await rejectsAppend(400, 'invalid-request', { json: { events: [newEvent('T'.repeat(201))] } })
      assertInvalidRequestErrors(problem, 'type')
      await appendOk(uniqueStream('type200'), [newEvent('T'.repeat(200))])
    })

    it('other invalid event fields are a 400: id, metadata, tags', async () => {
      for (const event of [
        { ...newEvent(), id: 'not-a-uuid' },
        { ...newEvent(), metadata: 5 },
        { ...newEvent(), metadata: [1] },
        { ...newEvent(), tags: [''] },
        { ...newEvent(), tags: ['t'.repeat(201)] },
        { ...newEvent(), tags: 'account:1' },
        { ...newEvent(), type: '' },
      ]) {
        await rejectsAppend(400, 'invalid-request', { json: { events: [event] } })
      }
    })

    it('an event over MAX_EVENT_BYTES is a 413, and its neighbours are not written', async () => {
      const huge = newEvent('Huge', 'x'.repeat(MAX_EVENT_BYTES + 1))
      await rejectsAppend(413, 'payload-too-large', { json: { events: [huge] } })
      await rejectsAppend(413, 'payload-too-large', { json: { events: [newEvent(), huge] } })
      await rejectsAppend(413, 'payload-too-large', { cbor: { events: [huge] } })
    })

    it('more than MAX_EVENTS_PER_APPEND events is a 400', async () => {
      // docs/api.md does not name this case; it is a body that fails validation.
      const events = Array.from({ length: MAX_EVENTS_PER_APPEND + 1 }, () => newEvent())
      const problem = await rejectsAppend(400, 'invalid-request', { json: { events } })
      assertInvalidRequestErrors(problem, 'events')
    })

    it('an unknown expectedRevision keyword is a 400', async () => {
      for (const expectedRevision of ['latest', 'NO_STREAM', -1.5, true]) {
        const problem = await rejectsAppend(400, 'invalid-request', { json: { events: [newEvent()], expectedRevision } })
        assertInvalidRequestErrors(problem, 'expectedRevision')
      }
    })

    it('an invalid stream name is a 400 on append, read and head', async () => {
      for (const stream of ['has space', '$system', 'x'.repeat(201), 'ümlaut', 'a,b', 'a#b']) {
        await rejectsAppend(400, 'invalid-request', { json: { events: [newEvent()] } }, stream)
        expectProblem(await get(streamPath(stream)), 400, 'invalid-request')
        expectProblem(await head(stream), 400, 'invalid-request')
      }
    })

    it('a multi-stream append with an invalid stream name writes nothing', async () => {
      const ok = uniqueStream('mname')
      const before = await mark()
      const reply = await req('POST', '/v1/append', {
        json: { streams: [{ stream: ok, events: [newEvent()] }, { stream: '$bad', events: [newEvent()] }] },
      })
      expectProblem(reply, 400, 'invalid-request')
      await assertNothingWrittenSince(before)
      await expectHead(ok, null)
    })

    it('bad from, limit and direction on a stream read are 400s', async () => {
      const stream = uniqueStream('query')
      await appendOk(stream, [newEvent()])
      for (const query of [
        'from=abc',
        'from=-1',
        'from=1.5',
        'limit=abc',
        `limit=${MAX_PAGE_SIZE + 1}`,
        'limit=-1',
        'direction=sideways',
      ]) {
        expectProblem(await get(`${streamPath(stream)}?${query}`), 400, 'invalid-request')
      }
    })

    it('bad from and limit on /v1/all and categories are 400s', async () => {
      for (const path of ['/v1/all', '/v1/categories/account']) {
        for (const query of ['from=abc', 'from=-1', `limit=${MAX_PAGE_SIZE + 1}`, 'limit=xyz']) {
          expectProblem(await get(`${path}?${query}`), 400, 'invalid-request')
        }
      }
    })
  })

}

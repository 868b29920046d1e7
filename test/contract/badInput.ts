// Every bad input of docs/api.md: the documented problem, and nothing written.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { assertInvalidRequestErrors, type ContractClient } from './client.ts'
import { expectProblem, expectStatus, newEvent, show, uniqueStream, type CallOptions } from './http.ts'
import { MAX_BODY_BYTES, MAX_DEPTH, MAX_EVENT_BYTES, MAX_EVENTS_PER_APPEND, MAX_ITEM_TERMS, MAX_PAGE_SIZE } from './limits.ts'

export interface BadInputOptions {
  /**
   * false: skip the 4 x MAX_BODY_BYTES chunked body. Under Miniflare (the local workerd of
   * the Worker tests) about 1 in 20 of those still ends in a reset after the Worker read the
   * whole body and answered: a reset the Worker's code does not cause, left to the note.
   */
  largeChunkedBodies?: boolean
  /**
   * true: of the 5 chunked bodies at 1 x MAX_BODY_BYTES, one may end in a failed connection
   * instead of the 413 (Miniflare: 1 in 120 sends on 2026-12-02, the client's write getting
   * EPIPE; one fresh-clone run in two hit it), as long as it wrote nothing. The rest must be
   * 413 problems.
   */
  miniflareResets?: boolean
}

export function badInputTests(client: ContractClient, options: BadInputOptions = {}): void {
  const { req, get, streamPath, appendOk, head, expectHead, readStream, mark, assertNothingWrittenSince, rejectsAppend } = client

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

    /** A chunked body of about `times` x MAX_BODY_BYTES: a 413 the client can read, and nothing written. */
    const chunkedOverLimit = async (times: number) => {
      const chunk = new TextEncoder().encode(' '.repeat(8192))
      const chunks = Math.ceil((times * MAX_BODY_BYTES) / chunk.length) + 1
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
      let reply
      try {
        reply = await req('POST', streamPath(uniqueStream('chunked')), { body, headers: { 'content-type': 'application/json' } })
      } catch (err) {
        if (!options.miniflareResets) throw err
        // Under Miniflare: counted by the caller; nothing may have been written either way.
        await assertNothingWrittenSince(before)
        return 'reset'
      }
      expectProblem(reply, 413, 'payload-too-large')
      await assertNothingWrittenSince(before)
      return 'problem'
    }

    // The server reads the rest of the body before it answers: the client is still sending,
    // and an answer with body bytes unread reset the connection on Node and workerd (the
    // client saw "fetch failed" or "other side closed", not the 413), 1 time in 10 on
    // workerd at this size. Several times over: one pass proves little.
    it('a chunked body (no Content-Length) over MAX_BODY_BYTES is a 413, read by the client', async () => {
      const outcomes = []
      for (let i = 0; i < 5; i++) outcomes.push(await chunkedOverLimit(1))
      // Under Miniflare a connection is sometimes dropped instead (see miniflareResets): at most one of 5.
      assert.ok(outcomes.filter((o) => o === 'reset').length <= 1, `outcomes: ${outcomes.join(', ')}`)
    })

    if (options.largeChunkedBodies !== false) {
      // At 4x the limit, Node reset half of these connections before the fix.
      it('a chunked body of 4 x MAX_BODY_BYTES is a 413 the client reads, every time', async () => {
        for (let i = 0; i < 5; i++) await chunkedOverLimit(4)
      })
    }

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

    it('a Content-Type with white space before a parameter, or an empty parameter, is JSON (RFC 9110 §5.6.6) on every body route', async () => {
      for (const contentType of ['application/json ; charset=utf-8', 'application/json;', 'Application/JSON ;charset=UTF-8 ']) {
        const stream = uniqueStream('ows')
        const event = newEvent('Spaced', { contentType })
        const reply = await req('POST', streamPath(stream), { body: JSON.stringify({ events: [event] }), headers: { 'content-type': contentType } })
        assert.equal(reply.status, 201, `${contentType}: ${show(reply)}`)
        const [stored] = await readStream(stream)
        assert.deepEqual([stored.id, stored.data], [event.id, event.data], contentType)
        // /v1/query goes through @hono/zod-openapi's own media type gate
        const query = await req('POST', '/v1/query', { body: JSON.stringify({ items: [{ types: ['Spaced'] }] }), headers: { 'content-type': contentType } })
        assert.equal(query.status, 200, `${contentType}: ${show(query)}`)
      }
    })

    it('a compressed body (Content-Encoding other than identity) is a 415 with Accept-Encoding: identity, and writes nothing', async () => {
      const json = JSON.stringify({ events: [newEvent()] })
      const gzipped = new Uint8Array(await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer())
      for (const [coding, body] of [['gzip', gzipped], ['br', json], ['x-unknown', json]] as const) {
        const problem = await rejectsAppend(415, 'unsupported-media-type', { body, headers: { 'content-type': 'application/json', 'content-encoding': coding } })
        assert.match(problem.detail, new RegExp(`Content-Encoding '${coding}'`))
      }
      const reply = await req('POST', streamPath(uniqueStream('gz')), { body: gzipped, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
      assert.equal(reply.headers.get('accept-encoding'), 'identity')
      // identity is no coding at all
      const stream = uniqueStream('identity')
      const plain = await req('POST', streamPath(stream), { body: json, headers: { 'content-type': 'application/json', 'content-encoding': 'identity' } })
      assert.equal(plain.status, 201, show(plain))
    })

    it('a request answered before its body is read (415, 405, 406, 404, 413) fails alone: the requests after it are served', async () => {
      // under MAX_BODY_BYTES: refused for what it is, not for its size
      const big = 'x'.repeat(MAX_BODY_BYTES - 1000)
      const json = { 'content-type': 'application/json' }
      const early: Array<[string, string, CallOptions, number]> = [
        ['POST', streamPath(uniqueStream('early')), { body: big, headers: { 'content-type': 'text/plain' } }, 415],
        ['PUT', streamPath(uniqueStream('early')), { body: big, headers: json }, 405],
        ['POST', streamPath(uniqueStream('early')), { body: big, headers: json, accept: 'text/xml' }, 406],
        ['POST', '/v1/no-such-route', { body: big, headers: json }, 404],
        ['POST', streamPath(uniqueStream('early')), { body: 'x'.repeat(MAX_BODY_BYTES + 1), headers: json }, 413],
      ]
      for (let round = 0; round < 3; round++) {
        for (const [method, path, opts, status] of early) {
          const refused = await req(method, path, opts)
          assert.equal(refused.status, status, show(refused))
          const reply = await req('POST', streamPath(uniqueStream('after')), { json: { events: [newEvent()] } })
          assert.equal(reply.status, 201, `the append after a ${status}: ${show(reply)}`)
        }
      }
    })

    it('a method a route does not answer is a 405 with Allow, before its body is looked at; an unknown path is a 404', async () => {
      const before = await mark()
      const body = JSON.stringify({ events: [newEvent()] })
      const stream = uniqueStream('method')
      const cases: Array<[string, string, string, CallOptions]> = [
        ['PUT', streamPath(stream), 'POST', { body, headers: { 'content-type': 'application/json' } }],
        ['PATCH', streamPath(stream), 'POST', { body, headers: { 'content-type': 'text/plain' } }],
        ['POST', '/v1/all', 'GET, HEAD', { body, headers: { 'content-type': 'application/json' } }],
        ['DELETE', '/v1/all', 'GET, HEAD', {}],
        ['GET', '/v1/append', 'POST', {}],
        ['PUT', '/v1/query', 'POST', { body: '{"items":[]}', headers: { 'content-type': 'application/json' } }],
      ]
      for (const [method, path, allows, opts] of cases) {
        const reply = await req(method, path, opts)
        expectProblem(reply, 405, 'method-not-allowed')
        const allow = reply.headers.get('allow') ?? ''
        for (const m of allows.split(', ')) assert.ok(allow.split(', ').includes(m), `${method} ${path}: Allow '${allow}' lacks ${m}`)
        assert.ok(!allow.split(', ').includes(method), `${method} ${path}: Allow '${allow}' lists the refused method`)
      }
      expectProblem(await req('PUT', '/v1/no-such-route', { body, headers: { 'content-type': 'application/json' } }), 404, 'not-found')
      expectProblem(await get('/v1/no-such-route'), 404, 'not-found')
      await assertNothingWrittenSince(before)
      await expectHead(stream, null)
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

    it('the old keyword "exists" is a 400 that names its new name, "stream_exists"', async () => {
      const stream = uniqueStream('was-exists')
      await appendOk(stream, [newEvent()])
      const hinted = (problem: any) => {
        assertInvalidRequestErrors(problem, 'expectedRevision')
        assert.ok(problem.errors.some((e: any) => e.message.includes('"exists" is now "stream_exists"')), JSON.stringify(problem.errors))
      }
      hinted(await rejectsAppend(400, 'invalid-request', { json: { events: [newEvent()], expectedRevision: 'exists' } }, stream))
      hinted(await rejectsAppend(400, 'invalid-request', { cbor: { events: [newEvent()], expectedRevision: 'exists' } }, stream))
      const before = await mark()
      const multi = await req('POST', '/v1/append', { json: { streams: [{ stream, expectedRevision: 'exists', events: [newEvent()] }] } })
      hinted(expectProblem(multi, 400, 'invalid-request'))
      await assertNothingWrittenSince(before)
      await expectHead(stream, 0)
    })

    it('an invalid stream name is a 400 on append, read and head', async () => {
      for (const stream of ['has space', '$system', 'x'.repeat(201), 'ümlaut', 'a,b', 'a#b', 'a\u0000b', 'a\nb', 'a\u0085b']) {
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

    it('a stream named, or in a category named, . or .. is a 400 (its path would normalize away: written, never read); ... is a name', async () => {
      for (const bad of ['.', '..', '.-1', '..-x']) {
        const before = await mark()
        const reply = await req('POST', '/v1/append', { json: { streams: [{ stream: bad, events: [newEvent()] }] } })
        expectProblem(reply, 400, 'invalid-request')
        assert.match(reply.body.detail + JSON.stringify(reply.body.errors), /neither it nor its category is \. or \.\./, show(reply))
        await assertNothingWrittenSince(before)
      }
      const dots = `...${uniqueStream('dots')}`
      await appendOk(dots, [newEvent()])
      await expectHead(dots, 0)
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

  // Issue 10: what a reader cannot read back is refused at validation, with a 400 that
  // names the field, and nothing is written. Bodies are sent as exact bytes: JSON as raw
  // text (so `\ud800` escapes reach the server), CBOR hand-assembled.
  describe('bad input: duplicates, text that is not Unicode, depth, request-wide limits', () => {
    const rawJson = (body: string): CallOptions => ({ body, headers: { 'content-type': 'application/json' } })
    const rawCbor = (bytes: number[]): CallOptions => ({ body: new Uint8Array(bytes), headers: { 'content-type': 'application/cbor' } })
    const utf8 = (s: string) => [...new TextEncoder().encode(s)]
    // RFC 8949 §3: a head (major type, argument), then the content.
    const head = (major: number, n: number) =>
      n < 24 ? [(major << 5) | n] : n < 256 ? [(major << 5) | 24, n] : [(major << 5) | 25, n >> 8, n & 255]
    const text = (s: string) => [...head(3, utf8(s).length), ...utf8(s)]
    const badText = (bytes: number[]) => [...head(3, bytes.length), ...bytes]
    const array = (...items: number[][]) => [...head(4, items.length), ...items.flat()]
    const map = (...entries: [number[], number[]][]) => [...head(5, entries.length), ...entries.flat(2)]
    /** `{ events: [event] }` in CBOR, the event given as map entries. */
    const oneEvent = (...entries: [number[], number[]][]) => map([text('events'), array(map(...entries))])
    const typeA: [number[], number[]] = [text('type'), text('A')]

    /** POST /v1/append: expect the problem, and no write anywhere. */
    const rejectsMulti = async (status: number, kind: string, opts: CallOptions) => {
      const before = await mark()
      const problem = expectProblem(await req('POST', '/v1/append', opts), status, kind)
      await assertNothingWrittenSince(before)
      return problem
    }
    const mentions = (problem: unknown, what: string) =>
      assert.ok(JSON.stringify(problem).includes(what), `the problem does not name ${what}: ${JSON.stringify(problem)}`)

    it('a tag repeated within one event is a 400 naming the tag, on both append routes', async () => {
      const event = { ...newEvent(), tags: ['account:1', 'b:2', 'account:1'] }
      const problem = await rejectsAppend(400, 'invalid-request', { json: { events: [newEvent(), event] } })
      assertInvalidRequestErrors(problem, 'events.1.tags.2')
      mentions(problem, 'account:1')
      const multi = await rejectsMulti(400, 'invalid-request', { json: { events: [{ type: 'Dcb', tags: ['x:1', 'x:1'] }] } })
      assertInvalidRequestErrors(multi, 'events.0.tags.1')
    })

    it('two events of one request with one id are a 400 naming the id: in a stream, across streams, and with stream-less events', async () => {
      const id = randomUUID()
      // ids are compared as UUIDs: case does not make them different
      const inStream = await rejectsAppend(400, 'invalid-request', { json: { events: [{ id, type: 'A' }, { id: id.toUpperCase(), type: 'B' }] } })
      assertInvalidRequestErrors(inStream, 'events.1.id')
      mentions(inStream, id)

      const a = uniqueStream('dupid')
      const b = uniqueStream('dupid')
      const across = await rejectsMulti(400, 'invalid-request', {
        json: { streams: [{ stream: a, events: [newEvent(), { id, type: 'A' }] }, { stream: b, events: [{ id, type: 'B' }] }] },
      })
      assertInvalidRequestErrors(across, 'streams.1.events.0.id')
      mentions(across, id)

      const withDcb = await rejectsMulti(400, 'invalid-request', {
        json: { streams: [{ stream: a, events: [{ id, type: 'A' }] }], events: [{ id, type: 'Dcb', tags: ['t:1'] }] },
      })
      assertInvalidRequestErrors(withDcb, 'events.0.id')
      await expectHead(a, null)
      await expectHead(b, null)
    })

    it('a lone UTF-16 surrogate anywhere in a JSON body is a 400 naming the field', async () => {
      for (const [body, path] of [
        ['{"events":[{"type":"A","data":"\\ud800"}]}', 'events.0.data'],
        ['{"events":[{"type":"A","data":{"ok":["x","\\udc00y"]}}]}', 'events.0.data.ok.1'],
        ['{"events":[{"type":"A","data":{"k\\ud83d":1}}]}', 'events.0.data'],
        ['{"events":[{"type":"A","metadata":{"m":"a\\udfff"}}]}', 'events.0.metadata.m'],
        ['{"events":[{"type":"\\ud800"}]}', 'events.0.type'],
        ['{"events":[{"type":"A","tags":["t:\\ud800"]}]}', 'events.0.tags.0'],
      ]) {
        const problem = await rejectsAppend(400, 'invalid-request', rawJson(body))
        assertInvalidRequestErrors(problem, path)
      }
      const stream = await rejectsMulti(400, 'invalid-request', rawJson('{"streams":[{"stream":"s\\ud800","events":[{"type":"A"}]}]}'))
      assertInvalidRequestErrors(stream, 'streams.0.stream')
      const dcb = await rejectsMulti(400, 'invalid-request', rawJson('{"events":[{"type":"A","tags":["\\udbff"]}]}'))
      assertInvalidRequestErrors(dcb, 'events.0.tags.0')
    })

    it('a JSON body that is not valid UTF-8 is a 400 naming the byte, not stored with U+FFFD', async () => {
      const body = (bytes: number[]) => new Uint8Array([...utf8('{"events":[{"type":"A","data":"x'), ...bytes, ...utf8('"}]}')])
      const start = utf8('{"events":[{"type":"A","data":"x').length
      for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
        const problem = await rejectsAppend(400, 'malformed-body', { body: body(bad), headers: { 'content-type': 'application/json' } })
        assert.match(problem.detail, new RegExp(`UTF-8.*byte ${start}\\b`), JSON.stringify(problem))
      }
      // A leading byte order mark is ignored (RFC 8259 §8.1), as before.
      const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(JSON.stringify({ events: [newEvent()] }))])
      expectStatus(await req('POST', streamPath(uniqueStream('bom')), { body: withBom, headers: { 'content-type': 'application/json' } }), 201)
    })

    it('a JSON integer beyond ±2^53 is a 400 naming it, not stored rounded; safe integers and strings of digits are kept exactly', async () => {
      // 2^63 and -2^63 are doubles exactly, but a double is written 9223372036854776000: not as sent.
      // 400 digits are beyond any double (once a 500: BigInt(Infinity) threw).
      const huge = '1' + '0'.repeat(400)
      for (const n of ['12345678901234567890', '9007199254740993', '-18446744073709551615', '9223372036854775808', '-9223372036854775808', huge]) {
        const body = `{"events":[{"type":"A","data":{"id":${n},"note":"12345678901234567890"}}]}`
        const problem = await rejectsAppend(400, 'invalid-request', { body, headers: { 'content-type': 'application/json' } })
        assert.ok(problem.detail.includes(n.slice(0, 40)), JSON.stringify(problem))
      }
      // Anywhere in a body, not only in data: an expected revision is a 400 too, not a 500.
      await rejectsAppend(400, 'invalid-request', { body: `{"expectedRevision":${huge},"events":[{"type":"A"}]}`, headers: { 'content-type': 'application/json' } })
      const stream = uniqueStream('bigint')
      const body = '{"events":[{"type":"A","data":{"ms":1700000000000,"big":9007199254740991,"id":"12345678901234567890","f":1.5e300}}]}'
      expectStatus(await req('POST', streamPath(stream), { body, headers: { 'content-type': 'application/json' } }), 201)
      const page = await req('GET', streamPath(stream))
      assert.ok(page.text.includes('"data":{"ms":1700000000000,"big":9007199254740991,"id":"12345678901234567890","f":1.5e+300}'), page.text)
    })

    it('a JSON number beyond the range of a double (1e400) is a 400 naming it, not stored as Infinity; one just inside is kept', async () => {
      for (const n of ['1e400', '-1e400', '1.8e308', '2E+309', '-' + '9'.repeat(320) + '.5']) {
        const body = `{"events":[{"type":"A","data":{"x":[${n}]}}]}`
        const problem = await rejectsAppend(400, 'invalid-request', { body, headers: { 'content-type': 'application/json' } })
        assert.ok(problem.detail.includes(n.slice(0, 40)) && /range of a double/.test(problem.detail), JSON.stringify(problem))
      }
      const stream = uniqueStream('bigdouble')
      const body = '{"events":[{"type":"A","data":{"max":1.7976931348623157e308,"tiny":1e-400,"s":"1e400"}}]}'
      expectStatus(await req('POST', streamPath(stream), { body, headers: { 'content-type': 'application/json' } }), 201)
      const page = await req('GET', streamPath(stream))
      assert.ok(page.text.includes('"data":{"max":1.7976931348623157e+308,"tiny":0,"s":"1e400"}'), page.text)
    })

    it('a __proto__ key in data or metadata of a JSON body is stored and read back as sent (metadata once lost it)', async () => {
      const stream = uniqueStream('proto')
      const body = '{"events":[{"type":"A","data":{"__proto__":{"a":1},"k":1},"metadata":{"__proto__":{"b":2},"m":1}}]}'
      expectStatus(await req('POST', streamPath(stream), { body, headers: { 'content-type': 'application/json' } }), 201)
      const page = await req('GET', streamPath(stream))
      assert.ok(page.text.includes('"data":{"__proto__":{"a":1},"k":1},"metadata":{"__proto__":{"b":2},"m":1}'), page.text)
    })

    it('valid text outside ASCII is stored and read back exactly (surrogate pairs, accents, CJK)', async () => {
      const stream = uniqueStream('unicode')
      const event = { id: randomUUID(), type: 'Überwiesen €', data: { '😀': 'Grüße \ud83d\ude00', k: ['名前'] }, tags: ['名前:1'] }
      await appendOk(stream, [event])
      const [read] = (await get(streamPath(stream))).body.events
      assert.deepEqual({ id: read.id, type: read.type, data: read.data, tags: read.tags }, event)
    })

    it('a CBOR text string that is not valid UTF-8 (or encodes a surrogate) is a 400 naming the field', async () => {
      for (const [bytes, path] of [
        // ED A0 80 would be U+D800: CESU-8, not UTF-8 (RFC 3629 §3)
        [oneEvent(typeA, [text('data'), badText([0xed, 0xa0, 0x80])]), 'events.0.data'],
        [oneEvent(typeA, [text('data'), map([text('k'), badText([0x41, 0xff])])]), 'events.0.data.k'],
        [oneEvent(typeA, [text('data'), map([badText([0xc3, 0x28]), text('v')])]), 'events.0.data'],
        [oneEvent([text('type'), badText([0xc3, 0x28])]), 'events.0.type'],
        [oneEvent(typeA, [text('tags'), array(badText([0x80]))]), 'events.0.tags.0'],
      ] as const) {
        const problem = await rejectsAppend(400, 'invalid-request', rawCbor([...bytes]))
        assertInvalidRequestErrors(problem, path)
      }
    })

    it('valid CBOR in the forms other encoders write (indefinite lengths, floats, integer keys) is still accepted', async () => {
      const stream = uniqueStream('cborforms')
      // {_ "events": [_ {_ "type": "A", "data": {_ "a": [_ 1.5, true, null], "b": "Grüße 😀"}, "tags": [_ "t:1"]}]}
      const bytes = [0xbf, ...text('events'), 0x9f, 0xbf, ...text('type'), ...text('A'), ...text('data'), 0xbf, ...text('a'), 0x9f, 0xf9, 0x3e, 0x00, 0xf5, 0xf6, 0xff,
        ...text('b'), ...text('Grüße 😀'), 0xff, ...text('tags'), 0x9f, ...text('t:1'), 0xff, 0xff, 0xff, 0xff]
      expectStatus(await req('POST', streamPath(stream), rawCbor(bytes)), 201)
      const [read] = (await get(streamPath(stream))).body.events
      assert.deepEqual([read.data, read.tags], [{ a: [1.5, true, null], b: 'Grüße 😀' }, ['t:1']])
    })

    it('control characters (C0, DEL, C1) in a type or tag are a 400 naming the field, in JSON and CBOR', async () => {
      for (const ch of ['\u0000', '\u0001', '\t', '\n', '\u001f', '\u007f', '\u0085', '\u009f']) {
        assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', { json: { events: [{ type: `A${ch}B` }] } }), 'events.0.type')
        assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', { json: { events: [{ type: 'A', tags: [`t${ch}`] }] } }), 'events.0.tags.0')
      }
      // A NUL used to cut the type short on read-back.
      assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', rawCbor(oneEvent([text('type'), text('Ab\u0000c')]))), 'events.0.type')
      const dcb = await rejectsMulti(400, 'invalid-request', { json: { events: [{ type: 'A\u0000', tags: ['t:1'] }] } })
      assertInvalidRequestErrors(dcb, 'events.0.type')
    })

    const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

    it('data and metadata nested deeper than MAX_DEPTH are a 400 naming the limit; MAX_DEPTH levels are stored', async () => {
      const stream = uniqueStream('depth')
      await appendOk(stream, [{ type: 'Deep', data: JSON.parse(nestedArrays(MAX_DEPTH)) }])
      expectStatus(await req('POST', streamPath(stream), rawCbor(oneEvent(typeA, [text('data'), [...Array(MAX_DEPTH).fill(0x81), 0x00]]))), 201)

      const tooDeep = await rejectsAppend(400, 'invalid-request', rawJson(`{"events":[{"type":"A","data":${nestedArrays(MAX_DEPTH + 1)}}]}`))
      assertInvalidRequestErrors(tooDeep, 'events.0.data')
      mentions(tooDeep, 'MAX_DEPTH')
      const meta = await rejectsAppend(400, 'invalid-request', rawJson(`{"events":[{"type":"A","metadata":{"m":${nestedArrays(MAX_DEPTH)}}}]}`))
      assertInvalidRequestErrors(meta, 'events.0.metadata')
      const objects = '{"a":'.repeat(MAX_DEPTH + 1) + '1' + '}'.repeat(MAX_DEPTH + 1)
      assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', rawJson(`{"events":[{"type":"A","data":${objects}}]}`)), 'events.0.data')
      const cborDeep = await rejectsAppend(400, 'invalid-request', rawCbor(oneEvent(typeA, [text('data'), [...Array(MAX_DEPTH + 1).fill(0x81), 0x00]])))
      assertInvalidRequestErrors(cborDeep, 'events.0.data')
      const dcb = await rejectsMulti(400, 'invalid-request', rawJson(`{"events":[{"type":"A","tags":["t:1"],"data":${nestedArrays(MAX_DEPTH + 1)}}]}`))
      assertInvalidRequestErrors(dcb, 'events.0.data')
    })

    it('very deep JSON and CBOR (tens of thousands of levels) are a 400, not a 500', async () => {
      // Under MAX_BODY_BYTES; recursive encoders and decoders run out of stack far sooner.
      const levels = Math.floor((MAX_BODY_BYTES - 100) / 2)
      assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', rawJson(`{"events":[{"type":"A","data":${nestedArrays(levels)}}]}`)), 'events.0.data')
      const cborArrays = oneEvent(typeA, [text('data'), [...Array(MAX_BODY_BYTES - 100).fill(0x81), 0x00]])
      assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', rawCbor(cborArrays)), 'events.0.data')
      // nested tags (6: unassigned) nest as deep on a decoder's stack
      const cborTags = oneEvent(typeA, [text('data'), [...Array(MAX_BODY_BYTES - 100).fill(0xc6), 0x00]])
      assertInvalidRequestErrors(await rejectsAppend(400, 'invalid-request', rawCbor(cborTags)), 'events.0.data')
    })

    it('CBOR shared references (tags 28 and 29), cyclic or not, are a 400 naming the field', async () => {
      for (const data of [
        [0xd8, 0x1c, 0x81, 0xd8, 0x1d, 0x00], // 28([29(0)]): an array that holds itself
        [0xd8, 0x1c, ...map([text('self'), [0xd8, 0x1d, 0x00]])], // 28({ self: 29(0) })
        array([0xd8, 0x1c, ...text('x')], [0xd8, 0x1d, 0x00]), // ["x" shared, then referenced]: no cycle
      ]) {
        const problem = await rejectsAppend(400, 'invalid-request', rawCbor(oneEvent(typeA, [text('data'), data])))
        assertInvalidRequestErrors(problem, 'events.0.data')
      }
    })

    it('POST /v1/append counts every event of the request, in all streams and stream-less, against MAX_EVENTS_PER_APPEND', async () => {
      const half = MAX_EVENTS_PER_APPEND / 2
      const events = (n: number) => Array.from({ length: n }, () => newEvent())
      const dcbEvents = (n: number) => Array.from({ length: n }, () => ({ ...newEvent(), tags: ['c:1'] }))
      for (const body of [
        { streams: [{ stream: uniqueStream('cnt'), events: events(half + 1) }, { stream: uniqueStream('cnt'), events: events(half) }] },
        { streams: [{ stream: uniqueStream('cnt'), events: events(half) }], events: dcbEvents(half + 1) },
        { streams: Array.from({ length: MAX_EVENTS_PER_APPEND + 1 }, () => ({ stream: uniqueStream('cnt'), events: events(1) })) },
      ]) {
        const problem = await rejectsMulti(400, 'invalid-request', { json: body })
        assert.ok(problem.errors?.some((e: any) => /MAX_EVENTS_PER_APPEND/.test(e.message)), `the limit is not named: ${JSON.stringify(problem)}`)
      }
      const ok = { streams: [{ stream: uniqueStream('cnt'), events: events(half) }], events: dcbEvents(half) }
      expectStatus(await req('POST', '/v1/append', { json: ok }), 201)
    })

    it(`GET /v1/subscribe and /v1/all take at most ${MAX_ITEM_TERMS} types and ${MAX_ITEM_TERMS} tags, as a query item does`, async () => {
      const terms = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(',')
      const from = (await mark()) + 1
      for (const path of ['/v1/subscribe', '/v1/all']) {
        // live=false: the subscription ends once caught up (from the end of the log: at once)
        const q = (params: string) => `${path}?from=${from}${path === '/v1/subscribe' ? '&live=false' : ''}&${params}`
        for (const params of [`types=${terms(MAX_ITEM_TERMS + 1, 'T')}`, `tags=${terms(MAX_ITEM_TERMS + 1, 't:')}`, `types=${terms(500, 'T')}`, `tags=${terms(500, 't:')}`]) {
          const problem = expectProblem(await get(q(params)), 400, 'invalid-request')
          assertInvalidRequestErrors(problem, params.startsWith('types') ? 'types' : 'tags')
        }
        const ok = await get(q(`types=${terms(MAX_ITEM_TERMS, 'T')}&tags=${terms(MAX_ITEM_TERMS, 't:')}`))
        assert.equal(ok.status, 200, `${path}: ${ok.text}`)
      }
    })
  })
}

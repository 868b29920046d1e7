// The per-request path of an app without CORS (the entries' default), where answers are
// built as plain responses (src/http/respond.ts) and one front middleware and one /v1 gate
// do what a chain of middleware did: every check still answers its problem document, with
// the request id, and what the front middleware records (metrics, log line) still happens.
// (The contract suite runs with CORS_ORIGINS set, so it takes the other path.)
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Encoder } from 'cbor-x'
import { createApp } from '../src/http/app.ts'
import { createMetrics } from '../src/metrics.ts'
import { openTestLog } from './helpers.ts'

const PROBLEM = 'https://edgelog.dev/problems/'
const json = { 'content-type': 'application/json' }
const one = JSON.stringify({ events: [{ type: 'Deposited', data: { amount: 1 } }] })

describe('the per-request path without CORS', () => {
  let t: Awaited<ReturnType<typeof openTestLog>>
  let app: ReturnType<typeof createApp>
  let stopping = false
  before(async () => {
    t = await openTestLog({}, { MAX_BODY_BYTES: '4096', LOG_LEVEL: 'info' })
    app = createApp({ ...t.deps, metrics: createMetrics(t.log, t.store.backend), auth: { tokens: ['rw'], readTokens: ['ro'] }, stopping: () => stopping })
  })
  after(async () => {
    await t.close()
  })
  const auth = (token = 'rw') => ({ authorization: `Bearer ${token}` })

  /** A problem document of `kind` with `status`, carrying a request id; returns the document. */
  async function problem(res: Response, status: number, kind: string) {
    const text = await res.text()
    assert.equal(res.status, status, text)
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.ok(res.headers.get('x-request-id'), 'no X-Request-Id on a problem')
    const doc = JSON.parse(text)
    assert.equal(doc.type, `${PROBLEM}${kind}`, text)
    assert.equal(doc.status, status)
    return doc
  }

  it('an append answers 201 with ETag, Location, Content-Type and the request id the client sent', async () => {
    const res = await app.request('/v1/streams/lean-1', { method: 'POST', headers: { ...json, ...auth(), 'x-request-id': 'client-id-1' }, body: one })
    assert.equal(res.status, 201, await res.clone().text())
    assert.equal(res.headers.get('x-request-id'), 'client-id-1')
    assert.equal(res.headers.get('etag'), '"0"')
    assert.equal(res.headers.get('location'), '/v1/streams/lean-1?from=0')
    assert.equal(res.headers.get('content-type'), 'application/json')
    assert.equal((await res.json()).lastRevision, 0)
  })

  it('a head and a read answer with the request id; an id the client sends that is not \\w-= is replaced', async () => {
    const head = await app.request('/v1/streams/lean-1/head', { headers: { ...auth('ro'), 'x-request-id': 'bad id!' } })
    assert.equal(head.status, 200)
    const id = head.headers.get('x-request-id')
    assert.ok(id && id !== 'bad id!', `id ${id}`)
    assert.equal(head.headers.get('etag'), '"0"')
    assert.equal((await head.json()).revision, 0)
    const long = 'a'.repeat(256)
    const read = await app.request('/v1/streams/lean-1', { headers: { ...auth('ro'), accept: 'application/cbor', 'x-request-id': long } })
    assert.equal(read.status, 200)
    assert.equal(read.headers.get('content-type'), 'application/cbor')
    assert.ok(read.headers.get('x-request-id') && read.headers.get('x-request-id') !== long)
    // HEAD of a GET route: the same headers, no body
    const bare = await app.request('/v1/streams/lean-1/head', { method: 'HEAD', headers: { ...auth('ro'), 'x-request-id': 'client-id-2' } })
    assert.equal(bare.status, 200)
    assert.equal(bare.headers.get('x-request-id'), 'client-id-2')
    assert.equal(bare.headers.get('etag'), '"0"')
    assert.equal(await bare.text(), '')
  })

  it('responses that are not built by media.ts (health, openapi.json) carry the request id too', async () => {
    for (const path of ['/health', '/openapi.json']) {
      const res = await app.request(path, { headers: { 'x-request-id': `id-${path.length}` } })
      assert.equal(res.status, 200, path)
      assert.equal(res.headers.get('x-request-id'), `id-${path.length}`, path)
    }
  })

  it('no token, a wrong token and a read-only token appending still get 401, 401 and 403', async () => {
    const none = await app.request('/v1/streams/lean-1/head')
    await problem(none, 401, 'unauthorized')
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/)
    await problem(await app.request('/v1/streams/lean-1/head', { headers: auth('nope') }), 401, 'unauthorized')
    await problem(await app.request('/v1/streams/lean-1', { method: 'POST', headers: { ...json, ...auth('ro') }, body: one }), 403, 'forbidden')
  })

  it('a wrong content type (415), an Accept it cannot answer (406), an over-limit body (413) and a chunked over-limit body (413)', async () => {
    await problem(await app.request('/v1/streams/lean-2', { method: 'POST', headers: { 'content-type': 'text/plain', ...auth() }, body: one }), 415, 'unsupported-media-type')
    await problem(await app.request('/v1/streams/lean-2/head', { headers: { accept: 'text/html', ...auth() } }), 406, 'not-acceptable')
    const big = JSON.stringify({ events: [{ type: 'Deposited', data: { note: 'x'.repeat(5000) } }] })
    await problem(await app.request('/v1/streams/lean-2', { method: 'POST', headers: { ...json, ...auth(), 'content-length': String(big.length) }, body: big }), 413, 'payload-too-large')
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big))
        controller.close()
      },
    })
    await problem(await app.request('/v1/streams/lean-2', { method: 'POST', headers: { ...json, ...auth() }, body: chunked, duplex: 'half' } as RequestInit), 413, 'payload-too-large')
  })

  it('an invalid body, a body that is not JSON, bad UTF-8, an unsafe integer, a bad CBOR body and a bad stream name are 400s; nothing is written', async () => {
    const post = (body: BodyInit, headers: Record<string, string> = json, stream = 'lean-3') => app.request(`/v1/streams/${stream}`, { method: 'POST', headers: { ...headers, ...auth() }, body })
    const invalid = await problem(await post(JSON.stringify({ events: [{ data: {} }] })), 400, 'invalid-request')
    assert.ok(invalid.errors.some((e: { path: string }) => e.path.startsWith('events.0')), JSON.stringify(invalid))
    await problem(await post('{"events": ['), 400, 'malformed-body')
    await problem(await post(new Uint8Array([0x7b, 0xff, 0x7d])), 400, 'malformed-body')
    await problem(await post('{"events":[{"type":"T","data":{"n":12345678901234567890}}]}'), 400, 'invalid-request')
    const cbor = new Encoder({ useRecords: false }).encode({ events: [{ type: 1, data: {} }] })
    await problem(await post(new Uint8Array(cbor), { 'content-type': 'application/cbor' }), 400, 'invalid-request')
    await problem(await post(one, json, '-bad'), 400, 'invalid-request')
    const head = await app.request('/v1/streams/lean-3/head', { headers: auth() })
    await problem(head, 404, 'stream-not-found')
  })

  it('an If-Match that does not hold is a 412 problem, and a body expectedRevision that does not a 409', async () => {
    const res = await app.request('/v1/streams/lean-1', { method: 'POST', headers: { ...json, ...auth(), 'if-match': '"5"' }, body: one })
    await problem(res, 412, 'precondition-failed')
    const body = JSON.stringify({ expectedRevision: 5, events: [{ type: 'Deposited', data: {} }] })
    await problem(await app.request('/v1/streams/lean-1', { method: 'POST', headers: { ...json, ...auth() }, body }), 409, 'wrong-expected-revision')
  })

  it('requests are counted by route and status at /metrics, and logged with their request id', async () => {
    const res = await app.request('/metrics', { headers: auth() })
    const text = await res.text()
    assert.equal(res.status, 200, text)
    assert.match(text, /edgelog_http_request_duration_seconds_count\{method="GET",route="\/v1\/streams\/:stream\/head",status="200"\} [1-9]/)
    assert.match(text, /edgelog_http_request_duration_seconds_count\{method="POST",route="\/v1\/\*",status="415"\} 1/)
    assert.ok(t.lines.some((l) => l.msg === 'request' && l.requestId === 'client-id-1' && l.status === 201 && l.path === '/v1/streams/lean-1'), 'no log line of the append')
  })

  it('methods a client makes up are counted as OTHER: they cannot grow the metric series', async () => {
    for (const method of ['BREW', 'WHEN', 'PROPFIND']) await app.request('/v1/streams/lean-1/head', { method, headers: auth() })
    const text = await (await app.request('/metrics', { headers: auth() })).text()
    assert.match(text, /edgelog_http_request_duration_seconds_count\{method="OTHER",route="[^"]+",status="\d+"\} 3/)
    assert.doesNotMatch(text, /method="(BREW|WHEN|PROPFIND)"/)
  })

  it('while stopping, a request gets a 503 problem with Retry-After and its request id, and is counted', async () => {
    stopping = true
    try {
      const res = await app.request('/v1/streams/lean-1/head', { headers: { ...auth(), 'x-request-id': 'late-1' } })
      await problem(res, 503, 'unavailable')
      assert.equal(res.headers.get('x-request-id'), 'late-1')
      assert.equal(res.headers.get('retry-after'), '1')
    } finally {
      stopping = false
    }
    const text = await (await app.request('/metrics', { headers: auth() })).text()
    assert.match(text, /edgelog_http_request_duration_seconds_count\{method="GET",route="[^"]*",status="503"\} 1/)
  })
})

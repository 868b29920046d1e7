// Bearer-token auth (AUTH_TOKENS read-write, AUTH_READ_TOKENS read-only) against a Node server.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent, uniqueStream, type CallOptions } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'

const RW = { authorization: 'Bearer rw-token' }
const RO = { authorization: 'Bearer ro-token' }

describe('auth with tokens configured', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node', { env: { AUTH_TOKENS: 'rw-token', AUTH_READ_TOKENS: 'ro-token' } })
  })
  after(async () => {
    await server?.stop()
  })

  const req = (method: string, path: string, opts?: CallOptions) => call(server.baseUrl, method, path, opts)
  const appendBody = () => ({ json: { events: [newEvent()] } })

  it('no token is a 401 problem with a Bearer challenge', async () => {
    const stream = uniqueStream('noauth')
    for (const [method, path, opts] of [
      ['GET', '/v1/all', {}],
      ['GET', `/v1/streams/${stream}`, {}],
      ['POST', `/v1/streams/${stream}`, appendBody()],
      ['POST', '/v1/append', { json: { streams: [{ stream, events: [newEvent()] }] } }],
    ] as const) {
      const reply = await req(method, path, opts)
      expectProblem(reply, 401, 'unauthorized')
      // RFC 9110 §11.6.1: a 401 carries WWW-Authenticate; RFC 6750 §3: the Bearer scheme.
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/i, `${method} ${path}`)
    }
    expectStatus(await req('GET', `/v1/streams/${stream}/head`, { headers: RW }), 404)
  })

  it('an unknown token, or a known one in another scheme, is a 401', async () => {
    expectProblem(await req('GET', '/v1/all', { headers: { authorization: 'Bearer nope' } }), 401, 'unauthorized')
    expectProblem(await req('GET', '/v1/all', { headers: { authorization: 'Basic rw-token' } }), 401, 'unauthorized')
    expectProblem(await req('GET', '/v1/all', { headers: { authorization: 'Bearer rw-token-but-longer' } }), 401, 'unauthorized')
  })

  it('the read-write token appends and reads', async () => {
    const stream = uniqueStream('rw')
    expectStatus(await req('POST', `/v1/streams/${stream}`, { ...appendBody(), headers: RW }), 201)
    const read = expectStatus(await req('GET', `/v1/streams/${stream}`, { headers: RW }), 200)
    assert.equal(read.events.length, 1)
  })

  it('the read-only token reads, but a write is a 403 problem that writes nothing', async () => {
    const stream = uniqueStream('ro')
    expectStatus(await req('POST', `/v1/streams/${stream}`, { ...appendBody(), headers: RW }), 201)
    expectStatus(await req('GET', `/v1/streams/${stream}`, { headers: RO }), 200)
    expectStatus(await req('GET', `/v1/streams/${stream}/head`, { headers: RO }), 200)
    expectStatus(await req('GET', '/v1/all', { headers: RO }), 200)

    expectProblem(await req('POST', `/v1/streams/${stream}`, { ...appendBody(), headers: RO }), 403, 'forbidden')
    const other = uniqueStream('ro2')
    expectProblem(
      await req('POST', '/v1/append', { json: { streams: [{ stream: other, events: [newEvent()] }] }, headers: RO }),
      403,
      'forbidden',
    )
    const head = expectStatus(await req('GET', `/v1/streams/${stream}/head`, { headers: RO }), 200)
    assert.equal(head.revision, 0)
    expectProblem(await req('GET', `/v1/streams/${other}/head`, { headers: RO }), 404, 'stream-not-found')
  })

  it('/health stays open', async () => {
    const health = expectStatus(await req('GET', '/health'), 200)
    assert.equal(health.status, 'ok')
  })

  it('/metrics needs a token (a read token suffices): it exposes route counts and auth failures', async () => {
    const reply = await req('GET', '/metrics')
    expectProblem(reply, 401, 'unauthorized')
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/i)
    assert.doesNotMatch(reply.text, /edgelog_/)
    expectProblem(await req('GET', '/metrics', { headers: { authorization: 'Bearer nope' } }), 401, 'unauthorized')
    // A Prometheus scrape: `authorization: { type: Bearer, credentials: ro-token }`.
    for (const headers of [RO, RW]) {
      const scrape = await req('GET', '/metrics', { headers })
      assert.equal(scrape.status, 200, scrape.text)
      assert.match(scrape.contentType, /^text\/plain/)
      assert.match(scrape.text, /^edgelog_http_request_duration_seconds_count\{method="GET",route="\/metrics",status="401"\} [1-9]/m)
    }
  })

  it('does not announce itself as open', () => {
    const log = [...server.stdout, ...server.stderr].join('\n')
    assert.doesNotMatch(log, OPEN_LINE, log)
  })
})

// The line the server logs at startup when no tokens are configured, e.g.
// "auth: none configured, the API is open to anyone who can reach it".
const OPEN_LINE = /^(?=.*\bauth\b)(?=.*\bnone\b|.*\bno auth)(?=.*\bopen\b).*$/im

describe('auth without tokens configured', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node')
  })
  after(async () => {
    await server?.stop()
  })

  it('serves every route without a token', async () => {
    const stream = uniqueStream('open')
    expectStatus(await call(server.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent()] } }), 201)
    expectStatus(await call(server.baseUrl, 'GET', `/v1/streams/${stream}`), 200)
  })

  it('/metrics is open too', async () => {
    const scrape = await call(server.baseUrl, 'GET', '/metrics')
    assert.equal(scrape.status, 200, scrape.text)
    assert.match(scrape.text, /^edgelog_writer_queue_events \d/m)
  })

  it('says so in its startup log', () => {
    const log = [...server.stdout, ...server.stderr].join('\n')
    assert.match(log, OPEN_LINE, log)
  })
})

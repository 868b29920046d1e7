// edgelog/client's reading of error answers that are not edgelog's problem documents (a
// proxy's page, an empty 503, a gateway's JSON): always a typed EdgelogProblem that says
// what came back, and Retry-After in both of its forms. And a call never waits for ever.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createClient } from 'edgelog/client'
import { EdgelogProblem, problemFrom, retryAfterSeconds } from '../src/client/errors.ts'

const answer = (body: string | null, status: number, headers: Record<string, string> = {}) => new Response(body, { status, statusText: status === 503 ? 'Service Unavailable' : 'Bad Gateway', headers })

test('a problem document keeps its kind and members', async () => {
  const p = await problemFrom(answer(JSON.stringify({ type: 'https://edgelog.dev/problems/too-many-subscriptions', title: 'Too many', status: 503, detail: 'full', maxSubscriptions: 5 }), 503, { 'retry-after': '2' }))
  assert.ok(EdgelogProblem.is(p, 'too-many-subscriptions'))
  assert.equal(p.problem.maxSubscriptions, 5)
  assert.equal(p.retryAfter, 2)
})

test('bodies that are not problem documents are http-errors that say what came back', async () => {
  const cases: Array<[string | null, number, RegExp]> = [
    ['null', 502, /^502 http-error: Bad Gateway$/],
    ['"upstream down"', 502, /^502 http-error: Bad Gateway$/],
    ['[1,2]', 502, /^502 http-error: Bad Gateway$/],
    ['', 503, /^503 http-error: Service Unavailable$/],
    [null, 503, /^503 http-error: Service Unavailable$/],
    ['<html><body>502 Bad Gateway</body></html>', 502, /^502 http-error: <html>/],
    ['{"message":"rate limited by the gateway"}', 503, /^503 http-error: rate limited by the gateway$/],
  ]
  for (const [body, status, message] of cases) {
    const p = await problemFrom(answer(body, status))
    assert.ok(p instanceof EdgelogProblem, String(body))
    assert.equal(p.kind, 'http-error')
    assert.equal(p.status, status)
    assert.match(p.message, message, String(body))
    assert.ok(!('0' in p.problem), 'a JSON string is not spread into the problem')
  }
})

test('Retry-After as seconds or as an HTTP-date', () => {
  const now = Date.parse('2026-12-08T02:00:00Z')
  assert.equal(retryAfterSeconds('120', now), 120)
  assert.equal(retryAfterSeconds('Tue, 08 Dec 2026 02:00:30 GMT', now), 30)
  assert.equal(retryAfterSeconds('Tue, 08 Dec 2026 01:59:00 GMT', now), 0)
  assert.equal(retryAfterSeconds('soon', now), undefined)
  assert.equal(retryAfterSeconds(null, now), undefined)
})

/** A server that never answers: its fetch settles only when the request is aborted. */
const blackhole = (request: Request) =>
  new Promise<Response>((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }))

test('every call takes a signal, and a request with no answer ends after timeoutMs (not after the platform\'s minutes)', async (t) => {
  // AbortSignal.timeout's timer does not keep a process alive (a real fetch's socket does)
  const alive = setInterval(() => {}, 1_000)
  t.after(() => clearInterval(alive))
  const log = createClient({ baseUrl: 'http://edgelog.invalid', fetch: blackhole, timeoutMs: 60_000 })
  const stop = () => AbortSignal.timeout(50)
  await assert.rejects(log.append('s', [{ type: 'A' }], { signal: stop() }), { name: 'TimeoutError' })
  await assert.rejects(log.readStream('s', { signal: stop() }), { name: 'TimeoutError' })
  await assert.rejects(log.head('s', { signal: stop() }), { name: 'TimeoutError' })
  await assert.rejects(log.readAll({ from: 1, signal: stop() }), { name: 'TimeoutError' })
  await assert.rejects(log.queryAll([{ types: ['A'] }], { signal: stop() }), { name: 'TimeoutError' })
  await assert.rejects(log.saveCheckpoint('c', 1, { signal: stop() }), { name: 'TimeoutError' })
  const decider = { initialState: 0, evolve: (n: number) => n, decide: () => [{ type: 'A' }] }
  await assert.rejects(log.streamCommand('s', {}, decider, { signal: stop() }), { name: 'TimeoutError' })
  const bounded = createClient({ baseUrl: 'http://edgelog.invalid', fetch: blackhole, timeoutMs: 50 })
  await assert.rejects(bounded.head('s'), { name: 'TimeoutError' })
  await assert.rejects(bounded.append('s', [{ type: 'A' }]), { name: 'TimeoutError' })
})

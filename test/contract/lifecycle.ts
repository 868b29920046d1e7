// Data lifecycle (docs/api.md "Data lifecycle"): delete, hard delete, truncate, retention
// by count, and what every read route shows afterwards.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import type { ContractClient } from './client.ts'
import { expectProblem, expectStatus, newEvent, show } from './http.ts'
import { openSse } from '../subscribe/sse.ts'

const tagged = (type: string, tag: string, n: number) => ({ ...newEvent(type, { n }), tags: [tag] })

export function lifecycleTests(client: ContractClient, getBaseUrl: () => string): void {
  const { req, get, streamPath, append, appendOk, readStream, readFeed } = client
  const category = () => `lc${randomUUID().slice(0, 8)}`
  const del = (stream: string, query = '', headers: Record<string, string> = {}) => req('DELETE', `${streamPath(stream)}${query}`, { headers })
  const truncate = (stream: string, body: unknown, headers: Record<string, string> = {}) => req('POST', `${streamPath(stream)}/truncate`, { json: body, headers })
  /** Every read route: none shows an event of these positions. */
  const gone = async (cat: string, tag: string, positions: number[], from: number) => {
    const all = (await readFeed('/v1/all', from, 100)).map((e) => e.position)
    for (const p of positions) assert.ok(!all.includes(p), `/v1/all still shows position ${p}`)
    assert.deepEqual((await readFeed(`/v1/categories/${cat}`, 0, 100)).filter((e) => positions.includes(e.position)), [])
    const query = expectStatus(await req('POST', '/v1/query', { json: { items: [{ tags: [tag] }], from: 0 } }), 200)
    assert.deepEqual(query.events.filter((e: any) => positions.includes(e.position)), [], JSON.stringify(query))
    assert.deepEqual(expectStatus(await get(`/v1/all?tags=${tag}&from=0`), 200).events.filter((e: any) => positions.includes(e.position)), [])
  }
  const runRetention = async () => {
    let removed = 0
    for (let i = 0; i < 100; i++) {
      const step = expectStatus(await req('POST', '/v1/retention/run', { json: {} }), 200)
      removed += step.removed
      if (step.done) return removed
    }
    assert.fail('the retention pass never reports done')
  }

  describe('data lifecycle', () => {
    it('soft delete: reads answer stream-deleted on every route, an append recreates the stream with revisions continuing, an old expected revision fails', async () => {
      const cat = category()
      const stream = `${cat}-1`
      const tag = `t:${cat}`
      const first = await appendOk(stream, [tagged('A', tag, 0), tagged('B', tag, 1), tagged('C', tag, 2)])
      const positions = first.events.map((e: any) => e.position)

      const wrong = await del(stream, '?expectedRevision=1')
      const conflict = expectProblem(wrong, 409, 'wrong-expected-revision')
      assert.equal(conflict.actualRevision, 2)
      expectProblem(await del(stream, '', { 'If-Match': '"0"' }), 412, 'precondition-failed')
      assert.equal((await readStream(stream)).length, 3, 'a refused delete removed nothing')

      const deleted = expectStatus(await del(stream, '?expectedRevision=2'), 200)
      assert.deepEqual(deleted, { stream, mode: 'soft', removed: 3, floor: 3, revision: 2 })
      const problem = expectProblem(await get(streamPath(stream)), 404, 'stream-deleted')
      assert.equal(problem.revision, 2)
      expectProblem(await get(`${streamPath(stream)}/head`), 404, 'stream-deleted')
      expectProblem(await del(stream), 404, 'stream-deleted')
      await gone(cat, tag, positions, positions[0])

      // expectations see no stream; an old revision fails, and revisions continue
      expectProblem(await append(stream, [newEvent('D')], 2), 409, 'wrong-expected-revision')
      expectProblem(await append(stream, [newEvent('D')], 'stream_exists'), 409, 'wrong-expected-revision')
      const again = await appendOk(stream, [tagged('D', tag, 3)], 'no_stream')
      assert.equal(again.firstRevision, 3)
      assert.ok(again.firstPosition > positions[2], 'positions are never reused')
      const events = await readStream(stream)
      assert.deepEqual(events.map((e) => e.revision), [3])
      expectStatus(await get(`${streamPath(stream)}/head`), 200)
      assert.equal((await get(`${streamPath(stream)}/head`)).body.revision, 3)
      assert.deepEqual((await readFeed(`/v1/categories/${cat}`, 0, 100)).map((e) => e.revision), [3])
    })

    it('delete of a stream that never existed: 404 stream-not-found', async () => {
      expectProblem(await del(`${category()}-none`), 404, 'stream-not-found')
    })

    it('hard delete: a tombstone; reads, appends, deletes and truncation answer 410 stream-tombstoned; the last position is not reused', async () => {
      const cat = category()
      const stream = `${cat}-1`
      const tag = `t:${cat}`
      const first = await appendOk(stream, [tagged('A', tag, 0), tagged('B', tag, 1)])
      expectProblem(await del(stream, '?hard=true&expectedRevision=0'), 409, 'wrong-expected-revision')
      const r = expectStatus(await del(stream, '?hard=true', { 'If-Match': '"1"' }), 200)
      assert.deepEqual(r, { stream, mode: 'hard', removed: 2, floor: 2, revision: 1 })
      expectProblem(await get(streamPath(stream)), 410, 'stream-tombstoned')
      expectProblem(await get(`${streamPath(stream)}/head`), 410, 'stream-tombstoned')
      expectProblem(await append(stream, [newEvent('X')]), 410, 'stream-tombstoned')
      expectProblem(await append(stream, [newEvent('X')], 'no_stream'), 410, 'stream-tombstoned')
      expectProblem(await req('POST', '/v1/append', { json: { streams: [{ stream, events: [newEvent('X')] }] } }), 410, 'stream-tombstoned')
      expectProblem(await del(stream), 410, 'stream-tombstoned')
      expectProblem(await truncate(stream, { before: 0 }), 410, 'stream-tombstoned')
      await gone(cat, tag, first.events.map((e: any) => e.position), first.firstPosition)
      // the deleted events may have been the log's last: the next position is still beyond them
      const next = await appendOk(`${cat}-2`, [newEvent('After')])
      assert.ok(next.firstPosition > first.lastPosition, `position ${next.firstPosition} reused`)
    })

    it('truncate before a revision: earlier events are gone from every route, later ones read as before; conditional; bounded by the head', async () => {
      const cat = category()
      const stream = `${cat}-1`
      const tag = `t:${cat}`
      const first = await appendOk(stream, [0, 1, 2, 3, 4].map((n) => tagged('E', tag, n)))
      const positions = first.events.map((e: any) => e.position)
      expectProblem(await truncate(stream, { before: 3, expectedRevision: 3 }), 409, 'wrong-expected-revision')
      expectProblem(await truncate(stream, { before: 3 }, { 'If-Match': '"2"' }), 412, 'precondition-failed')
      expectProblem(await truncate(stream, { before: 6 }), 400, 'invalid-request')
      expectProblem(await truncate(stream, { after: 3 }), 400, 'invalid-request')
      assert.equal((await readStream(stream)).length, 5, 'a refused truncation removed nothing')

      const r = expectStatus(await truncate(stream, { before: 3, expectedRevision: 4 }), 200)
      assert.deepEqual(r, { stream, mode: 'truncate', removed: 3, floor: 3, revision: 4 })
      assert.deepEqual((await readStream(stream)).map((e) => e.revision), [3, 4])
      const backward = expectStatus(await get(`${streamPath(stream)}?direction=backward`), 200)
      assert.deepEqual(backward.events.map((e: any) => e.revision), [4, 3])
      await gone(cat, tag, positions.slice(0, 3), positions[0])
      assert.deepEqual((await readFeed(`/v1/categories/${cat}`, 0, 100)).map((e) => e.position), positions.slice(3))

      // everything: the stream stays, empty, at its head
      assert.equal(expectStatus(await truncate(stream, { before: 5 }), 200).removed, 2)
      const empty = await get(streamPath(stream))
      assert.deepEqual(expectStatus(empty, 200).events, [], show(empty))
      assert.equal(empty.headers.get('etag'), '"4"')
      assert.equal(expectStatus(await get(`${streamPath(stream)}/head`), 200).revision, 4)
      expectProblem(await append(stream, [newEvent('F')], 'no_stream'), 409, 'wrong-expected-revision')
      assert.equal((await appendOk(stream, [newEvent('F')], 4)).firstRevision, 5)
    })

    it('retention by count, per stream and per category: the pass removes the oldest events; policies read back and go away', async () => {
      const cat = category()
      const own = `${cat}x-1`
      expectProblem(await req('PUT', `/v1/retention/streams/${own}`, { json: {} }), 400, 'invalid-request')
      expectProblem(await req('PUT', `/v1/retention/streams/${own}`, { json: { maxCount: 0 } }), 400, 'invalid-request')
      expectProblem(await req('GET', `/v1/retention/streams/${own}`), 404, 'retention-not-found')
      assert.deepEqual(expectStatus(await req('PUT', `/v1/retention/streams/${own}`, { json: { maxCount: 2 } }), 200), { scope: 'stream', name: own, maxAge: null, maxCount: 2 })
      assert.deepEqual(expectStatus(await get(`/v1/retention/streams/${own}`), 200), { scope: 'stream', name: own, maxAge: null, maxCount: 2 })
      expectStatus(await req('PUT', `/v1/retention/categories/${cat}`, { json: { maxCount: 1 } }), 200)
      // a category has no '-' (it is the part before the first): such a policy could never match
      expectProblem(await req('PUT', `/v1/retention/categories/${cat}-b`, { json: { maxCount: 1 } }), 400, 'invalid-request')
      const listed = expectStatus(await get('/v1/retention'), 200).policies
      assert.ok(listed.some((p: any) => p.scope === 'category' && p.name === cat && p.maxCount === 1), JSON.stringify(listed))

      await appendOk(own, [0, 1, 2, 3, 4].map((n) => newEvent('E', { n })))
      await appendOk(`${cat}-a`, [0, 1, 2].map((n) => newEvent('E', { n })))
      await appendOk(`${cat}-b`, [0, 1].map((n) => newEvent('E', { n })))
      await appendOk(cat, [0, 1].map((n) => newEvent('E', { n })))
      assert.ok((await runRetention()) >= 3 + 2 + 1 + 1)
      assert.deepEqual((await readStream(own)).map((e) => e.revision), [3, 4])
      assert.deepEqual((await readStream(`${cat}-a`)).map((e) => e.revision), [2])
      assert.deepEqual((await readStream(`${cat}-b`)).map((e) => e.revision), [1])
      assert.deepEqual((await readStream(cat)).map((e) => e.revision), [1])
      // revisions continue after removed events
      assert.equal((await appendOk(`${cat}-a`, [newEvent('E')], 2)).firstRevision, 3)

      assert.equal((await req('DELETE', `/v1/retention/categories/${cat}`)).status, 204)
      expectProblem(await req('DELETE', `/v1/retention/categories/${cat}`), 404, 'retention-not-found')
      assert.equal((await req('DELETE', `/v1/retention/streams/${own}`)).status, 204)
      await appendOk(`${cat}-a`, [newEvent('E')])
      await runRetention()
      assert.deepEqual((await readStream(`${cat}-a`)).map((e) => e.revision), [2, 3, 4], 'no policy, nothing removed')
    })

    it('a subscription from the start of a category never delivers a deleted stream\'s events', async () => {
      const cat = category()
      await appendOk(`${cat}-1`, [newEvent('Old'), newEvent('Old')])
      expectStatus(await del(`${cat}-1`), 200)
      const kept = await appendOk(`${cat}-2`, [newEvent('Kept')])
      const sub = await openSse(`${getBaseUrl()}/v1/subscribe?category=${cat}&from=0`)
      try {
        assert.equal(sub.status, 200)
        const [first] = await sub.take(1)
        assert.equal(first.position, kept.firstPosition)
        assert.equal(first.type, 'Kept')
      } finally {
        sub.close()
      }
    })
  })
}

// Two edgelog processes (node entry) on one real libSQL server (sqld), racing over HTTP:
// optimistic appends with expected revisions on shared streams, and DCB conditional
// appends claiming the same usernames. The database is the only guard between them: no
// revision twice, no gap, one winner per revision and per username.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { call, expectStatus, newEvent } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { startMigratedSqld, type Sqld } from './sqld.ts'

type Acked = { id: string; stream: string | null; revision: number | null; position: number }

describe('two edgelog processes racing on one sqld', () => {
  let sqld: Sqld
  let servers: RunningServer[]
  before(async () => {
    sqld = await startMigratedSqld()
    servers = await Promise.all([0, 1].map(() => startServer('node', { env: { DATABASE_URL: sqld.url, LOG_LEVEL: 'error' } })))
  })
  after(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()))
    await sqld?.stop()
    sqld?.cleanup()
  })

  let unavailable = 0
  /** POST until it is not a 503 (retried with the same body, so with the same event ids). */
  async function post(base: string, path: string, json: unknown) {
    for (let attempt = 0; ; attempt++) {
      const r = await call(base, 'POST', path, { json, signal: AbortSignal.timeout(30_000) })
      if (r.status !== 503 || attempt > 100) return r
      unavailable++
    }
  }

  it('expected revisions: every acknowledged append stored once where it said, revisions gapless, stale writers get 409', async () => {
    const run = randomUUID().slice(0, 6)
    const streams = Array.from({ length: 3 }, (_, k) => `race${run}-${k}`)
    const acked: Acked[] = []
    let conflicts = 0
    // 8 workers per process, 10 appends each, on 3 streams: read the head, append at it.
    const worker = async (base: string, w: number) => {
      for (let i = 0; i < 10; i++) {
        const stream = streams[(w + i) % streams.length]
        const events = [newEvent('Raced', { w, i }), newEvent('Raced', { w, i, second: true })]
        for (;;) {
          const head = await call(base, 'GET', `/v1/streams/${stream}/head`)
          const expectedRevision = head.status === 404 ? 'no_stream' : expectStatus(head, 200).revision
          const r = await post(base, `/v1/streams/${stream}`, { expectedRevision, events })
          if (r.status === 409) {
            assert.equal(r.body.type, 'https://edgelog.dev/problems/wrong-expected-revision', r.text)
            conflicts++
            continue
          }
          const body = expectStatus(r, 201)
          for (const e of body.events) acked.push({ id: e.id, stream, revision: e.revision, position: e.position })
          break
        }
      }
    }
    await Promise.all(servers.flatMap((s, n) => Array.from({ length: 8 }, (_, w) => worker(s.baseUrl, n * 8 + w))))
    assert.equal(acked.length, 2 * 10 * 16)
    if (process.env.EDGELOG_TEST_LOG === '1') console.log({ conflicts, unavailable })
    assert.ok(conflicts > 0, 'the two processes did race (some heads were stale)')

    const stored = new Map<string, Acked>()
    for (const stream of streams) {
      const events = expectStatus(await call(servers[0].baseUrl, 'GET', `/v1/streams/${stream}?limit=500`), 200).events as Acked[]
      assert.deepEqual(events.map((e) => e.revision), events.map((_, i) => i), `${stream}: revisions 0..n-1, one winner each`)
      // each append's two events are adjacent: appends never interleave
      for (let i = 0; i < events.length; i += 2) assert.equal(events[i + 1].position, events[i].position + 1)
      for (const e of events) stored.set(e.id, e)
    }
    assert.equal(stored.size, acked.length, 'nothing lost, nothing extra')
    for (const a of acked) {
      const s = stored.get(a.id)
      assert.ok(s, `acknowledged ${a.id} is stored`)
      assert.deepEqual([s.stream, s.revision, s.position], [a.stream, a.revision, a.position])
    }
    const positions = [...stored.values()].map((e) => e.position)
    assert.equal(new Set(positions).size, positions.length, 'positions unique')
  })

  it('DCB conditions: of the claims on one username made from both processes, exactly one commits', async () => {
    const run = randomUUID().slice(0, 6)
    const names = Array.from({ length: 6 }, (_, k) => `u${run}${k}`)
    const wins: Array<{ name: string; position: number }> = []
    let refused = 0
    // 8 claimants per name, half on each process, each deciding on its own query.
    const claim = async (base: string, name: string, who: number) => {
      const items = [{ types: ['UsernameClaimed'], tags: [`username:${name}`] }]
      const read = expectStatus(await post(base, '/v1/query', { items }), 200)
      if (read.events.length) return void refused++ // decided on the read: taken
      const r = await post(base, '/v1/append', {
        events: [{ id: randomUUID(), type: 'UsernameClaimed', tags: [`username:${name}`], data: { who } }],
        condition: { failIfEventsMatch: items, after: read.position },
      })
      if (r.status === 409) {
        assert.equal(r.body.type, 'https://edgelog.dev/problems/condition-failed', r.text)
        refused++
        return
      }
      wins.push({ name, position: expectStatus(r, 201).position })
    }
    await Promise.all(names.flatMap((name) => Array.from({ length: 8 }, (_, who) => claim(servers[who % 2].baseUrl, name, who))))
    assert.equal(wins.length + refused, names.length * 8)
    for (const name of names) {
      assert.equal(wins.filter((w) => w.name === name).length, 1, `one claim of ${name} commits`)
      const stored = expectStatus(await post(servers[1].baseUrl, '/v1/query', { items: [{ types: ['UsernameClaimed'], tags: [`username:${name}`] }] }), 200).events
      assert.equal(stored.length, 1, `${name} is claimed once in the log`)
    }
  })
})

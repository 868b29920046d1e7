// Two writers on one database, with the race made certain: every read writer A makes is
// followed by a commit of writer B before A's read returns, so whatever A writes after a
// read, B has committed in between (as over a network, where the gap is a round trip).
// A conflict or an id replay sends A's group down the command-by-command path; there a
// commit of B must fail only a request whose guard it broke (409), never a valid
// neighbour (503), however often it happens.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EdgelogError } from '../src/core/errors.ts'
import { prepareEvents } from '../src/core/events.ts'
import type { ExpectedRevision } from '../src/core/expectedRevision.ts'
import type { AppendCommand, AppendResult } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'
import type { Db } from '../src/store/db.ts'
import { d1Db, type D1Binding } from '../src/store/d1.ts'
import { migrate } from '../src/store/migrate.ts'
import { MIGRATIONS } from '../src/store/node.ts'
import { openSqliteDb } from '../src/store/sqlite.ts'
import { createStore, type Store } from '../src/store/store.ts'
import { tempDir } from './helpers.ts'
import { openLocalD1 } from './worker/start.ts'

const cmd = (stream: string, expected: ExpectedRevision, type: string, id?: string): AppendCommand => ({
  streams: [{ stream, expected, events: prepareEvents([{ type, id }], codec, 1e6) }],
})
const outcome = (o: AppendResult | Error) => (o instanceof EdgelogError ? `${o.status} ${o.kind}` : o instanceof Error ? `error ${o.message}` : o.replayed ? 'replayed' : 'ok')

/** `db` with a commit of `other` to `stream` slipped in after each read it makes. */
function interleaved(db: Db, other: () => Store, stream: string, counter: { n: number }): Db {
  return {
    ...db,
    protocol: db.protocol,
    maxParams: db.maxParams,
    execute: (s) => db.execute(s),
    close: () => db.close(),
    async batch(stmts, mode, options) {
      const results = await db.batch(stmts, mode, options)
      if (mode === 'read') {
        const [o] = await other().backend.commitGroup([cmd(stream, 'any', 'B')])
        assert.ok(!(o instanceof Error), String(o))
        counter.n++
      }
      return results
    },
  }
}

function contention(name: string, open: () => Promise<{ dbs: [Db, Db]; close(): Promise<void> }>) {
  describe(`a second writer commits between every read and write (${name})`, () => {
    it('stale and replayed requests fail or replay alone; valid neighbours commit; the stream has no gap', async () => {
      const { dbs, close } = await open()
      try {
        const stream = 'hot-1'
        const b = createStore(dbs[1], { sharedWriters: true })
        const interleavings = { n: 0 }
        const a = createStore(interleaved(dbs[0], () => b, stream, interleavings), { sharedWriters: true })
        assert.equal(a.soleWriter, false)
        const seeded = await a.backend.commitGroup([{ streams: [{ stream, expected: 'no_stream', events: prepareEvents([{ type: 'Seed' }, { type: 'Seed' }], codec, 1e6) }] }])
        assert.deepEqual(seeded.map(outcome), ['ok'])
        const acked: AppendResult[] = []
        const retried = crypto.randomUUID()
        acked.push((await a.backend.commitGroup([cmd(stream, 'any', 'A', retried)]))[0] as AppendResult)
        for (let round = 0; round < 10; round++) {
          const head = (await b.reader.head(stream))!.revision
          // a stale request (409), one expecting the head B is about to move (409 once B
          // commits), a retry of a stored append (replayed), and valid ones (201)
          const group = [cmd(stream, 0, 'Stale'), cmd(stream, head, 'AtHead'), cmd(stream, 'any', 'A'), cmd(stream, 'any', 'A', retried), cmd(stream, 'any', 'A')]
          const outcomes = await a.backend.commitGroup(group)
          assert.deepEqual(outcomes.map(outcome), ['409 wrong-expected-revision', '409 wrong-expected-revision', 'ok', 'replayed', 'ok'], `round ${round}`)
          acked.push(outcomes[2] as AppendResult, outcomes[4] as AppendResult)
        }
        assert.ok(interleavings.n >= 20, `B committed between A's reads and writes (${interleavings.n} times)`)
        const events = await b.reader.readStream(stream, { limit: 10_000, direction: 'forward' })
        assert.deepEqual(events.map((e) => e.revision), events.map((_, i) => i), 'revisions 0..n-1, none twice')
        assert.equal(events.length, 2 + acked.length + interleavings.n)
        const byId = new Map(events.map((e) => [e.id, e]))
        for (const r of acked) {
          const [e] = r.streams[0].events
          assert.deepEqual([byId.get(e.id)?.revision, byId.get(e.id)?.position], [e.revision, e.position], 'stored where its append said')
        }
        assert.ok(!events.some((e) => e.type === 'Stale' || e.type === 'AtHead'))
      } finally {
        await close()
      }
    })

    it('a request the database refuses fails alone even while the other writer keeps committing', { timeout: 300_000 }, async () => {
      const { dbs, close } = await open()
      try {
        await dbs[0].execute(`CREATE TRIGGER refuse_forbidden BEFORE INSERT ON events WHEN NEW.type = 'Forbidden' BEGIN SELECT RAISE(ABORT, 'forbidden type'); END`)
        const b = createStore(dbs[1], { sharedWriters: true })
        const interleavings = { n: 0 }
        const a = createStore(interleaved(dbs[0], () => b, 'hot-2', interleavings), { sharedWriters: true })
        // a fresh read never changes the verdicts here: the refusal is the request's own
        const outcomes = await a.backend.commitGroup([cmd('cold-1', 'any', 'A'), cmd('cold-2', 'any', 'Forbidden'), cmd('cold-3', 'any', 'A')])
        assert.deepEqual(outcomes.map(outcome), ['ok', '422 append-refused', 'ok'])
        assert.ok(interleavings.n > 0)
        assert.equal(await b.reader.head('cold-2'), null)
        assert.equal((await b.reader.head('cold-3'))?.revision, 0)
      } finally {
        await close()
      }
    })
  })
}

contention('libSQL file, two connections', async () => {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'contention.db')
  const { createClient } = await import('@libsql/client')
  const client = createClient({ url: `file:${path}` })
  await migrate(client, MIGRATIONS)
  client.close()
  const dbs: [Db, Db] = [openSqliteDb(path, { durability: 'normal' }), openSqliteDb(path, { durability: 'normal' })]
  return {
    dbs,
    async close() {
      for (const db of dbs) db.close()
      cleanup()
    },
  }
})

contention('Cloudflare D1 (workerd), two isolates', async () => {
  const local = await openLocalD1()
  const d1 = local.d1 as unknown as D1Binding
  return { dbs: [d1Db(d1), d1Db(d1)], close: () => local.close() }
})

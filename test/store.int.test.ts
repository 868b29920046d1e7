import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { execFile } from 'node:child_process'
import { createClient } from '@libsql/client'
import { EdgelogError } from '../src/core/errors.ts'
import { prepareEvents } from '../src/core/events.ts'
import type { AppendCommand, AppendResult } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'
import { migrate } from '../src/store/migrate.ts'
import { MIGRATIONS } from '../src/store/node.ts'
import { openTestLog, tempDir, uuid } from './helpers.ts'

type TestLog = Awaited<ReturnType<typeof openTestLog>>
const cmd = (stream: string, expected: AppendCommand['streams'][0]['expected'], types: string[], ids?: string[]): AppendCommand => ({
  streams: [{ stream, expected, events: prepareEvents(types.map((type, i) => ({ type, id: ids?.[i], data: { i } })), codec, 1e6) }],
})
const isError = (o: AppendResult | Error, kind: string) => o instanceof EdgelogError && o.kind === kind

for (const mode of ['sole writer (cached heads)', 'shared writers (fresh heads)'] as const) {
  describe(`store on a libSQL file: ${mode}`, () => {
    let t: TestLog
    before(async () => {
      t = await openTestLog({ sharedWriters: mode.startsWith('shared') })
    })
    after(() => t.close())

    it('appends with expected revisions and reads them back', async () => {
      const r1 = await t.log.appendToStream('acc-1', 'no_stream', [{ type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }])
      assert.deepEqual([r1.streams[0].firstRevision, r1.streams[0].lastRevision], [0, 1])
      const r2 = await t.log.appendToStream('acc-1', 1, [{ type: 'Withdrawn', data: { amount: 2 } }])
      assert.equal(r2.streams[0].lastRevision, 2)
      assert.ok(r2.position > r1.position)
      const events = await t.store.reader.readStream('acc-1', { limit: 10, direction: 'forward' })
      assert.deepEqual(events.map((e) => [e.revision, e.type]), [[0, 'Opened'], [1, 'Deposited'], [2, 'Withdrawn']])
      assert.deepEqual(codec.decode(events[1].data!), { amount: 5 })
      const back = await t.store.reader.readStream('acc-1', { limit: 2, direction: 'backward' })
      assert.deepEqual(back.map((e) => e.revision), [2, 1])
      assert.deepEqual(await t.store.reader.head('acc-1'), { stream: 'acc-1', revision: 2, position: r2.position })
      assert.equal(await t.store.reader.head('nobody-1'), null)
    })

    it('checks no_stream / exists / number and reports the actual revision', async () => {
      await assert.rejects(t.log.appendToStream('acc-2', 'exists', [{ type: 'X' }]), (e: unknown) =>
        e instanceof EdgelogError && e.kind === 'wrong-expected-revision' && e.extensions.actualRevision === null)
      await t.log.appendToStream('acc-2', 'no_stream', [{ type: 'X' }])
      await assert.rejects(t.log.appendToStream('acc-2', 'no_stream', [{ type: 'X' }]), (e: unknown) =>
        e instanceof EdgelogError && e.extensions.actualRevision === 0)
      await assert.rejects(t.log.appendToStream('acc-2', 3, [{ type: 'X' }]), (e: unknown) =>
        e instanceof EdgelogError && e.extensions.expectedRevision === 3 && e.extensions.actualRevision === 0)
      assert.equal((await t.store.reader.head('acc-2'))!.revision, 0)
    })

    it('one conflicting request in a group fails alone; its neighbours commit', async () => {
      const outcomes = await t.store.backend.commitGroup([
        cmd('grp-1', 'no_stream', ['A']),
        cmd('grp-2', 'no_stream', ['A']),
        cmd('grp-1', 'no_stream', ['B']), // conflicts with the first, same group
        cmd('grp-1', 0, ['C']), // sees the first one's revision 0
      ])
      assert.ok(!(outcomes[0] instanceof Error))
      assert.ok(!(outcomes[1] instanceof Error))
      assert.ok(isError(outcomes[2], 'wrong-expected-revision'))
      assert.ok(!(outcomes[3] instanceof Error))
      const events = await t.store.reader.readStream('grp-1', { limit: 10, direction: 'forward' })
      assert.deepEqual(events.map((e) => e.type), ['A', 'C'])
    })

    it('multi-stream append is all or nothing', async () => {
      await t.log.appendToStream('order-9', 'no_stream', [{ type: 'Placed' }])
      await assert.rejects(
        t.log.append({ streams: [{ stream: 'stock-9', expectedRevision: 'no_stream', events: [{ type: 'Reserved' }] }, { stream: 'order-9', expectedRevision: 'no_stream', events: [{ type: 'Placed' }] }] }),
        (e: unknown) => e instanceof EdgelogError && e.extensions.stream === 'order-9',
      )
      assert.equal(await t.store.reader.head('stock-9'), null)
      const ok = await t.log.append({ streams: [{ stream: 'stock-9', expectedRevision: 'no_stream', events: [{ type: 'Reserved' }] }, { stream: 'order-9', expectedRevision: 0, events: [{ type: 'Paid' }] }] })
      assert.deepEqual(ok.streams.map((s) => [s.stream, s.lastRevision]), [['stock-9', 0], ['order-9', 1]])
    })

    it('a retry with the same ids returns the original result and writes nothing; a reused id is refused', async () => {
      const ids = [uuid(), uuid()]
      const first = await t.log.appendToStream('idem-1', 'no_stream', [{ id: ids[0], type: 'A' }, { id: ids[1], type: 'B' }])
      const before = await t.store.reader.lastPosition()
      const again = await t.log.appendToStream('idem-1', 'no_stream', [{ id: ids[0], type: 'A' }, { id: ids[1], type: 'B' }])
      assert.equal(again.replayed, true)
      assert.deepEqual(again.streams, first.streams)
      assert.equal(await t.store.reader.lastPosition(), before)
      await assert.rejects(t.log.appendToStream('idem-2', 'any', [{ id: ids[0], type: 'A' }]), (e: unknown) => e instanceof EdgelogError && e.kind === 'event-id-reused')
      await assert.rejects(t.log.appendToStream('idem-1', 'any', [{ id: ids[0], type: 'A' }, { id: uuid(), type: 'C' }]), (e: unknown) => e instanceof EdgelogError && e.kind === 'event-id-reused')
      assert.equal(await t.store.reader.lastPosition(), before)
    })

    it('two identical requests in one group: the second is a replay of the first', async () => {
      const id = uuid()
      const [a, b] = await t.store.backend.commitGroup([cmd('twin-1', 'any', ['A'], [id]), cmd('twin-1', 'any', ['A'], [id])])
      assert.ok(!(a instanceof Error) && !(b instanceof Error))
      assert.equal((b as AppendResult).replayed, true)
      assert.equal((await t.store.reader.readStream('twin-1', { limit: 10, direction: 'forward' })).length, 1)
    })

    it('reads the log by position and type, and a category split among consumer-group members', async () => {
      for (let i = 0; i < 12; i++) await t.log.appendToStream(`cat-${i}`, 'any', [{ type: i % 2 ? 'Odd' : 'Even' }, { type: 'Any' }])
      const all = await t.store.reader.readAll({ from: 0, limit: 1000 })
      for (let i = 1; i < all.length; i++) assert.ok(all[i].position > all[i - 1].position)
      const odd = await t.store.reader.readAll({ from: 0, limit: 1000, types: ['Odd', 'Nope'] })
      assert.equal(odd.length, 6)
      const page = await t.store.reader.readAll({ from: all[3].position, limit: 2 })
      assert.deepEqual(page.map((e) => e.position), [all[3].position, all[4].position])
      const cat = await t.store.reader.readCategory('cat', { from: 0, limit: 1000 })
      assert.equal(cat.length, 24)
      const members = await Promise.all([0, 1, 2].map((member) => t.store.reader.readCategory('cat', { from: 0, limit: 1000, member, size: 3 })))
      assert.equal(members.flat().length, 24)
      const owner = new Map<string, number>()
      members.forEach((events, m) =>
        events.forEach((e) => {
          assert.equal(owner.get(e.stream!) ?? m, m, `${e.stream} belongs to one member only`)
          owner.set(e.stream!, m)
        }),
      )
      assert.ok(new Set(owner.values()).size > 1, 'streams spread over more than one member')
    })
  })
}

describe('migrations', () => {
  it('two processes migrating the same new file at once apply each migration once', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const url = `file:${dir}/m.db`
      const run = () =>
        new Promise<number>((resolve, reject) => {
          execFile(process.execPath, ['--import', 'tsx', 'test/fixtures/migrate-once.ts', url], (err, stdout) =>
            err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!).applied))
        })
      const applied = await Promise.all([run(), run()])
      const client = createClient({ url })
      const rows = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations')
      const tables = await client.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events'")
      assert.equal(Number(tables.rows[0].n), 1)
      assert.equal(Number(rows.rows[0].n), applied[0] + applied[1])
      assert.ok(applied.includes(0), 'the second migrator found nothing to do')
      assert.equal(await migrate(client, MIGRATIONS), 0)
      client.close()
    } finally {
      cleanup()
    }
  })
})

// DCB on the store itself (a real libSQL file): query reads over the tag and type
// indexes, and append conditions evaluated inside one commit group, including against
// events accepted earlier in the same group that are not in the database yet.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { EdgelogError } from '../src/core/errors.ts'
import { prepareEvents, type EventInput } from '../src/core/events.ts'
import type { AppendCommand, AppendCondition, AppendResult } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'
import { openTestLog, uuid } from './helpers.ts'

type TestLog = Awaited<ReturnType<typeof openTestLog>>
const loose = (events: EventInput[], condition?: AppendCondition): AppendCommand => ({
  streams: [],
  events: prepareEvents(events, codec, 1e6),
  condition,
})
const failedCondition = (o: AppendResult | Error) => o instanceof EdgelogError && o.kind === 'condition-failed'

for (const mode of ['sole writer', 'shared writers'] as const) {
  describe(`DCB on a libSQL file: ${mode}`, () => {
    let t: TestLog
    before(async () => {
      t = await openTestLog({ sharedWriters: mode === 'shared writers' })
    })
    after(() => t.close())

    it('two conditional commands in one group that conflict: exactly one commits', async () => {
      const tag = `username:${uuid()}`
      const condition = { failIfEventsMatch: [{ types: ['UserRegistered'], tags: [tag] }] }
      const a = loose([{ id: uuid(), type: 'UserRegistered', tags: [tag], data: { by: 'a' } }], condition)
      const b = loose([{ id: uuid(), type: 'UserRegistered', tags: [tag], data: { by: 'b' } }], condition)
      const [ra, rb] = await t.store.backend.commitGroup([a, b])
      assert.ok(!(ra instanceof Error), String(ra))
      assert.ok(failedCondition(rb), String(rb))
      assert.deepEqual((rb as EdgelogError).extensions.positions, [(ra as AppendResult).position])
      const page = await t.store.reader.query([{ tags: [tag] }], { from: 0, limit: 10 })
      assert.deepEqual(page.events.map((e) => codec.decode(e.data!)), [{ by: 'a' }])
      assert.equal(page.events[0].stream, null)
      assert.equal(page.events[0].revision, null)
    })

    it('a non-matching pending event does not fail a neighbour; after excludes older events', async () => {
      const course = `course:${uuid()}`
      const r1 = await t.log.append({ streams: [], events: [{ type: 'CourseDefined', tags: [course] }] })
      const a = loose([{ type: 'Other', tags: [course] }])
      const b = loose([{ type: 'StudentSubscribed', tags: [course] }], { failIfEventsMatch: [{ types: ['StudentSubscribed', 'CourseDefined'], tags: [course] }], after: r1.position })
      const c = loose([{ type: 'StudentSubscribed', tags: [course] }], { failIfEventsMatch: [{ types: ['StudentSubscribed'], tags: [course] }], after: r1.position })
      const [ra, rb, rc] = await t.store.backend.commitGroup([a, b, c])
      assert.ok(!(ra instanceof Error) && !(rb instanceof Error), `${ra} ${rb}`)
      assert.ok(failedCondition(rc))
      assert.deepEqual((rc as EdgelogError).extensions.positions, [(rb as AppendResult).position])
      assert.equal((rc as EdgelogError).extensions.after, r1.position)
    })

    it('a condition and a stream expectation in one command are all or nothing', async () => {
      const tag = `k:${uuid()}`
      const stream = `acc-${uuid()}`
      await t.log.append({ streams: [], events: [{ type: 'Taken', tags: [tag] }] })
      const before = await t.store.reader.lastPosition()
      await assert.rejects(
        t.log.append({ streams: [{ stream, expectedRevision: 'no_stream', events: [{ type: 'Opened' }] }], events: [{ type: 'Taken', tags: [tag] }], condition: { failIfEventsMatch: [{ tags: [tag] }] } }),
        (e: EdgelogError) => e.kind === 'condition-failed',
      )
      await assert.rejects(
        t.log.append({ streams: [{ stream, expectedRevision: 3, events: [{ type: 'Opened' }] }], events: [{ type: 'Other', tags: [`k:${uuid()}`] }], condition: { failIfEventsMatch: [{ tags: [`k:${uuid()}`] }] } }),
        (e: EdgelogError) => e.kind === 'wrong-expected-revision',
      )
      assert.equal(await t.store.reader.lastPosition(), before)
      assert.equal(await t.store.reader.head(stream), null)
    })

    it('a retry of a conditional append returns the original result, though its own events now match', async () => {
      const tag = `invoice:${uuid()}`
      const input = { streams: [], events: [{ id: uuid(), type: 'InvoiceCreated', tags: [tag] }], condition: { failIfEventsMatch: [{ tags: [tag] }] } }
      const first = await t.log.append(input)
      const again = await t.log.append(input)
      assert.equal(again.replayed, true)
      assert.deepEqual({ ...again, replayed: false }, first)
      assert.deepEqual(first.events.map((e) => e.revision), [null])
    })

    it('query reads: by type, by tags (all of them), types and tags, any item, paged by position', async () => {
      const x = `x:${uuid()}`
      const y = `y:${uuid()}`
      const T = `T${uuid()}`
      const U = `U${uuid()}`
      const r = await t.log.append({
        streams: [{ stream: `s-${uuid()}`, events: [{ type: T, tags: [x, y] }] }],
        events: [{ type: U, tags: [x] }, { type: T, tags: [y] }, { type: U, tags: [x, y] }, { type: T }],
      })
      const [p0, p1, p2, p3, p4] = [r.streams[0].events[0].position, ...r.events.map((e) => e.position)]
      const q = async (items: Parameters<typeof t.store.reader.query>[0], from = 0, limit = 100) =>
        (await t.store.reader.query(items, { from, limit })).events.map((e) => e.position)
      assert.deepEqual(await q([{ types: [T] }]), [p0, p2, p4])
      assert.deepEqual(await q([{ types: [T, U] }]), [p0, p1, p2, p3, p4])
      assert.deepEqual(await q([{ tags: [x] }]), [p0, p1, p3])
      assert.deepEqual(await q([{ tags: [x, y] }]), [p0, p3])
      assert.deepEqual(await q([{ tags: [x, y], types: [U] }]), [p3])
      assert.deepEqual(await q([{ tags: [x], types: [U] }, { types: [T] }]), [p0, p1, p2, p3, p4])
      assert.deepEqual(await q([{ tags: [x] }, { tags: [y] }]), [p0, p1, p2, p3], 'an event matching two items is read once')
      assert.deepEqual(await q([{ tags: [x] }, { tags: [y] }], p1, 2), [p1, p2])
      assert.deepEqual(await q([{ tags: [x] }, { tags: [y] }], p2 + 1, 2), [p3])
      assert.deepEqual(await q([{ types: [`none${uuid()}`] }]), [])
      const page = await t.store.reader.query([{ tags: [x] }], { from: 0, limit: 1 })
      assert.equal(page.position, await t.store.reader.lastPosition())
      const all = await t.store.reader.readAll({ from: 0, limit: 100, tags: [x, y] })
      assert.deepEqual(all.map((e) => e.position), [p0, p3])
      const typed = await t.store.reader.readAll({ from: 0, limit: 100, tags: [y], types: [T] })
      assert.deepEqual(typed.map((e) => e.position), [p0, p2])
    })
  })
}

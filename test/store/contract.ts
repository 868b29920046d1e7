/**
 * One contract for every store driver (Emmett style): the behaviours the event log needs
 * from a Store, run against a local file (heads cached), shared writers (heads read fresh)
 * and Cloudflare D1 under workerd. See test/store.*.test.ts.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createEventLog, type EventLog } from '../../src/core/eventLog.ts'
import { EdgelogError } from '../../src/core/errors.ts'
import { prepareEvents } from '../../src/core/events.ts'
import { DEFAULT_LIMITS } from '../../src/core/limits.ts'
import type { AppendCommand, AppendResult } from '../../src/core/types.ts'
import { codec } from '../../src/store/codec.ts'
import type { Store } from '../../src/store/store.ts'

export interface OpenedStore {
  store: Store
  /** runs SQL on the store's database beside the store (e.g. a trigger that refuses a row) */
  exec(sql: string): Promise<void>
  close(): Promise<void>
}

const uuid = () => crypto.randomUUID()
const isProblem = (kind: string, check: (e: EdgelogError) => boolean = () => true) => (e: unknown) =>
  e instanceof EdgelogError && e.kind === kind && check(e)
const cmd = (stream: string, expected: AppendCommand['streams'][0]['expected'], types: string[], ids?: string[], tags?: string[][]): AppendCommand => ({
  streams: [{ stream, expected, events: prepareEvents(types.map((type, i) => ({ type, id: ids?.[i], data: { i }, tags: tags?.[i] })), codec, 1e6) }],
})
const failed = (o: AppendResult | Error) => (o instanceof EdgelogError ? `${o.status} ${o.kind}` : o instanceof Error ? `error ${o.message}` : 'ok')

export function storeContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`store contract: ${name}`, () => {
    let opened: OpenedStore
    let log: EventLog
    let store: Store
    let n = 0
    // Streams of their own per test (and per run: a suite may share its database).
    const run = Math.random().toString(36).slice(2, 8)
    const s = (category: string) => `${category}${run}-${n++}`

    before(async () => {
      opened = await open()
      store = opened.store
      log = createEventLog({ ...store, codec, limits: DEFAULT_LIMITS })
    })
    after(async () => {
      await log?.close()
      await opened?.close()
    })

    it('appends with expected revisions and reads the stream both ways', async () => {
      const acc = s('acc')
      const r1 = await log.appendToStream(acc, 'no_stream', [{ type: 'Opened', data: { owner: 'ann', bytes: new Uint8Array([0, 1, 255]) } }, { type: 'Deposited', data: { amount: 5 } }])
      assert.deepEqual([r1.streams[0].firstRevision, r1.streams[0].lastRevision], [0, 1])
      const r2 = await log.appendToStream(acc, 1, [{ type: 'Withdrawn', data: { amount: 2 }, metadata: { by: 'ann' }, tags: ['owner:ann'] }])
      assert.equal(r2.streams[0].lastRevision, 2)
      assert.ok(r2.position > r1.position)
      const events = await store.reader.readStream(acc, { limit: 10, direction: 'forward' })
      assert.deepEqual(events.map((e) => [e.revision, e.type]), [[0, 'Opened'], [1, 'Deposited'], [2, 'Withdrawn']])
      assert.deepEqual(events.map((e) => e.position), [r1.streams[0].firstPosition, r1.streams[0].lastPosition, r2.position])
      assert.equal(events[0].id, r1.streams[0].events[0].id)
      assert.deepEqual(codec.decode(events[0].data!), { owner: 'ann', bytes: new Uint8Array([0, 1, 255]) })
      assert.deepEqual(codec.decode(events[2].metadata!), { by: 'ann' })
      assert.deepEqual(events[2].tags, ['owner:ann'])
      assert.ok(Math.abs(events[2].time - Date.now()) < 60_000)
      const back = await store.reader.readStream(acc, { limit: 2, direction: 'backward' })
      assert.deepEqual(back.map((e) => e.revision), [2, 1])
      const from1 = await store.reader.readStream(acc, { from: 1, limit: 1, direction: 'forward' })
      assert.deepEqual(from1.map((e) => e.revision), [1])
    })

    it('head is the last revision and position, null for a missing stream', async () => {
      const h = s('head')
      assert.equal(await store.reader.head(h), null)
      const r = await log.appendToStream(h, 'any', [{ type: 'A' }, { type: 'B' }])
      assert.deepEqual(await store.reader.head(h), { stream: h, revision: 1, position: r.position })
      assert.ok((await store.reader.lastPosition()) >= r.position)
    })

    it('conflicts: no_stream / stream_exists / number report the actual revision and write nothing', async () => {
      const c = s('conf')
      await assert.rejects(log.appendToStream(c, 'stream_exists', [{ type: 'X' }]), isProblem('wrong-expected-revision', (e) => e.extensions.actualRevision === null))
      await assert.rejects(log.appendToStream(c, 0, [{ type: 'X' }]), isProblem('wrong-expected-revision', (e) => e.extensions.actualRevision === null))
      await log.appendToStream(c, 'no_stream', [{ type: 'X' }])
      const before = await store.reader.lastPosition()
      await assert.rejects(log.appendToStream(c, 'no_stream', [{ type: 'X' }]), isProblem('wrong-expected-revision', (e) => e.extensions.actualRevision === 0))
      await assert.rejects(log.appendToStream(c, 3, [{ type: 'X' }]), isProblem('wrong-expected-revision', (e) => e.extensions.expectedRevision === 3 && e.extensions.actualRevision === 0))
      assert.equal(await store.reader.lastPosition(), before)
      assert.equal((await log.appendToStream(c, 'stream_exists', [{ type: 'Y' }])).streams[0].lastRevision, 1)
    })

    it('one conflicting request in a group fails alone; its neighbours commit', async () => {
      const [a, b] = [s('grp'), s('grp')]
      const outcomes = await store.backend.commitGroup([
        cmd(a, 'no_stream', ['A']),
        cmd(b, 'no_stream', ['A']),
        cmd(a, 'no_stream', ['B']), // conflicts with the first, same group
        cmd(a, 0, ['C']), // sees the first one's revision 0
      ])
      assert.ok(!(outcomes[0] instanceof Error) && !(outcomes[1] instanceof Error) && !(outcomes[3] instanceof Error))
      assert.ok(isProblem('wrong-expected-revision')(outcomes[2]))
      assert.deepEqual((await store.reader.readStream(a, { limit: 10, direction: 'forward' })).map((e) => e.type), ['A', 'C'])
    })

    it('a retry with the same ids returns the original result and writes nothing; a reused id is refused', async () => {
      const [i1, i2] = [s('idem'), s('idem')]
      const ids = [uuid(), uuid()]
      const first = await log.appendToStream(i1, 'no_stream', [{ id: ids[0], type: 'A' }, { id: ids[1], type: 'B' }])
      const before = await store.reader.lastPosition()
      const again = await log.appendToStream(i1, 'no_stream', [{ id: ids[0], type: 'A' }, { id: ids[1], type: 'B' }])
      assert.equal(again.replayed, true)
      assert.deepEqual(again.streams, first.streams)
      await assert.rejects(log.appendToStream(i2, 'any', [{ id: ids[0], type: 'A' }]), isProblem('event-id-reused'))
      await assert.rejects(log.appendToStream(i1, 'any', [{ id: ids[0], type: 'A' }, { id: uuid(), type: 'C' }]), isProblem('event-id-reused'))
      assert.equal(await store.reader.lastPosition(), before)
      // two identical requests in one group: the second is a replay of the first
      const id = uuid()
      const twin = s('twin')
      const [a, b] = await store.backend.commitGroup([cmd(twin, 'any', ['A'], [id]), cmd(twin, 'any', ['A'], [id])])
      assert.ok(!(a instanceof Error) && (b as AppendResult).replayed)
      assert.equal((await store.reader.readStream(twin, { limit: 10, direction: 'forward' })).length, 1)
    })

    it('two identical requests in one group: the second is a replay of the first', async () => {
      const twin = s('twin')
      const id = uuid()
      const [a, b] = await store.backend.commitGroup([cmd(twin, 'any', ['A'], [id]), cmd(twin, 'any', ['A'], [id])])
      assert.ok(!(a instanceof Error) && !(b instanceof Error))
      assert.equal((b as AppendResult).replayed, true)
      assert.deepEqual((b as AppendResult).streams, (a as AppendResult).streams)
      assert.equal((await store.reader.readStream(twin, { limit: 10, direction: 'forward' })).length, 1)
    })

    it('a replay is the whole request: a colliding or reordered request in the same group, or after it, is a 409', async () => {
      const [a, b, c] = [s('whole'), s('whole'), s('whole')]
      const x = uuid()
      // the race, in one group: the second request's first id collides with the first's
      const outcomes = await store.backend.commitGroup([cmd(a, 'any', ['A'], [x]), cmd(b, 'any', ['B', 'B2'], [x, uuid()])])
      assert.deepEqual(outcomes.map(failed), ['ok', '409 event-id-reused'])
      assert.equal(await store.reader.head(b), null, 'nothing of the loser is written')
      // the same events in another order, in the same group and after it
      const [p, q] = [uuid(), uuid()]
      const pair = await store.backend.commitGroup([cmd(c, 'any', ['P', 'Q'], [p, q]), cmd(c, 'any', ['Q', 'P'], [q, p]), cmd(c, 'any', ['P'], [p])])
      assert.deepEqual(pair.map(failed), ['ok', '409 event-id-reused', '409 event-id-reused'])
      const later = await store.backend.commitGroup([cmd(c, 'any', ['Q', 'P'], [q, p]), cmd(c, 'any', ['P', 'Q', 'R'], [p, q, uuid()]), cmd(c, 'any', ['P', 'Q'], [p, q])])
      assert.deepEqual(later.map(failed), ['409 event-id-reused', '409 event-id-reused', 'ok'])
      assert.equal((later[2] as AppendResult).replayed, true)
      assert.deepEqual((later[2] as AppendResult).streams, (pair[0] as AppendResult).streams)
      const stored = await store.reader.readStream(c, { limit: 10, direction: 'forward' })
      assert.deepEqual(stored.map((e) => [e.id, e.type]), [[p, 'P'], [q, 'Q']])
      assert.deepEqual((await store.reader.readStream(a, { limit: 10, direction: 'forward' })).map((e) => e.id), [x])
    })

    it('a request the unique indexes refuse (tag twice, id twice) fails alone with a 400; its group commits', async () => {
      const [ok1, bad1, ok2, bad2, ok3] = [s('alone'), s('alone'), s('alone'), s('alone'), s('alone')]
      const dup = uuid()
      const before = await store.reader.lastPosition()
      const outcomes = await store.backend.commitGroup([
        cmd(ok1, 'no_stream', ['A'], undefined, [['t:1', 't:2']]),
        cmd(bad1, 'any', ['A'], undefined, [['t:1', 't:1']]),
        cmd(ok2, 'no_stream', ['A', 'B']),
        cmd(bad2, 'any', ['A', 'B'], [dup, dup]),
        cmd(ok1, 0, ['C']), // depends on the first one, after the bad ones
        cmd(ok3, 'any', ['A'], [dup]), // the id the bad one repeated is free
      ])
      assert.deepEqual(outcomes.map(failed), ['ok', '400 invalid-request', 'ok', '400 invalid-request', 'ok', 'ok'])
      assert.match((outcomes[1] as Error).message, /t:1/)
      assert.match((outcomes[3] as Error).message, new RegExp(dup))
      for (const bad of [bad1, bad2]) assert.equal(await store.reader.head(bad), null)
      assert.deepEqual((await store.reader.readStream(ok1, { limit: 10, direction: 'forward' })).map((e) => [e.type, e.tags]), [['A', ['t:1', 't:2']], ['C', []]])
      assert.equal(await store.reader.lastPosition(), before + 5)
    })

    it('a request the database refuses for a reason of its own fails alone (422); the rest of its group commits', async () => {
      // A trigger stands for any constraint edgelog does not check itself: the group's write
      // fails, nobody else wrote, so the offender is found by halving the group.
      const type = `Forbidden${run}`
      await opened.exec(`CREATE TRIGGER refuse_${run} BEFORE INSERT ON events WHEN NEW.type = '${type}' BEGIN SELECT RAISE(ABORT, 'forbidden type'); END`)
      try {
        const streams = Array.from({ length: 7 }, () => s('refuse'))
        const twinId = uuid()
        const group = streams.map((st, i) => cmd(st, 'no_stream', i === 4 ? ['A', type] : ['A'], i === 5 ? [twinId] : undefined))
        group.push(cmd(streams[5], 'any', ['A'], [twinId])) // a replay of a neighbour
        group.push(cmd(streams[4], 'no_stream', ['A'])) // the offender wrote nothing: its stream is free
        const before = await store.reader.lastPosition()
        const outcomes = await store.backend.commitGroup(group)
        assert.deepEqual(outcomes.map(failed), ['ok', 'ok', 'ok', 'ok', '422 append-refused', 'ok', 'ok', 'ok', 'ok'])
        assert.equal((outcomes[7] as AppendResult).replayed, true)
        assert.deepEqual((outcomes[7] as AppendResult).streams, (outcomes[5] as AppendResult).streams)
        assert.equal(await store.reader.lastPosition(), before + 7)
        assert.deepEqual((await store.reader.readStream(streams[4], { limit: 10, direction: 'forward' })).map((e) => e.type), ['A'])
        // alone, through the log: the same 422, and nothing written
        await assert.rejects(log.appendToStream(s('refuse'), 'any', [{ type }]), isProblem('append-refused'))
        assert.equal(await store.reader.lastPosition(), before + 7)
      } finally {
        await opened.exec(`DROP TRIGGER refuse_${run}`)
      }
    })

    it('condition.after beyond the last committed position is refused (400) and writes nothing', async () => {
      const last = await store.reader.lastPosition()
      const tag = `after:${run}`
      const conditioned = (after: number): AppendCommand => ({
        streams: [],
        events: prepareEvents([{ type: 'Loose', tags: [tag] }], codec, 1e6),
        condition: { failIfEventsMatch: [{ tags: [tag] }], after },
      })
      const outcomes = await store.backend.commitGroup([cmd(s('after'), 'any', ['A']), conditioned(last + 1), conditioned(last)])
      assert.deepEqual(outcomes.map(failed), ['ok', '400 invalid-request', 'ok'])
      assert.equal((outcomes[1] as EdgelogError).extensions.lastPosition, last)
      assert.equal(await store.reader.lastPosition(), last + 2)
    })

    it('multi-stream append is all or nothing', async () => {
      const [order, stock] = [s('order'), s('stock')]
      await log.appendToStream(order, 'no_stream', [{ type: 'Placed' }])
      const before = await store.reader.lastPosition()
      await assert.rejects(
        log.append({ streams: [{ stream: stock, expectedRevision: 'no_stream', events: [{ type: 'Reserved' }] }, { stream: order, expectedRevision: 'no_stream', events: [{ type: 'Placed' }] }] }),
        isProblem('wrong-expected-revision', (e) => e.extensions.stream === order),
      )
      assert.equal(await store.reader.head(stock), null)
      assert.equal(await store.reader.lastPosition(), before)
      const ok = await log.append({ streams: [{ stream: stock, expectedRevision: 'no_stream', events: [{ type: 'Reserved' }] }, { stream: order, expectedRevision: 0, events: [{ type: 'Paid' }] }] })
      assert.deepEqual(ok.streams.map((r) => [r.stream, r.lastRevision]), [[stock, 0], [order, 1]])
      assert.equal(ok.streams[1].lastPosition, ok.streams[0].lastPosition + 1)
    })

    it('a group larger than any statement limit commits whole (D1 binds 100 parameters)', async () => {
      const big = s('big')
      const events = Array.from({ length: 250 }, (_, i) => ({ id: uuid(), type: 'Big', data: { i }, tags: [`k:${i % 7}`, 'big'] }))
      const r = await log.appendToStream(big, 'no_stream', events)
      assert.deepEqual([r.streams[0].lastRevision, r.streams[0].lastPosition - r.streams[0].firstPosition], [249, 249])
      const again = await log.appendToStream(big, 'no_stream', events)
      assert.equal(again.replayed, true)
      // 150 streams' heads in one group
      const many = Array.from({ length: 150 }, () => s('many'))
      const outcomes = await store.backend.commitGroup(many.map((m) => cmd(m, 'no_stream', ['A'])))
      assert.ok(outcomes.every((o) => !(o instanceof Error)))
      const read = await store.reader.readStream(big, { limit: 1000, direction: 'forward' })
      assert.equal(read.length, 250)
      assert.deepEqual(read[249].tags, ['k:4', 'big'])
    })

    it('one group of mixed rows stores every cell as sent: types, ids, payloads, metadata, tags, streams, stream-less events', async () => {
      const [a, b] = [s('mixa'), s('mixb')]
      const tag = `mix${run}`
      const ev = (i: number) => ({
        id: uuid(),
        type: i % 3 === 0 ? 'Same' : `T${i}`,
        data: i % 4 === 3 ? undefined : { i, s: 'ü'.repeat(i) },
        metadata: i % 2 ? { m: i } : undefined,
        tags: i % 5 === 1 ? [tag, `i:${i}`] : undefined,
      })
      const one = (stream: string, from: number, n: number) => Array.from({ length: n }, (_, k) => ev(from + k))
      const commands: AppendCommand[] = [
        { streams: [{ stream: a, expected: 'no_stream', events: prepareEvents(one(a, 0, 7), codec, 1e6) }] },
        // the same stream again in the same group: its rows continue the first command's
        { streams: [{ stream: a, expected: 'any', events: prepareEvents([{ type: 'Same', data: { again: true } }, { type: 'Same' }], codec, 1e6) }] },
        { streams: [{ stream: b, expected: 'any', events: prepareEvents(Array.from({ length: 3 }, () => ({ type: 'Same', data: { b: 1 } })), codec, 1e6) }], events: prepareEvents([ev(20), ev(21)], codec, 1e6) },
      ]
      const sent = commands.flatMap((c) => [...c.streams.flatMap((x) => x.events.map((e) => ({ stream: x.stream as string | null, e }))), ...(c.events ?? []).map((e) => ({ stream: null, e }))])
      const outcomes = await store.backend.commitGroup(commands)
      assert.deepEqual(outcomes.map(failed), ['ok', 'ok', 'ok'])
      const first = (outcomes[0] as AppendResult).streams[0].firstPosition
      const read = await store.reader.readAll({ from: first, limit: 100 })
      assert.equal(read.length, sent.length)
      const revisions = new Map<string, number>()
      read.forEach((got, k) => {
        const { stream, e } = sent[k]
        const revision = stream === null ? null : (revisions.get(stream) ?? -1) + 1
        if (stream !== null) revisions.set(stream, revision!)
        assert.deepEqual(
          { id: got.id, stream: got.stream, revision: got.revision, position: got.position, type: got.type, data: got.data && [...got.data], metadata: got.metadata && [...got.metadata], tags: got.tags },
          { id: e.id, stream, revision, position: first + k, type: e.type, data: e.data && [...e.data], metadata: e.metadata && [...e.metadata], tags: e.tags },
          `row ${k}`,
        )
      })
      assert.deepEqual((await store.reader.readAll({ from: first, limit: 100, tags: [tag] })).map((e) => e.position), read.filter((e) => e.tags.includes(tag)).map((e) => e.position))
      assert.equal((await store.reader.readCategory(a.split('-')[0], { from: first, limit: 100 })).length, 9)
      const members = await Promise.all([0, 1].map((member) => store.reader.readCategory(a.split('-')[0], { from: first, limit: 100, member, size: 2 })))
      assert.deepEqual(members.map((m) => m.length).sort(), [0, 9], 'one stream: all its events in one member')
    })

    it('events with many tags commit whole: 100 tags on one event, 20 events of 8 tags in one request (D1 binds 100 parameters)', async () => {
      const wide = s('wide')
      const hundred = Array.from({ length: 100 }, (_, i) => `t:${i}`)
      const eight = (i: number) => Array.from({ length: 8 }, (_, j) => `e${i}:${j}`)
      const r = await log.appendToStream(wide, 'no_stream', [{ type: 'Wide', data: { i: 0 }, tags: hundred }, ...Array.from({ length: 20 }, (_, i) => ({ type: 'Tagged', data: { i }, tags: eight(i) }))])
      assert.equal(r.streams[0].lastRevision, 20)
      const read = await store.reader.readStream(wide, { limit: 100, direction: 'forward' })
      assert.deepEqual(read[0].tags.slice().sort(), hundred.slice().sort())
      read.slice(1).forEach((e, i) => assert.deepEqual(e.tags.slice().sort(), eight(i).sort(), `event ${i + 1}`))
      // and the tags index answers queries on them
      const byTag = await store.reader.readAll({ from: 0, limit: 10, tags: ['e19:7'] })
      assert.deepEqual(byTag.map((e) => e.position), [read[20].position])
    })

    it('reads the log by position and type, and a category split among consumer-group members', async () => {
      const cat = `cat${run}`
      const start = (await store.reader.lastPosition()) + 1
      for (let i = 0; i < 12; i++) await log.appendToStream(`${cat}-${i}`, 'any', [{ type: i % 2 ? `Odd${run}` : 'Even' }, { type: 'Any' }])
      const all = await store.reader.readAll({ from: start, limit: 1000 })
      assert.equal(all.length, 24)
      for (let i = 1; i < all.length; i++) assert.ok(all[i].position > all[i - 1].position)
      assert.equal((await store.reader.readAll({ from: start, limit: 1000, types: [`Odd${run}`, 'Nope'] })).length, 6)
      const page = await store.reader.readAll({ from: all[3].position, limit: 2 })
      assert.deepEqual(page.map((e) => e.position), [all[3].position, all[4].position])
      assert.equal((await store.reader.readCategory(cat, { from: 0, limit: 1000 })).length, 24)
      const members = await Promise.all([0, 1, 2].map((member) => store.reader.readCategory(cat, { from: 0, limit: 1000, member, size: 3 })))
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

    it('byte budget: a page whose events fit is read whole, one that passes maxBytes is cut before it (always one event), next walks every event once', async () => {
      // Ten events of one size S in a fresh stream of a fresh category: the budget counts
      // stored payloads + type + stream + tags + 160 (src/store/budget.ts EVENT_SIZE).
      const cat = `bud${run}`
      const stream = `${cat}-1`
      const type = `Sized${run}`
      const inputs = Array.from({ length: 10 }, (_, i) => ({ type, data: { i, pad: 'p'.repeat(300) } }))
      const events = prepareEvents(inputs, codec, 1e6)
      const S = events[0].data!.length + type.length + stream.length + 160
      assert.ok(events.every((e) => e.data!.length === events[0].data!.length))
      const r = await log.appendToStream(stream, 'no_stream', inputs)
      const positions = r.streams[0].events.map((e) => e.position)
      const reads: Record<string, (from: number, limit: number, maxBytes: number) => Promise<import('../../src/core/types.ts').EventList>> = {
        'stream forward': (from, limit, maxBytes) => store.reader.readStream(stream, { from, limit, direction: 'forward', maxBytes }),
        log: (from, limit, maxBytes) => store.reader.readAll({ from, limit, maxBytes }),
        'log by type': (from, limit, maxBytes) => store.reader.readAll({ from, limit, types: [type], maxBytes }),
        category: (from, limit, maxBytes) => store.reader.readCategory(cat, { from, limit, maxBytes }),
        query: async (from, limit, maxBytes) => (await store.reader.query([{ types: [type] }], { from, limit, maxBytes })).events,
      }
      for (const [name, read] of Object.entries(reads)) {
        const first = name === 'stream forward' ? 0 : positions[0]
        const at = (e: { revision: number | null; position: number }) => (name === 'stream forward' ? e.revision! : e.position)
        // Exactly the budget: the whole page, not cut (the plain read).
        const whole = await read(first, 10, 10 * S)
        assert.deepEqual(whole.map((e) => e.position), positions, `${name}: a page that fits`)
        assert.ok(!whole.cut, `${name}: a page that fits is not cut`)
        assert.deepEqual(whole.map((e) => codec.decode(e.data!)), inputs.map((e) => e.data), `${name}: payloads`)
        // One byte less: the tenth event passes it.
        const short = await read(first, 10, 10 * S - 1)
        assert.deepEqual(short.map((e) => e.position), positions.slice(0, 9), `${name}: a page one byte over`)
        assert.equal(short.cut, true, `${name}: cut`)
        // Under one event: still the first.
        const one = await read(first, 10, S - 1)
        assert.deepEqual(one.map((e) => e.position), positions.slice(0, 1), `${name}: a first event over the budget`)
        assert.equal(one.cut, true)
        // Walks: pages of 3 by bytes (limit 5), and pages of 4 by count (the budget never reached).
        for (const [limit, maxBytes, sizes] of [[5, 3 * S + 1, [3, 3, 3, 1]], [4, 100 * S, [4, 4, 2]]] as const) {
          const seen: number[] = []
          const pages: number[] = []
          for (let from = first; seen.length < 10; ) {
            const page = await read(from, limit, maxBytes)
            assert.ok(page.length > 0, `${name}: paging stalled at ${from}`)
            assert.equal(page.cut === true, page.length < limit && seen.length + page.length < 10, `${name}: cut flag of a page of ${page.length}`)
            pages.push(page.length)
            seen.push(...page.map((e) => e.position))
            from = at(page[page.length - 1]) + 1
          }
          assert.deepEqual(seen, positions, `${name}: every event once, in order (limit ${limit})`)
          assert.deepEqual(pages, sizes, `${name}: page sizes (limit ${limit})`)
        }
      }
      // Backward: the newest first, cut the same way.
      const back = await store.reader.readStream(stream, { limit: 10, direction: 'backward', maxBytes: 3 * S })
      assert.deepEqual(back.map((e) => e.revision), [9, 8, 7])
      assert.equal(back.cut, true)
      const backWhole = await store.reader.readStream(stream, { limit: 10, direction: 'backward', maxBytes: 10 * S })
      assert.deepEqual(backWhole.map((e) => e.revision), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
      assert.ok(!backWhole.cut)
      // An empty page is empty on either path.
      assert.deepEqual(await store.reader.readStream(stream, { from: 10, limit: 10, direction: 'forward', maxBytes: S }), [])
      assert.deepEqual(await store.reader.readAll({ from: positions[9] + 1_000_000, limit: 10, maxBytes: S }), [])
    })
  })
}

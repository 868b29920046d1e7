// Live delivery from the shared tail in turns: commits that land while live subscribers
// wait for their turn go out with what they had (one batch, not one per commit), and every
// subscriber still gets every matching event exactly once, in order, within its page. The
// sole writer hands the tail what it committed: live subscribers cost the database no read.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createEventLog, type EventLog } from '../src/core/eventLog.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import type { SubscriptionFilter } from '../src/core/subscription.ts'
import type { StoredEvent } from '../src/core/types.ts'
import { eventJson } from '../src/http/render/events.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { tempDbPath } from './contract/server.ts'
import { openTestLog } from './helpers.ts'

/** A turn of the event loop: lets the server-side work run between two looks at a condition. */
const turn = () => new Promise<void>((r) => setImmediate(r))

describe('shared tail delivery in turns', () => {
  let store: Store
  let log: EventLog

  before(async () => {
    store = await openStore({ url: `file:${tempDbPath()}`, durability: 'normal' })
    log = createEventLog({ backend: store.backend, reader: store.reader, codec, limits: DEFAULT_LIMITS, soleWriter: store.soleWriter })
  })
  after(async () => {
    await log.close()
    await store.close()
  })

  /** Every batch a subscription yields (positions), until `done` says so. */
  function collect(iterator: AsyncGenerator<StoredEvent[]>) {
    const batches: number[][] = []
    void (async () => {
      for await (const page of iterator) if (page.length) batches.push(page.map((e) => e.position))
    })()
    return batches
  }

  it('commits landing while subscribers wait for their turn are coalesced: exactly once, in order, within the page', { timeout: 60_000 }, async () => {
    assert.ok(store.soleWriter, 'a local file: the commit signal wakes the tail')
    const ac = new AbortController()
    const from = (await store.reader.lastPosition()) + 1
    const subscribers = 300
    const pageSize = 7
    // Some want only one stream of the category, one in three its type B.
    const filters = Array.from({ length: subscribers }, (_, i) =>
      i % 3 === 0 ? { category: 'co' } : i % 3 === 1 ? { stream: 'co-1' } : { category: 'co', types: ['B'] },
    )
    const got = filters.map((filter) => collect(log.subscriptions.subscribe({ from, filter, pageSize, signal: ac.signal })))
    while (log.subscriptions.stats().live < subscribers) await turn()

    // One writer, each append after the last one's answer: one commit per event, landing
    // while the fan-out of the previous ones is under way.
    for (let i = 0; i < 36; i++) await log.appendToStream(`co-${1 + (i % 3)}`, 'any', [{ type: i % 2 ? 'A' : 'B', data: { i } }])
    const all = await store.reader.readAll({ from, limit: 1000 })
    assert.equal(all.length, 36)
    const want = filters.map((f) =>
      all.filter((e) => ('stream' in f ? e.stream === f.stream : true) && ('types' in f ? f.types!.includes(e.type) : true)).map((e) => e.position),
    )
    for (;;) {
      if (got.every((batches, i) => batches.flat().length >= want[i].length)) break
      await turn()
    }
    let batches = 0
    for (let i = 0; i < subscribers; i++) {
      assert.deepEqual(got[i].flat(), want[i], `subscriber ${i} (${JSON.stringify(filters[i])}): every match once, in order`)
      for (const b of got[i]) assert.ok(b.length <= pageSize, `subscriber ${i}: a batch of ${b.length} > pageSize ${pageSize}`)
      batches += got[i].length
    }
    // One batch per matching commit (one event each) would be this many; turns deliver fewer.
    const perCommit = want.reduce((n, w) => n + w.length, 0)
    assert.ok(batches < perCommit, `coalesced: ${batches} batches for ${perCommit} matching commits`)
    assert.equal(log.subscriptions.stats().live, subscribers, 'nobody fell off the tail')
    ac.abort()
  })
})

describe('shared tail fed by the sole writer', () => {
  it('live subscribers get each commit as stored, without a database read: exactly what a read of the log returns', { timeout: 30_000 }, async () => {
    // ENCRYPTION_KEY: events naming a subject are stored sealed and must reach subscribers opened, as reads give them.
    const t = await openTestLog({ durability: 'normal' }, { ENCRYPTION_KEY: randomBytes(32).toString('base64') })
    try {
      const subs = t.log.subscriptions
      const ac = new AbortController()
      const from = (await t.log.reader.lastPosition()) + 1
      // pageSize 3: a commit of 7 events is offered in pages, each subscriber's batches stay within it
      const filters: SubscriptionFilter[] = [{}, { category: 'cm' }, { stream: 'cm-2' }, { types: ['B'] }, { tags: ['t1'] }, { category: 'other' }]
      const got = filters.map(() => [] as StoredEvent[])
      filters.forEach((filter, i) => {
        void (async () => {
          for await (const page of subs.subscribe({ from, filter, pageSize: 3, signal: ac.signal })) {
            assert.ok(page.length <= 3, `a batch of ${page.length}`)
            got[i].push(...page)
          }
        })()
      })
      while (subs.stats().live < filters.length) await turn()
      const readsBefore = subs.stats().tailReads

      const id = crypto.randomUUID().toUpperCase() // read back in its canonical lowercase form
      await t.log.appendToStream('cm-1', 'no_stream', [
        { id, type: 'A', data: { n: 1 }, metadata: { by: 'x' }, tags: ['t1', 't2'] },
        ...Array.from({ length: 6 }, (_, i) => ({ type: i % 2 ? 'A' : 'B', data: i === 3 ? null : { i, big: 2n ** 70n } })),
      ])
      await t.log.appendToStream('cm-1', 'any', [{ id, type: 'A', data: { n: 1 }, metadata: { by: 'x' }, tags: ['t1', 't2'] }]).catch(() => {}) // a reused id: nothing written
      await t.log.append({
        streams: [
          { stream: 'cm-2', events: [{ type: 'B', data: { s: 'é' } }] },
          { stream: 'other-1', events: [{ type: 'C', tags: ['t1'] }] },
        ],
        events: [{ type: 'B', data: { loose: true }, tags: ['t1', 'course:7'] }],
      })
      await t.log.appendToStream('cm-3', 'any', [{ type: 'B', data: { secret: 'ann' }, tags: ['subject:ann'] }])
      // concurrent appends: one group, several commands
      await Promise.all(Array.from({ length: 5 }, (_, i) => t.log.appendToStream(`cm-${i % 3}`, 'any', [{ type: 'B', data: { i } }])))

      const all = await t.log.reader.readAll({ from, limit: 1000 })
      assert.equal(all.length, 7 + 3 + 1 + 5)
      const sealed = all.find((e) => e.tags.includes('subject:ann'))!
      assert.deepEqual(codec.decode(sealed.data!), { secret: 'ann' }, 'the read opens the sealed payload')
      const category = (s: string | null) => s?.split('-')[0]
      const want = filters.map((f) =>
        all.filter(
          (e) =>
            (f.stream === undefined || e.stream === f.stream) &&
            (f.category === undefined || category(e.stream) === f.category) &&
            (f.types === undefined || f.types.includes(e.type)) &&
            (f.tags === undefined || f.tags.every((x) => e.tags.includes(x))),
        ),
      )
      while (got.some((g, i) => g.length < want[i].length)) await turn()
      const json = (events: StoredEvent[]) => events.map((e) => eventJson(e, codec))
      filters.forEach((f, i) => assert.deepEqual(json(got[i]), json(want[i]), `subscriber ${JSON.stringify(f)}: what a read returns, once each, in order`))
      assert.equal(subs.stats().tailReads, readsBefore, 'the commits reached live subscribers without a read')
      assert.equal(subs.stats().live, filters.length)
      ac.abort()
    } finally {
      await t.close()
    }
  })
})

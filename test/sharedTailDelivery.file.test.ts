// Live delivery from the shared tail in turns: commits that land while live subscribers
// wait for their turn go out with what they had (one batch, not one per commit), and every
// subscriber still gets every matching event exactly once, in order, within its page.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createEventLog, type EventLog } from '../src/core/eventLog.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import type { StoredEvent } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { tempDbPath } from './contract/server.ts'

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

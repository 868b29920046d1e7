// The shared tail's join rule against a reader whose answers arrive late, as a remote
// libSQL server's do: a subscriber whose catch-up read was overtaken by the tail must not
// join it with a gap (nor with a duplicate).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createEventLog, type EventLog } from '../src/core/eventLog.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import type { EventReader, StoredEvent } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { tempDbPath } from './contract/server.ts'

describe('shared tail (late read answers)', () => {
  let store: Store
  let log: EventLog
  // While `gate` is set, category reads run at once but answer only when it resolves.
  let gate: Promise<void> | undefined
  let gated: () => void = () => {}

  before(async () => {
    store = await openStore({ url: `file:${tempDbPath()}`, durability: 'normal' })
    const reader: EventReader = {
      ...store.reader,
      async readCategory(category, options) {
        const rows = await store.reader.readCategory(category, options)
        if (gate) {
          const g = gate
          gated()
          await g
        }
        return rows
      },
    }
    log = createEventLog({ backend: store.backend, reader, codec, limits: DEFAULT_LIMITS, soleWriter: store.soleWriter })
  })
  after(async () => {
    await log.close()
    await store.close()
  })

  /** Collects what a subscription yields; `until(n)` resolves once it has n events. */
  function collect(iterator: AsyncGenerator<StoredEvent[]>) {
    const got: number[] = []
    let want = Infinity
    let reached: () => void = () => {}
    void (async () => {
      for await (const page of iterator) {
        got.push(...page.map((e) => e.position))
        if (got.length >= want) reached()
      }
    })()
    return {
      got,
      until: (n: number) =>
        new Promise<void>((r) => {
          want = n
          reached = r
          if (got.length >= n) r()
        }),
    }
  }

  it('a subscriber whose read the tail overtook reads on by itself, then joins: no gap, no duplicate', { timeout: 10_000 }, async () => {
    const ac = new AbortController()
    const [e1] = (await log.appendToStream('g-1', 'any', [{ type: 'A' }])).streams[0].events
    // A keeps the tail busy (it is live before anything else happens).
    const a = collect(log.subscriptions.subscribe({ from: 1, filter: { stream: 'g-1' }, signal: ac.signal }))
    await a.until(1)
    let release!: () => void
    gate = new Promise<void>((r) => (release = r))
    const readStarted = new Promise<void>((r) => (gated = r))
    const b = collect(log.subscriptions.subscribe({ from: 1, filter: { category: 'g' }, signal: ac.signal }))
    await readStarted // B's read saw e1 only and is held
    gate = undefined
    const more = (await log.appendToStream('g-1', 'any', [{ type: 'B' }, { type: 'C' }])).streams[0].events
    await a.until(3) // the tail read e2, e3 and moved past what B has scanned
    release()
    await b.until(3)
    const [e4] = (await log.appendToStream('g-1', 'any', [{ type: 'D' }])).streams[0].events
    await b.until(4)
    assert.deepEqual(b.got, [e1.position, ...more.map((e) => e.position), e4.position])
    await a.until(4)
    assert.deepEqual(a.got, b.got)
    ac.abort()
  })
})

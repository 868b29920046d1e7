// The store contract on Cloudflare D1 under workerd (a local D1 database, migrated by
// `wrangler d1 migrations apply --local`), through the same adapter the Worker uses.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createEventLog } from '../src/core/eventLog.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import { codec } from '../src/store/codec.ts'
import { d1Db, type D1Binding } from '../src/store/d1.ts'
import { createStore } from '../src/store/store.ts'
import { storeContract } from './store/contract.ts'
import { openLocalD1 } from './worker/start.ts'

storeContract('Cloudflare D1 (workerd)', async () => {
  const local = await openLocalD1()
  const store = createStore(d1Db(local.d1 as unknown as D1Binding))
  assert.equal(store.soleWriter, false)
  return {
    store,
    async exec(sql) {
      await d1Db(local.d1 as unknown as D1Binding).execute(sql)
    },
    async close() {
      await store.close()
      await local.close()
    },
  }
})

// Two isolates = two stores with their own writers on one D1 database: a group that read
// stale heads loses on the unique index (D1's error text must be recognised) and retries.
describe('D1: two writers (isolates) racing on the same streams', () => {
  let local: Awaited<ReturnType<typeof openLocalD1>>
  before(async () => {
    local = await openLocalD1()
  })
  after(() => local?.close())

  it('every append lands once, revisions gapless', async () => {
    const logs = [0, 1].map(() => createEventLog({ ...createStore(d1Db(local.d1 as unknown as D1Binding)), codec, limits: DEFAULT_LIMITS }))
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => logs[i % 2].appendToStream(`d1race-${i % 3}`, 'any', [{ type: 'Raced', data: { i } }])),
    )
    assert.equal(results.length, 60)
    const reader = createStore(d1Db(local.d1 as unknown as D1Binding)).reader
    for (let k = 0; k < 3; k++) {
      const events = await reader.readStream(`d1race-${k}`, { limit: 1000, direction: 'forward' })
      assert.deepEqual(events.map((e) => e.revision), Array.from({ length: 20 }, (_, i) => i))
    }
    const positions = results.map((r) => r.position).sort((a, b) => a - b)
    assert.equal(new Set(positions).size, 60)
    await Promise.all(logs.map((l) => l.close()))
  })
})

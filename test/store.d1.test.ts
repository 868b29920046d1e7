// The store contract on Cloudflare D1 under workerd (a local D1 database, migrated by
// `wrangler d1 migrations apply --local`), through the same adapter the Worker uses.
import assert from 'node:assert/strict'
import { d1Db, type D1Binding } from '../src/store/d1.ts'
import { createStore } from '../src/store/store.ts'
import { storeContract } from './store-contract.ts'
import { openLocalD1 } from './worker/start.ts'

storeContract('Cloudflare D1 (workerd)', async () => {
  const local = await openLocalD1()
  const store = createStore(d1Db(local.d1 as unknown as D1Binding))
  assert.equal(store.trustCache, false)
  return {
    store,
    async close() {
      await store.close()
      await local.close()
    },
  }
})

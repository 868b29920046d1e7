// The store contract on a local libSQL file: as its sole writer (heads cached in memory)
// and as one of several writers (heads read fresh in every group, as against a server).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { openStore } from '../src/store/node.ts'
import { storeContract } from './store-contract.ts'
import { tempDir } from './helpers.ts'

for (const sharedWriters of [false, true]) {
  storeContract(sharedWriters ? 'libSQL file, shared writers' : 'libSQL file, sole writer', async () => {
    const { dir, cleanup } = tempDir()
    const store = await openStore({ url: `file:${join(dir, 'edgelog.db')}`, sharedWriters })
    assert.equal(store.trustCache, !sharedWriters)
    return {
      store,
      async close() {
        await store.close()
        cleanup()
      },
    }
  })
}

// The store contract on a local libSQL file: as its sole writer (heads cached in memory)
// and as one of several writers (heads read fresh in every group, as against a server).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'libsql'
import { openStore } from '../src/store/node.ts'
import { storeContract } from './store/contract.ts'
import { tempDir } from './helpers.ts'

for (const sharedWriters of [false, true]) {
  storeContract(sharedWriters ? 'libSQL file, shared writers' : 'libSQL file, sole writer', async () => {
    const { dir, cleanup } = tempDir()
    const path = join(dir, 'edgelog.db')
    const store = await openStore({ url: `file:${path}`, sharedWriters })
    assert.equal(store.soleWriter, !sharedWriters)
    return {
      store,
      async exec(sql) {
        const db = new Database(path)
        try {
          db.exec(sql)
        } finally {
          db.close()
        }
      },
      async close() {
        await store.close()
        cleanup()
      },
    }
  })
}

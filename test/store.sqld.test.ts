// The store contract against a real libSQL server (sqld) through the remote
// @libsql/client: nothing trusted in memory, every condition in SQL, one batch per group.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { createClient } from '@libsql/client'
import { openStore } from '../src/store/node.ts'
import { storeContract } from './store/contract.ts'
import { startSqld, type Sqld } from './sqld.ts'

let sqld: Sqld
before(async () => {
  sqld = await startSqld()
})
after(async () => {
  await sqld?.stop()
  sqld?.cleanup()
})

storeContract('sqld over HTTP (@libsql/client)', async () => {
  const store = await openStore({ url: sqld.url })
  assert.equal(store.soleWriter, false)
  // A second client on the same server runs the contract's own SQL (a refusing trigger).
  const side = createClient({ url: sqld.url })
  return {
    store,
    async exec(sql: string) {
      await side.execute(sql)
    },
    async close() {
      side.close()
      await store.close()
    },
  }
})

it('libsql://host:port?tls=0 reaches a local sqld without TLS (the same server as http://)', async () => {
  const store = await openStore({ url: `libsql://127.0.0.1:${sqld.port}?tls=0`, migrate: false })
  try {
    await store.reader.ping()
    assert.equal(typeof (await store.reader.lastPosition()), 'number')
  } finally {
    await store.close()
  }
})

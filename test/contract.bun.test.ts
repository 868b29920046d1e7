// The HTTP contract of docs/api.md against the bun entry (src/bun.ts).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { contractSuite } from './contract/suite.ts'
import { startServer, type RunningServer } from './contract/server.ts'

describe('bun server', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('bun')
  })
  after(async () => {
    await server?.stop()
  })

  contractSuite('bun', () => server.baseUrl)

  it('drains and exits 0 on SIGTERM', async () => {
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null })
  })
})

// The HTTP contract of docs/api.md and the subscription suite against the node entry on a
// real libSQL server (sqld): DATABASE_URL=http://127.0.0.1:<port>, migrated at start.
import { after, before, describe } from 'node:test'
import { contractSuite } from './contract/suite.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { subscribeSuite } from './subscribe/suite.ts'
import { startSqld, type Sqld } from './sqld.ts'

let sqld: Sqld
before(async () => {
  sqld = await startSqld()
})
after(async () => {
  await sqld?.stop()
  sqld?.cleanup()
})

describe('node server on sqld', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node', { env: { DATABASE_URL: sqld.url, LOG_LEVEL: 'error' } })
  })
  after(async () => {
    await server?.stop()
  })
  contractSuite('node on sqld', () => server.baseUrl)
})

subscribeSuite('node', () => ({ DATABASE_URL: sqld.url, POLL_INTERVAL_MS: '100' }))

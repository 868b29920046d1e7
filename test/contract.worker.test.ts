// The HTTP contract of docs/api.md against the Cloudflare Worker (src/worker.ts) under
// workerd, on a local D1 database: the whole stack a deploy runs, minus the network.
import { after, before, describe } from 'node:test'
import { contractSuite } from './contract/suite.ts'
import { limitsEnv } from './contract/limits.ts'
import { startLocalWorker, type LocalWorker } from './worker/start.ts'

describe('worker (workerd + local D1)', () => {
  let worker: LocalWorker
  before(async () => {
    worker = await startLocalWorker({ ...limitsEnv, LOG_LEVEL: 'error' })
  })
  after(async () => {
    await worker?.stop()
  })

  contractSuite('worker', () => worker.baseUrl)
})

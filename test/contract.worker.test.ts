// The HTTP contract of docs/api.md against the Cloudflare Worker (src/worker.ts) under
// workerd, on a local D1 database: the bundle a deploy uploads, minus the network.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { contractSuite } from './contract/suite.ts'
import { limitsEnv } from './contract/limits.ts'
import { call, expectStatus, newEvent } from './contract/http.ts'
import { openSse } from './subscribe/sse.ts'
import { root, startLocalWorker, type LocalWorker } from './worker/start.ts'

describe('worker (workerd + local D1)', () => {
  let worker: LocalWorker
  before(async () => {
    worker = await startLocalWorker({ ...limitsEnv, LOG_LEVEL: 'error', STORE: 'd1' })
  })
  after(async () => {
    await worker?.stop()
  })

  contractSuite('worker', () => worker.baseUrl)

  describe('edge specifics', () => {
    it('concurrent appends from many requests to one stream: group commit across requests, no lost or doubled revision', async () => {
      const stream = `wk${Date.now().toString(36)}-1`
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) => call(worker.baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent('Concurrent', { i })] } })),
      )
      const revisions = replies.map((r) => expectStatus(r, 201).lastRevision).sort((a: number, b: number) => a - b)
      assert.deepEqual(revisions, Array.from({ length: 40 }, (_, i) => i))
    })

    it('a subscription sees appends made by other requests (polling: nothing in memory is shared)', async () => {
      const category = `wsub${Date.now().toString(36)}`
      const sub = await openSse(`${worker.baseUrl}/v1/subscribe?category=${category}`)
      try {
        assert.equal(sub.status, 200)
        expectStatus(await call(worker.baseUrl, 'POST', `/v1/streams/${category}-1`, { json: { events: [newEvent('Live')] } }), 201)
        const [event] = await sub.take(1)
        assert.equal(event.stream, `${category}-1`)
      } finally {
        sub.close()
      }
    })

    it('has no /metrics (per-isolate counters mean nothing; Workers Analytics and logs replace them)', async () => {
      assert.equal((await call(worker.baseUrl, 'GET', '/metrics')).status, 404)
    })

    it('the bundle stays under the Workers Free plan limit (npm run worker:size)', async () => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/worker-size.ts'], { cwd: root })
      assert.match(stdout, /gzip .* of the free plan/)
    })
  })
})

// Data lifecycle on the Cloudflare Worker under workerd (Miniflare, all local): the
// retention pass runs without POST /v1/retention/run (the cron trigger's scheduled event
// for STORE=d1 and libsql (on sqld), each Durable Object's alarm for STORE=do), and crypto-shredding with an
// ENCRYPTION_KEY secret (WebCrypto): the erasure contract, and a wrong key answered with a
// problem that names it.
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent } from './contract/http.ts'
import { erasureTests } from './contract/subjects.ts'
import { startLocalWorker, type LocalWorker } from './worker/start.ts'
import { startMigratedSqld, type Sqld } from './sqld.ts'

const KEY = randomBytes(32).toString('base64')

/** Resolves once `check` holds, polling it (each check is a request). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
}

for (const store of ['d1', 'libsql', 'do'] as const) {
  describe(`data lifecycle on the Worker (STORE=${store})`, () => {
    let worker: LocalWorker
    let sqld: Sqld | undefined
    let vars: Record<string, string> = { LOG_LEVEL: 'error', STORE: store, ENCRYPTION_KEY: KEY, RETENTION_INTERVAL_MS: '200', RETENTION_BATCH: '4', ...(store === 'do' ? { POLL_INTERVAL_MS: '600000' } : {}) }
    const req = (method: string, path: string, json?: unknown) => call(worker.baseUrl, method, path, { json })
    before(async () => {
      if (store === 'libsql') {
        sqld = await startMigratedSqld()
        vars = { ...vars, DATABASE_URL: sqld.url }
      }
      worker = await startLocalWorker(vars)
    })
    after(async () => {
      await worker?.stop()
      await sqld?.stop()
      sqld?.cleanup()
    })

    erasureTests(() => worker.baseUrl)

    it(`retention removes events with no call to POST /v1/retention/run (${store === 'do' ? "the object's alarm" : 'the cron trigger'})`, async () => {
      const stream = `ret${randomUUID().slice(0, 8)}-1`
      expectStatus(await req('POST', `/v1/streams/${stream}`, { events: Array.from({ length: 5 }, (_, i) => newEvent('Kept', { i })) }), 201)
      expectStatus(await req('PUT', `/v1/retention/streams/${stream}`, { maxCount: 2 }), 200)
      const revisions = async () => expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events.map((e: any) => e.revision)
      assert.deepEqual(await revisions(), [0, 1, 2, 3, 4], 'nothing is removed before the pass runs')
      if (store !== 'do') await worker.scheduled()
      await until(async () => (await revisions()).length === 2, 'the pass to remove the events beyond maxCount')
      assert.deepEqual(await revisions(), [3, 4])
      // the pass keeps running: a later append is trimmed again
      expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [newEvent('Kept', { i: 5 })] }), 201)
      if (store !== 'do') await worker.scheduled()
      await until(async () => (await revisions())[0] === 4, 'the next pass')
      assert.deepEqual(await revisions(), [4, 5])
    })

    it('a delete of more events than RETENTION_BATCH hides them on every route at once; the pass removes them without a call, appends continue', async () => {
      const cat = `big${randomUUID().slice(0, 8)}`
      const stream = `${cat}-1`
      const tag = `t:${cat}`
      const added = expectStatus(await req('POST', `/v1/streams/${stream}`, { events: Array.from({ length: 30 }, (_, i) => ({ ...newEvent('Big', { i }), tags: [tag] })) }), 201)
      const first = added.events[0].position
      assert.deepEqual(expectStatus(await req('DELETE', `/v1/streams/${stream}`), 200), { stream, mode: 'soft', removed: 30, floor: 30, revision: 29 })
      const hidden = async () => {
        expectProblem(await req('GET', `/v1/streams/${stream}`), 404, 'stream-deleted')
        expectProblem(await req('GET', `/v1/streams/${stream}/head`), 404, 'stream-deleted')
        for (const path of [`/v1/all?from=${first}`, `/v1/categories/${cat}?from=0`, `/v1/all?tags=${tag}&from=0`, `/v1/all?types=Big&from=${first}`]) {
          assert.deepEqual(expectStatus(await req('GET', path), 200).events.filter((e: any) => e.stream === stream), [], path)
        }
        assert.deepEqual(expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }], from: 0 }), 200).events, [])
      }
      await hidden()
      if (store !== 'do') await worker.scheduled()
      // the pass (cron or alarm) deletes the rows; reads stay the same, the stream continues
      await hidden()
      assert.equal(expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [newEvent('Again')] }), 201).lastRevision, 30)
    })

    it('a wrong ENCRYPTION_KEY answers every request with a 500 problem naming it, nothing decrypted; the right key serves again', async () => {
      const stream = `wk${randomUUID().slice(0, 8)}-1`
      expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [{ type: 'T', data: { secret: 42 }, tags: [`subject:${randomUUID().slice(0, 8)}`] }] }), 201)
      await worker.restart({ ...vars, ENCRYPTION_KEY: randomBytes(32).toString('base64') })
      for (const path of [`/v1/streams/${stream}`, '/v1/all']) {
        const problem = expectProblem(await req('GET', path), 500, 'start-failed')
        assert.match(problem.detail, /ENCRYPTION_KEY does not unwrap/)
      }
      await worker.restart({ ...vars, ENCRYPTION_KEY: '' })
      assert.match(expectProblem(await req('GET', '/v1/all'), 500, 'start-failed').detail, /ENCRYPTION_KEY is not set/)
      await worker.restart(vars)
      assert.deepEqual(expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events[0].data, { secret: 42 })
    })
  })
}

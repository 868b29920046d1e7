// The sole writer answers GET /v1/streams/:s/head (and the ETag of a stream read) from the
// heads it committed (src/store/commitGroup.ts trustedHead), and reads a stream's last
// event at the position of that head (src/store/reads.ts). Checked against a second app
// on the same file that trusts nothing in memory (sharedWriters: every head from SQL),
// after each kind of change: appends, soft delete, append after it, truncation, retention
// removing every event, hard delete; and per tenant: another tenant's append leaves it alone.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createEventLog } from '../src/core/eventLog.ts'
import { createLifecycle } from '../src/core/lifecycle.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import { createApp } from '../src/http/app.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { tempDir } from './helpers.ts'

describe('stream heads from the sole writer\'s memory', () => {
  const { dir, cleanup } = tempDir()
  const opened: Array<{ store: Store; log: ReturnType<typeof createEventLog> }> = []
  let clock = Date.now()
  const appOn = async (file: string, sharedWriters: boolean) => {
    const store = await openStore({ url: `file:${join(dir, file)}`, durability: 'normal', sharedWriters })
    const log = createEventLog({ ...store, codec, limits: DEFAULT_LIMITS, soleWriter: !sharedWriters })
    opened.push({ store, log })
    assert.equal(store.soleWriter, !sharedWriters)
    return createApp({ log, lifecycle: createLifecycle(store.lifecycle, store.backend, { now: () => clock }) })
  }
  let cached: ReturnType<typeof createApp>
  let fromSql: ReturnType<typeof createApp>
  before(async () => {
    cached = await appOn('a.db', false)
    fromSql = await appOn('a.db', true)
  })
  after(async () => {
    for (const { store, log } of opened) {
      await log.close()
      await store.close()
    }
    cleanup()
  })

  const json = (method: string, body?: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  const write = async (app: ReturnType<typeof createApp>, path: string, method: string, body?: unknown) => {
    const r = await app.request(path, json(method, body))
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${await r.text()}`)
  }
  /** The head and the last event's ETag as both apps answer them: must be the same. */
  const sameHead = async (stream: string, expect: { status: number; revision?: number; type?: string }) => {
    const answer = async (app: ReturnType<typeof createApp>) => {
      const head = await app.request(`/v1/streams/${stream}/head`)
      const last = await app.request(`/v1/streams/${stream}?direction=backward&limit=1`)
      return { status: head.status, etag: head.headers.get('etag'), body: await head.json(), lastStatus: last.status, lastEtag: last.headers.get('etag'), last: await last.text() }
    }
    const mine = await answer(cached)
    assert.deepEqual(mine, await answer(fromSql), `${stream}: the cached head differs from the database's`)
    assert.equal(mine.status, expect.status, JSON.stringify(mine.body))
    if (expect.revision !== undefined) assert.equal(mine.body.revision, expect.revision)
    if (expect.type !== undefined) assert.equal(mine.body.type, `https://edgelog.dev/problems/${expect.type}`)
    return mine
  }
  const events = (n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ type: 'E', data: { i } })) })

  it('after appends, a soft delete, an append after it, truncation and a hard delete', async () => {
    const s = 'cache-1'
    await write(cached, `/v1/streams/${s}`, 'POST', events(3))
    const h = await sameHead(s, { status: 200, revision: 2 })
    assert.equal(h.etag, '"2"')
    await write(cached, `/v1/streams/${s}`, 'DELETE')
    await sameHead(s, { status: 404, type: 'stream-deleted' })
    // a refused append committed in a group with accepted ones reads the deleted head into
    // the writer's memory: still a 404
    const [refused] = await Promise.all([
      cached.request(`/v1/streams/${s}`, json('POST', { ...events(1), expectedRevision: 2 })),
      ...Array.from({ length: 4 }, (_, k) => cached.request(`/v1/streams/cache-other-${k}`, json('POST', events(1)))),
    ])
    assert.equal(refused.status, 409)
    await sameHead(s, { status: 404, type: 'stream-deleted' })
    await write(cached, `/v1/streams/${s}`, 'POST', events(2))
    await sameHead(s, { status: 200, revision: 4 })
    await write(cached, `/v1/streams/${s}/truncate`, 'POST', { before: 4 })
    await sameHead(s, { status: 200, revision: 4 })
    await write(cached, `/v1/streams/${s}/truncate`, 'POST', { before: 5 })
    await sameHead(s, { status: 200, revision: 4 })
    await write(cached, `/v1/streams/${s}`, 'POST', events(1))
    await sameHead(s, { status: 200, revision: 5 })
    await write(cached, `/v1/streams/${s}?hard=true`, 'DELETE')
    await sameHead(s, { status: 410, type: 'stream-tombstoned' })
    const [gone] = await Promise.all([
      cached.request(`/v1/streams/${s}`, json('POST', events(1))),
      ...Array.from({ length: 4 }, (_, k) => cached.request(`/v1/streams/cache-other-${k}`, json('POST', events(1)))),
    ])
    assert.equal(gone.status, 410)
    await sameHead(s, { status: 410, type: 'stream-tombstoned' })
    await sameHead('cache-never', { status: 404, type: 'stream-not-found' })
  })

  it('after retention removed every event of a stream (not a lifecycle call of the writer)', async () => {
    const s = 'cacheage-1'
    await write(cached, `/v1/streams/${s}`, 'POST', events(2))
    await sameHead(s, { status: 200, revision: 1 })
    await write(cached, `/v1/retention/streams/${s}`, 'PUT', { maxAge: 1 })
    clock = Date.now() + 60_000
    for (let i = 0; i < 10; i++) {
      const r = await cached.request('/v1/retention/run', json('POST', {}))
      if ((await r.json()).done) break
    }
    assert.equal(((await (await cached.request(`/v1/streams/${s}`)).json()) as { events: unknown[] }).events.length, 0)
    await sameHead(s, { status: 200, revision: 1 })
    await write(cached, `/v1/streams/${s}`, 'POST', { ...events(1), expectedRevision: 1 })
    await sameHead(s, { status: 200, revision: 2 })
  })

  it("per tenant: each log's writer has its own heads; another tenant's append leaves this one's", async () => {
    const acme = await appOn('acme.db', false)
    const globex = await appOn('globex.db', false)
    await write(acme, '/v1/streams/order-1', 'POST', events(1))
    await write(globex, '/v1/streams/order-1', 'POST', events(5))
    assert.equal((await (await acme.request('/v1/streams/order-1/head')).json()).revision, 0)
    assert.equal((await (await globex.request('/v1/streams/order-1/head')).json()).revision, 4)
    // and neither is the default tenant's file
    assert.equal((await cached.request('/v1/streams/order-1/head')).status, 404)
  })
})

// Faults over the real interface (HTTP via app.request) on a real libSQL file: a full disk
// mid-append loses no acknowledged event and writes nothing half; a database that does not
// answer turns /health to 503; an unexpected error is a 500 problem with no internals.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { EventLog } from '../src/core/eventLog.ts'
import type { EventReader } from '../src/core/types.ts'
import { createApp } from '../src/http/app.ts'
import type { OpenLog } from '../src/logApp.ts'
import { openStore } from '../src/store/node.ts'
import { openSqliteDb } from '../src/store/sqlite.ts'
import { createStore } from '../src/store/store.ts'
import { openLogOn, tempDir } from './helpers.ts'

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('faults', () => {
  const { dir, cleanup } = tempDir()
  const path = `${dir}/faults.db`
  let db: ReturnType<typeof openSqliteDb>
  let opened: OpenLog
  let log: EventLog
  let app: ReturnType<typeof createApp>
  const lines: Array<Record<string, unknown>> = []

  before(async () => {
    await (await openStore({ url: `file:${path}` })).close() // create and migrate
    db = openSqliteDb(path, { durability: 'full' })
    opened = await openLogOn(createStore(db), {}, lines)
    log = opened.log
    app = createApp(opened.deps)
  })
  after(async () => {
    await opened.close()
    cleanup()
  })

  it('a full disk mid-append: 503 with Retry-After, nothing half-written, every acknowledged event kept, and appends resume', async () => {
    const acked: string[] = []
    for (let i = 0; i < 20; i++) {
      const res = await app.request('/v1/streams/disk-1', json({ events: [{ type: 'Filled', data: { i, pad: 'x'.repeat(500) } }] }))
      assert.equal(res.status, 201)
      acked.push(...((await res.json()) as { events: Array<{ id: string }> }).events.map((e) => e.id))
    }
    // SQLite refuses to grow the file past max_page_count: SQLITE_FULL, as a full disk.
    const pages = Number((await db.execute('PRAGMA page_count')).rows[0].page_count)
    await db.execute(`PRAGMA max_page_count = ${pages}`)
    const big = Array.from({ length: 50 }, (_, i) => ({ type: 'TooMuch', data: { i, pad: 'y'.repeat(2000) } }))
    const refused = await Promise.all([
      app.request('/v1/streams/disk-1', json({ events: big })),
      app.request('/v1/streams/disk-2', json({ events: big, expectedRevision: 'no_stream' })),
    ])
    for (const res of refused) {
      assert.equal(res.status, 503)
      assert.equal(res.headers.get('retry-after'), '1')
      const problem = (await res.json()) as { type: string; detail: string }
      assert.equal(problem.type, 'https://edgelog.dev/problems/unavailable')
      assert.doesNotMatch(problem.detail, /SQLITE|full|at /)
    }
    assert.ok(lines.some((l) => l.level === 'error' && /full/i.test(String(l.error))), 'the cause is logged')

    // nothing of the refused appends exists; every acknowledged one does
    const read = await app.request('/v1/streams/disk-1?limit=1000')
    const page = (await read.json()) as { events: Array<{ id: string; revision: number; type: string }> }
    assert.deepEqual(page.events.map((e) => e.id), acked)
    assert.deepEqual(page.events.map((e) => e.revision), acked.map((_, i) => i))
    assert.equal((await app.request('/v1/streams/disk-2/head')).status, 404)

    // space comes back: the same append now commits at the next revision, no gap
    await db.execute('PRAGMA max_page_count = 1073741823')
    const res = await app.request('/v1/streams/disk-1', json({ events: big, expectedRevision: 19 }))
    assert.equal(res.status, 201)
    assert.equal(((await res.json()) as { firstRevision: number }).firstRevision, 20)
  })

  it('/health is 503 when the database does not answer, and an unexpected error is a 500 problem without internals', async () => {
    const broken: EventReader = {
      ...log.reader,
      ping: async () => {
        throw new Error('connection refused by libsql://db.example')
      },
      readAll: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'position')")
      },
    }
    const brokenApp = createApp({ log: { ...log, reader: broken }, logger: (l) => lines.push(l) })
    const health = await brokenApp.request('/health')
    assert.equal(health.status, 503)
    assert.equal(((await health.json()) as { status: string }).status, 'degraded')

    const res = await brokenApp.request('/v1/all', { headers: { 'x-request-id': 'req-500' } })
    assert.equal(res.status, 500)
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/)
    const text = await res.text()
    assert.doesNotMatch(text, /TypeError|position'|\.ts:\d|at /)
    const problem = JSON.parse(text) as { type: string; detail: string }
    assert.equal(problem.type, 'https://edgelog.dev/problems/internal-error')
    assert.match(problem.detail, /req-500/)
    assert.ok(lines.some((l) => l.requestId === 'req-500' && /TypeError/.test(String(l.error))), 'the stack is logged, with the request id')
  })
})

// Another connection holding the file's write lock (SHARED_WRITERS, a backup, the sqlite3
// shell): the synchronous driver used to wait inside SQLite for up to 10 s, holding the
// event loop, so /health and every read hung with the append. Now the append waits in
// timers: everything else is answered meanwhile; the append commits once the lock is
// free, or is a 503 once the wait passes its bound.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'libsql'
import { createApp } from '../src/http/app.ts'
import { openStore } from '../src/store/node.ts'
import type { Db } from '../src/store/db.ts'
import { openSqliteDb } from '../src/store/sqlite.ts'
import { createStore } from '../src/store/store.ts'
import { openLogOn, tempDir } from './helpers.ts'

const append = (type: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ type, data: { n: 1 } }] }) })

type Locked = { app: ReturnType<typeof createApp>; release: () => void; writing: () => Promise<void> }

async function withLockedFile(busyTimeoutMs: number, body: (t: Locked) => Promise<void>) {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'locked.db')
  await (await openStore({ url: `file:${path}` })).close() // create and migrate
  const db = openSqliteDb(path, { durability: 'full', busyTimeoutMs })
  // `writing()`: resolves once a write transaction was asked of the database (the append
  // reached the lock); with a wait that holds the thread, only after that wait
  let asked = () => {}
  let writeAsked = new Promise<void>((r) => (asked = r))
  const watched: Db = {
    ...db,
    batch(stmts, mode, options) {
      if (mode === 'write') asked()
      return db.batch(stmts, mode, options)
    },
  }
  const opened = await openLogOn(createStore(watched))
  const app = createApp(opened.deps)
  // seed a stream, so reads have something to read while the lock is held
  assert.equal((await app.request('/v1/streams/seed', append('Seeded'))).status, 201)
  const other = new Database(path, { timeout: 0 })
  other.exec('BEGIN IMMEDIATE')
  let held = true
  const release = () => {
    if (held) other.exec('COMMIT')
    held = false
  }
  writeAsked = new Promise<void>((r) => (asked = r))
  try {
    await body({ app, release, writing: () => writeAsked })
  } finally {
    release()
    other.close()
    await opened.close()
    cleanup()
  }
}

/** A promise's outcome so far: settled or not, without waiting for it. */
function track<T>(p: Promise<T>) {
  const state = { settled: false }
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

describe('local file: the write lock held by another connection', () => {
  it('an append waits for it without holding the event loop: /health and reads answer meanwhile, and the append commits once it is free', async () => {
    await withLockedFile(20_000, async ({ app, release, writing }) => {
      const pending = Promise.resolve(app.request('/v1/streams/waiting', append('Waited')))
      const appendState = track(pending)
      await writing()
      const health = await app.request('/health')
      assert.equal(health.status, 200)
      const read = await app.request('/v1/streams/seed')
      assert.equal(read.status, 200)
      assert.equal(((await read.json()) as { events: unknown[] }).events.length, 1)
      // answered while the append still waits for the lock
      assert.equal(appendState.settled, false, 'the append settled before /health answered: the wait held the event loop')
      release()
      const answered = await pending
      assert.equal(answered.status, 201, await answered.clone().text())
      const stored = (await (await app.request('/v1/streams/waiting')).json()) as { events: Array<{ type: string }> }
      assert.deepEqual(stored.events.map((e) => e.type), ['Waited'])
    })
  })

  it('a lock held past the bound: the append is a 503 that wrote nothing, and the server answered throughout', async () => {
    await withLockedFile(300, async ({ app, release, writing }) => {
      const pending = Promise.resolve(app.request('/v1/streams/refused', append('Refused')))
      const appendState = track(pending)
      await writing()
      assert.equal((await app.request('/health')).status, 200)
      assert.equal(appendState.settled, false)
      const answered = await pending
      assert.equal(answered.status, 503, await answered.clone().text())
      release()
      assert.equal((await app.request('/v1/streams/refused')).status, 404)
      assert.equal((await app.request('/v1/streams/refused', append('Later'))).status, 201)
    })
  })
})

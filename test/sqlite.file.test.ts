import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, statSync } from 'node:fs'
import { describe, it } from 'node:test'
import { openSqliteDb } from '../src/store/sqlite.ts'
import { tempDir } from './helpers.ts'

const synchronous = async (db: ReturnType<typeof openSqliteDb>) => Number((await db.execute('PRAGMA synchronous')).rows[0].synchronous)

describe('local libSQL file: durability per write', () => {
  it('a relaxed write commits, and the connection is back to FULL for the next one (even after a failed write)', async () => {
    const { dir, cleanup } = tempDir()
    const db = openSqliteDb(`${dir}/d.db`, { durability: 'full' })
    try {
      assert.equal(await synchronous(db), 2)
      await db.execute('CREATE TABLE t (x INTEGER PRIMARY KEY)')
      await db.batch([{ sql: 'INSERT INTO t VALUES (?)', args: [1] }], 'write', { relaxed: true })
      assert.equal(await synchronous(db), 2)
      await assert.rejects(db.batch([{ sql: 'INSERT INTO t VALUES (?)', args: [1] }], 'write', { relaxed: true }), /UNIQUE/)
      assert.equal(await synchronous(db), 2)
      assert.deepEqual((await db.execute('SELECT x FROM t')).rows, [{ x: 1 }])
    } finally {
      db.close()
      cleanup()
    }
  })

  it('with durability normal a relaxed write leaves it normal', async () => {
    const { dir, cleanup } = tempDir()
    const db = openSqliteDb(`${dir}/d.db`, { durability: 'normal' })
    try {
      await db.execute('CREATE TABLE t (x)')
      await db.batch([{ sql: 'INSERT INTO t VALUES (?)', args: [1] }], 'write', { relaxed: true })
      assert.equal(await synchronous(db), 1)
    } finally {
      db.close()
      cleanup()
    }
  })
})

describe('local libSQL file: a statement that ends in LIMIT 1', () => {
  it('answers no row or its one row, and is done with it: no read stays open on the file', async () => {
    const { dir, cleanup } = tempDir()
    const db = openSqliteDb(`${dir}/d.db`, { durability: 'normal' })
    // another connection: its checkpoint can empty the WAL only if no read of ours holds a snapshot
    const other = openSqliteDb(`${dir}/d.db`, { durability: 'normal' })
    try {
      await db.execute('CREATE TABLE t (x INTEGER PRIMARY KEY, s TEXT)')
      const last = { sql: 'SELECT x, s FROM t WHERE x < ? ORDER BY x DESC LIMIT 1', args: [100] as number[] }
      assert.deepEqual((await db.execute(last)).rows, [])
      await db.batch([1, 2, 3].map((x) => ({ sql: 'INSERT INTO t VALUES (?, ?)', args: [x, `s${x}`] })), 'write')
      const { rows } = await db.execute(last)
      assert.deepEqual(rows.map((r) => [r.x, r.s]), [[3, 's3']])
      // more rows matched than were stepped: the statement must still have been reset
      await other.batch([{ sql: 'INSERT INTO t VALUES (?, ?)', args: [4, 's4'] }], 'write')
      const [checkpoint] = (await other.execute('PRAGMA wal_checkpoint(TRUNCATE)')).rows
      assert.equal(Number(checkpoint.busy), 0, JSON.stringify(checkpoint))
      assert.deepEqual((await db.execute({ ...last, args: [4] })).rows.map((r) => r.x), [3])
    } finally {
      other.close()
      db.close()
      cleanup()
    }
  })
})

describe('local libSQL file: close', () => {
  it('checkpoints the WAL into the main file: a copy of the file alone has every row', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const db = openSqliteDb(`${dir}/d.db`, { durability: 'full' })
      await db.execute('CREATE TABLE t (x INTEGER PRIMARY KEY)')
      await db.batch(Array.from({ length: 50 }, (_, i) => ({ sql: 'INSERT INTO t VALUES (?)', args: [i] })), 'write')
      assert.ok(statSync(`${dir}/d.db-wal`).size > 0, 'the rows are in the WAL before close')
      db.close()
      assert.equal(statSync(`${dir}/d.db-wal`).size, 0)
      mkdirSync(`${dir}/copy`)
      copyFileSync(`${dir}/d.db`, `${dir}/copy/d.db`)
      const copy = openSqliteDb(`${dir}/copy/d.db`, { durability: 'full' })
      assert.equal(Number((await copy.execute('SELECT count(*) AS n FROM t')).rows[0].n), 50)
      copy.close()
    } finally {
      cleanup()
    }
  })

  it('does not fail while another connection holds a read snapshot; the WAL keeps what it could not copy', async () => {
    const { dir, cleanup } = tempDir()
    const { default: Database } = await import('libsql')
    try {
      const db = openSqliteDb(`${dir}/d.db`, { durability: 'full' })
      await db.execute('CREATE TABLE t (x INTEGER PRIMARY KEY)')
      await db.batch([{ sql: 'INSERT INTO t VALUES (1)', args: [] }], 'write')
      const reader = new Database(`${dir}/d.db`)
      reader.exec('BEGIN')
      assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1) // the snapshot is taken
      await db.batch([{ sql: 'INSERT INTO t VALUES (2)', args: [] }], 'write')
      db.close() // the checkpoint cannot pass the reader's snapshot: best effort, no throw
      reader.exec('COMMIT')
      assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2)
      reader.close()
      const again = openSqliteDb(`${dir}/d.db`, { durability: 'full' })
      assert.equal(Number((await again.execute('SELECT count(*) AS n FROM t')).rows[0].n), 2)
      again.close()
    } finally {
      cleanup()
    }
  })
})

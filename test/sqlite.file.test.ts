import assert from 'node:assert/strict'
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

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { execFile } from 'node:child_process'
import { createClient } from '@libsql/client'
import { migrate } from '../src/store/migrate.ts'
import { MIGRATIONS } from '../src/store/node.ts'
import { tempDir } from './helpers.ts'

describe('migrations', () => {
  it('two processes migrating the same new file at once apply each migration once', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const url = `file:${dir}/m.db`
      const run = () =>
        new Promise<number>((resolve, reject) => {
          execFile(process.execPath, ['--import', 'tsx', 'test/fixtures/migrate-once.ts', url], (err, stdout) =>
            err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!).applied))
        })
      const applied = await Promise.all([run(), run()])
      const client = createClient({ url })
      const rows = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations')
      const tables = await client.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events'")
      assert.equal(Number(tables.rows[0].n), 1)
      assert.equal(Number(rows.rows[0].n), applied[0] + applied[1])
      assert.ok(applied.includes(0), 'the second migrator found nothing to do')
      assert.equal(await migrate(client, MIGRATIONS), 0)
      client.close()
    } finally {
      cleanup()
    }
  })
})

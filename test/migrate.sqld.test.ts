// `npm run migrate` and start-up against a real libSQL server (sqld) with JWT auth: what
// failed is said in words (unreachable, refused credentials, read-only token), and
// drizzle's bookkeeping rows get an id.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { createClient } from '@libsql/client'
import { freePort, startServer } from './contract/server.ts'
import { jwtKeys, startSqld, type Sqld } from './sqld.ts'
import { root } from './worker/start.ts'

function migrate(env: Record<string, string>) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: root, env: { ...process.env, DATABASE_AUTH_TOKEN: '', ...env }, timeout: 60_000 }, (_e, stdout, stderr) =>
      resolve({ code: child.exitCode, out: stdout + stderr }))
  })
}

describe('npm run migrate and start-up against sqld with JWT auth', () => {
  const keys = jwtKeys()
  let sqld: Sqld
  before(async () => {
    sqld = await startSqld({ jwtKey: keys.publicKey })
  })
  after(async () => {
    await sqld?.stop()
    sqld?.cleanup()
  })

  it('a refused connection: exit 1 saying the server cannot be reached', async () => {
    const { code, out } = await migrate({ DATABASE_URL: `http://127.0.0.1:${await freePort()}` })
    assert.equal(code, 1, out)
    assert.match(out, /cannot reach the server .*ECONNREFUSED/, out)
    assert.doesNotMatch(out, /^\s+at /m, out)
  })

  it('a missing, wrong or expired token: exit 1 naming DATABASE_AUTH_TOKEN and the 401', async () => {
    for (const token of ['', 'not-a-jwt', keys.token({ exp: 1000 })]) {
      const { code, out } = await migrate({ DATABASE_URL: sqld.url, DATABASE_AUTH_TOKEN: token })
      assert.equal(code, 1, out)
      assert.match(out, /HTTP 401.*DATABASE_AUTH_TOKEN is missing, wrong or expired/, out)
      assert.doesNotMatch(out, /^\s+at /m, out)
    }
  })

  it('a read-only token: exit 1 saying so', async () => {
    const { code, out } = await migrate({ DATABASE_URL: sqld.url, DATABASE_AUTH_TOKEN: keys.token({ a: 'ro' }) })
    assert.equal(code, 1, out)
    assert.match(out, /HTTP 403.*read-only/, out)
  })

  it("a good token: applies, then finds nothing to do; drizzle-kit's NULL ids are numbered", async () => {
    const token = keys.token()
    const client = createClient({ url: sqld.url, authToken: token })
    // What drizzle-kit's own migrator leaves: `id SERIAL PRIMARY KEY` is no rowid alias.
    await client.execute('CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)')
    await client.execute("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('older', 1)")
    const first = await migrate({ DATABASE_URL: sqld.url, DATABASE_AUTH_TOKEN: token })
    assert.equal(first.code, 0, first.out)
    assert.match(first.out, /applied \d+ migration/)
    const again = await migrate({ DATABASE_URL: sqld.url, DATABASE_AUTH_TOKEN: token })
    assert.match(again.out, /already up to date/, again.out)
    const rows = (await client.execute('SELECT id FROM __drizzle_migrations ORDER BY created_at')).rows
    assert.ok(rows.length >= 2)
    assert.ok(rows.every((r) => r.id !== null), JSON.stringify(rows))
    assert.equal(Number((await client.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events'")).rows[0].n), 1)
    client.close()
  })

  it('start-up with a read-only token exits 1 with a clear message, no stack trace', async () => {
    const err = await startServer('node', { env: { DATABASE_URL: sqld.url, DATABASE_AUTH_TOKEN: keys.token({ a: 'ro' }) } }).then(
      (s) => (s.stop(), assert.fail('started with a read-only token')),
      (e: Error) => e,
    )
    assert.match(err.message, /exited during startup \(code 1/, err.message)
    assert.match(err.message, /cannot start: database http:\/\/127\.0\.0\.1:\d+: .*read-only/, err.message)
    assert.doesNotMatch(err.message, /^\s+at /m, err.message)
  })
})

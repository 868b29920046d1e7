// `npm run migrate`: applies migrations/ to DATABASE_URL (a remote libSQL server, or a
// file) before a deploy, with drizzle-kit's bookkeeping table (src/store/migrate.ts), and
// says what failed: an unreachable server, refused credentials, a read-only token.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createClient } from '@libsql/client'
import { migrate } from '../src/store/migrate.ts'
import { MIGRATIONS } from '../src/store/node.ts'
import { explainOpenError, fetchWithTimeout, redact } from '../src/store/remote.ts'

const url = process.env.DATABASE_URL || 'file:./data/edgelog.db'
const timeoutMs = Number(process.env.DATABASE_TIMEOUT_MS || 30_000)
const local = url.startsWith('file:')
const where = local ? url : redact(url)
if (local) mkdirSync(dirname(url.slice('file:'.length)) || '.', { recursive: true })
const client = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN || undefined, fetch: local ? undefined : fetchWithTimeout(timeoutMs) })
try {
  const applied = await migrate(client, MIGRATIONS)
  console.log(`migrate: ${where}: ${applied ? `applied ${applied} migration${applied > 1 ? 's' : ''}` : 'already up to date'}`)
} catch (e) {
  console.error(`migrate: ${explainOpenError(e, where).message}`)
  process.exitCode = 1
} finally {
  client.close()
}

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrate } from './migrate.ts'
import { explainOpenError, fetchWithTimeout, redact, remoteDb } from './remote.ts'
import { createStore, type Store, type StoreOptions } from './store.ts'

export interface OpenOptions extends StoreOptions {
  url: string
  authToken?: string
  /** local files: full fsyncs every commit (default); normal may lose the last commits on power loss */
  durability?: 'full' | 'normal'
  /** apply migrations/ at start (default true) */
  migrate?: boolean
  /** remote: each database request answers or fails within this (default 5000) */
  timeoutMs?: number
  /** remote: keep an embedded replica in this local file and read from it (REPLICA_PATH) */
  replicaPath?: string
  /** replica: sync with the primary this often (default 1000) */
  replicaSyncIntervalMs?: number
  /** replica: where sync failures are logged */
  logger?: (line: Record<string, unknown>) => void
}

export const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url))

/**
 * Opens the store on Node, Bun or Deno: a local libSQL file (WAL) or a remote server,
 * migrated at start.
 */
export async function openStore(options: OpenOptions): Promise<Store> {
  const local = options.url.startsWith('file:')
  if (local && options.replicaPath) {
    const e = new Error('REPLICA_PATH keeps a replica of a remote primary: DATABASE_URL must be a libsql://, https:// or http:// URL, not a file.')
    e.name = 'DatabaseOpenError'
    throw e
  }
  const path = local ? options.url.slice('file:'.length) : ''
  if (local) {
    try {
      mkdirSync(dirname(path) || '.', { recursive: true })
    } catch (e) {
      throw explainFileError(e, path)
    }
  }
  // The native drivers load only for a local file: a remote URL needs none of them, and
  // Deno Deploy cannot load native add-ons at all (@libsql/client's node build would).
  const { createClient } = local ? await import('@libsql/client') : await import('@libsql/client/web')
  // Migrations need an interactive transaction (check, then apply, under one lock).
  const timeoutMs = options.timeoutMs ?? 5_000
  let client: ReturnType<typeof createClient>
  try {
    client = local
      ? createClient({ url: options.url, concurrency: 1, timeout: 10_000 })
      : createClient({ url: options.url, authToken: options.authToken, fetch: fetchWithTimeout(timeoutMs) })
  } catch (e) {
    throw local ? explainFileError(e, path) : e
  }
  try {
    // auto_vacuum takes effect only before the first table exists (a new file): retention's
    // incremental vacuum can then return freed pages to the file system (docs/api.md).
    if (local) await client.execute('PRAGMA auto_vacuum = INCREMENTAL')
    if (local) await client.execute('PRAGMA journal_mode = WAL')
    if (options.migrate !== false) await migrate(client, MIGRATIONS)
  } catch (e) {
    client.close()
    throw local ? explainFileError(e, path) : explainOpenError(e, redact(options.url))
  }
  if (!local) {
    const replica = options.replicaPath ? await openLocalReplica(options, timeoutMs) : undefined
    return createStore(remoteDb(client, { timeoutMs, where: redact(options.url) }), { ...options, replica })
  }
  client.close()
  const { openSqliteDb } = await import('./sqlite.ts')
  return createStore(openSqliteDb(path, { durability: options.durability ?? 'full' }), options)
}

/**
 * A local file that cannot be opened, created or written (a directory, a path under a
 * file, no permission, a read-only mount) as one line for the log, no stack trace:
 * edgelog writes the file and, beside it, its -wal and -shm files. Errors of the data
 * itself (a migration that fails) are left as they are.
 */
function explainFileError(e: unknown, path: string): unknown {
  const text = `${(e as { code?: string })?.code ?? ''} ${(e as Error)?.message ?? e}`
  let why: string | undefined
  if (/SQLITE_READONLY|readonly database|EROFS/i.test(text)) why = 'the file or its directory is read-only; edgelog writes the file and its -wal and -shm files beside it'
  else if (/SQLITE_CANTOPEN|unable to open|open connection to local database|ENOTDIR|EACCES|EPERM|EISDIR/i.test(text))
    why = 'it cannot be opened or created there (a directory, a path under a file, or no permission)'
  if (!why) return e
  const error = new Error(`database file ${path}: ${why} (${String((e as Error)?.message ?? e).slice(0, 200)})`, { cause: e })
  error.name = 'DatabaseOpenError'
  return error
}

/** The embedded replica of a remote primary (native driver), synced once before serving. */
async function openLocalReplica(options: OpenOptions, timeoutMs: number) {
  const path = options.replicaPath!
  mkdirSync(dirname(path) || '.', { recursive: true })
  const { createClient } = await import('@libsql/client')
  const client = createClient({ url: `file:${path}`, syncUrl: options.url, authToken: options.authToken })
  try {
    await client.sync()
  } catch (e) {
    client.close()
    throw explainOpenError(e, `${redact(options.url)} (replica sync to ${path})`)
  }
  const { openReplica } = await import('./replica.ts')
  return openReplica(client, { intervalMs: options.replicaSyncIntervalMs ?? 1000, timeoutMs, logger: options.logger })
}

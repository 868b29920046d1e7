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
  if (local) mkdirSync(dirname(path) || '.', { recursive: true })
  // The native drivers load only for a local file: a remote URL needs none of them, and
  // Deno Deploy cannot load native add-ons at all (@libsql/client's node build would).
  const { createClient } = local ? await import('@libsql/client') : await import('@libsql/client/web')
  // Migrations need an interactive transaction (check, then apply, under one lock).
  const timeoutMs = options.timeoutMs ?? 5_000
  const client = local
    ? createClient({ url: options.url, concurrency: 1, timeout: 10_000 })
    : createClient({ url: options.url, authToken: options.authToken, fetch: fetchWithTimeout(timeoutMs) })
  try {
    // auto_vacuum takes effect only before the first table exists (a new file): retention's
    // incremental vacuum can then return freed pages to the file system (docs/api.md).
    if (local) await client.execute('PRAGMA auto_vacuum = INCREMENTAL')
    if (local) await client.execute('PRAGMA journal_mode = WAL')
    if (options.migrate !== false) await migrate(client, MIGRATIONS)
  } catch (e) {
    client.close()
    throw local ? e : explainOpenError(e, redact(options.url))
  }
  if (!local) {
    const replica = options.replicaPath ? await openLocalReplica(options, timeoutMs) : undefined
    return createStore(remoteDb(client, { timeoutMs, where: redact(options.url) }), { ...options, replica })
  }
  client.close()
  const { openSqliteDb } = await import('./sqlite.ts')
  return createStore(openSqliteDb(path, { durability: options.durability ?? 'full' }), options)
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

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrate } from './migrate.ts'
import { createStore, type Store, type StoreOptions } from './store.ts'

export interface OpenOptions extends StoreOptions {
  url: string
  authToken?: string
  /** local files: full fsyncs every commit (default); normal may lose the last commits on power loss */
  durability?: 'full' | 'normal'
  /** apply migrations/ at start (default true) */
  migrate?: boolean
}

export const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url))

/**
 * Opens the store on Node, Bun or Deno: a local libSQL file (WAL) or a remote server,
 * migrated at start.
 */
export async function openStore(options: OpenOptions): Promise<Store> {
  const local = options.url.startsWith('file:')
  const path = local ? options.url.slice('file:'.length) : ''
  if (local) mkdirSync(dirname(path) || '.', { recursive: true })
  // The native drivers load only for a local file: a remote URL needs none of them, and
  // Deno Deploy cannot load native add-ons at all (@libsql/client's node build would).
  const { createClient } = local ? await import('@libsql/client') : await import('@libsql/client/web')
  // Migrations need an interactive transaction (check, then apply, under one lock).
  const client = createClient({ url: options.url, authToken: options.authToken, concurrency: local ? 1 : undefined, timeout: local ? 10_000 : undefined })
  // auto_vacuum takes effect only before the first table exists (a new file): retention's
  // incremental vacuum can then return freed pages to the file system (docs/api.md).
  if (local) await client.execute('PRAGMA auto_vacuum = INCREMENTAL')
  if (local) await client.execute('PRAGMA journal_mode = WAL')
  if (options.migrate !== false) await migrate(client, MIGRATIONS)
  if (!local) return createStore(client, options)
  client.close()
  const { openSqliteDb } = await import('./sqlite.ts')
  return createStore(openSqliteDb(path, { durability: options.durability ?? 'full' }), options)
}

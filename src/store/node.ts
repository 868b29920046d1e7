import { createClient } from '@libsql/client'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrate } from './migrate.ts'
import { createStore, type Store, type StoreOptions } from './store.ts'

export interface OpenOptions extends StoreOptions {
  url: string
  authToken?: string
  /** full: fsync every commit (default); normal: WAL's default, may lose the last commits on power loss */
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
  if (local) mkdirSync(dirname(options.url.slice('file:'.length)) || '.', { recursive: true })
  // One connection for a local file: the native driver is synchronous, so more would only
  // contend for the write lock, and per-connection PRAGMAs below must hold for every query.
  const client = createClient({
    url: options.url,
    authToken: options.authToken,
    concurrency: local ? 1 : undefined,
    timeout: local ? 10_000 : undefined,
  })
  if (local) {
    await client.execute('PRAGMA journal_mode = WAL')
    await client.execute(`PRAGMA synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`)
  }
  if (options.migrate !== false) await migrate(client, MIGRATIONS)
  return createStore(client, options)
}

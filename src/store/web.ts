import { createClient } from '@libsql/client/web'
import { d1Db, type D1Binding } from './d1.ts'
import { fetchWithTimeout, redact, remoteDb } from './remote.ts'
import { createStore, type Store } from './store.ts'

export interface WebStoreOptions {
  /** each database request answers or fails within this (DATABASE_TIMEOUT_MS) */
  timeoutMs?: number
  /** which database the Worker writes to (wrangler.toml var STORE) */
  store: 'd1' | 'libsql'
  /** the D1 binding, for store 'd1' */
  d1?: D1Binding
  /** libsql:// or https:// URL and token (Worker secrets), for store 'libsql' */
  url?: string
  authToken?: string
}

/**
 * Opens the store where there is no file system (Cloudflare Workers): D1 through its
 * binding, or a remote libSQL server through @libsql/client's web build. Nothing is
 * trusted in memory across requests (protocol is never 'file'); schema migrations run
 * before deploy (`wrangler d1 migrations apply`, `npm run migrate`), not here.
 */
export function openWebStore(options: WebStoreOptions): Store {
  if (options.store === 'd1') {
    if (!options.d1) throw new Error('STORE is "d1" but there is no D1 binding named DB: add [[d1_databases]] to wrangler.toml.')
    return createStore(d1Db(options.d1))
  }
  const url = options.url ?? ''
  // A WebSocket is an I/O object bound to the request that opened it: a client shared by
  // every request of an isolate must speak HTTP (libsql:// means https:// here).
  if (!/^(libsql|https?):\/\//.test(url)) {
    throw new Error(`STORE is "libsql": DATABASE_URL must be a libsql://, https:// or http:// URL (set it with \`wrangler secret put DATABASE_URL\`), got '${redact(url)}'.`)
  }
  const timeoutMs = options.timeoutMs ?? 5_000
  // No request may start another's I/O: workerd cancels it with the request that started
  // it ("Promise will never complete"). @libsql/client's limit (`concurrency || 20`, so 0
  // does not disable it) starts a queued call from the call that freed the slot, another
  // request's context; so it must never queue. No semaphore of ours either: a slot handed
  // to a request that was cancelled meanwhile would be lost for good. Each request's calls
  // start in its own context; workerd bounds the requests of an isolate.
  const client = createClient({ url, authToken: options.authToken, concurrency: Number.MAX_SAFE_INTEGER, fetch: fetchWithTimeout(timeoutMs) })
  return createStore(remoteDb(client, { timeoutMs, where: redact(url) }))
}

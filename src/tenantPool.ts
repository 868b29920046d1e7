import type { Config } from './config.ts'
import { unavailable } from './core/errors.ts'
import { createEventLog, type EventLog } from './core/eventLog.ts'
import { createApp } from './http/app.ts'
import { DEFAULT_TENANT, type TenantRouter } from './http/tenants.ts'
import { codec } from './store/codec.ts'
import { openStore } from './store/node.ts'
import type { Store } from './store/store.ts'

/** `file:./data/{tenant}.db` -> `file:./data/acme.db`; a URL without `{tenant}` serves one log. */
export const tenantUrl = (template: string, tenant: string) => template.replaceAll('{tenant}', tenant)
export const isTenantTemplate = (url: string) => url.includes('{tenant}')

interface Open {
  log: EventLog
  store: Store
  app: ReturnType<typeof createApp>
}

interface Entry {
  ready: Promise<Open>
  /** requests being answered (an SSE response counts through its subscription instead) */
  inflight: number
  lastUsed: number
}

export interface TenantPool extends TenantRouter {
  /** tenants open now, the default one excluded */
  readonly size: number
  /** ends every tenant's subscriptions (shutdown, before the server waits for connections) */
  endSubscriptions(): void
  /** drains every tenant's writer and closes its database */
  close(): Promise<void>
}

/**
 * Tenants on Node, Bun and Deno: each tenant's own database, named by DATABASE_URL with
 * `{tenant}` in it (a local file, or a remote libSQL database per tenant), opened and
 * migrated on its first request, closed when idle for TENANT_IDLE_MS, at most
 * MAX_OPEN_TENANTS open at once (the least recently used idle one closes to make room;
 * when none is idle, a 503 with Retry-After). The default tenant is the server's own log.
 */
export function createTenantPool(config: Config, defaultLog: EventLog, logger: (line: Record<string, unknown>) => void = () => {}): TenantPool {
  const entries = new Map<string, Entry>() // in least-recently-used order
  const closing = new Map<string, Promise<void>>()
  const defaultApp = createApp({ log: defaultLog, sse: { heartbeatMs: config.sseHeartbeatMs } })
  let closed = false

  const open = async (tenant: string): Promise<Open> => {
    await closing.get(tenant)
    const store = await openStore({ url: tenantUrl(config.databaseUrl, tenant), authToken: config.databaseAuthToken, durability: config.durability, sharedWriters: config.sharedWriters })
    const log = createEventLog({
      ...store,
      codec,
      limits: config.limits,
      writer: config.writer,
      liveSignal: store.trustCache,
      pollIntervalMs: config.pollIntervalMs,
    })
    logger({ level: 'info', msg: 'tenant opened', tenant })
    return { log, store, app: createApp({ log, sse: { heartbeatMs: config.sseHeartbeatMs } }) }
  }

  const busy = (e: Entry, o: Open | undefined) => e.inflight > 0 || !o || o.log.subscriptions.stats().active > 0
  const settled = new Map<Entry, Open>()

  const evict = (tenant: string, e: Entry, reason: 'idle' | 'lru' | 'shutdown') => {
    entries.delete(tenant)
    const o = settled.get(e)!
    settled.delete(e)
    const done = (async () => {
      await o.log.close()
      // libsql releases a closed file's descriptors when the handle is garbage-collected.
      await o.store.close()
      logger({ level: 'info', msg: 'tenant closed', tenant, reason })
    })().finally(() => closing.delete(tenant))
    closing.set(tenant, done)
    return done
  }

  const makeRoom = () => {
    for (const [tenant, e] of entries) {
      if (entries.size < config.maxOpenTenants) return
      if (!busy(e, settled.get(e))) void evict(tenant, e, 'lru')
    }
    if (entries.size >= config.maxOpenTenants) {
      throw unavailable(`${config.maxOpenTenants} tenants are busy at once (MAX_OPEN_TENANTS); retry shortly.`, 1)
    }
  }

  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [tenant, e] of entries) if (now - e.lastUsed >= config.tenantIdleMs && !busy(e, settled.get(e))) void evict(tenant, e, 'idle')
  }, Math.max(1000, Math.floor(config.tenantIdleMs / 2)))
  ;(sweep as { unref?: () => void }).unref?.()

  return {
    get size() {
      return entries.size
    },
    async fetch(tenant, request) {
      if (tenant === DEFAULT_TENANT) return defaultApp.fetch(request)
      if (closed) throw unavailable('The server is shutting down.', 1)
      let e = entries.get(tenant)
      if (e) entries.delete(tenant)
      else {
        makeRoom()
        const entry: Entry = { ready: open(tenant), inflight: 0, lastUsed: Date.now() }
        entry.ready.then((o) => settled.set(entry, o), () => entries.get(tenant) === entry && entries.delete(tenant))
        e = entry
      }
      entries.set(tenant, e) // most recently used last
      e.inflight++
      e.lastUsed = Date.now()
      try {
        const { app } = await e.ready
        return await app.fetch(request)
      } finally {
        e.inflight--
        e.lastUsed = Date.now()
      }
    },
    endSubscriptions() {
      for (const o of settled.values()) o.log.subscriptions.close()
    },
    async close() {
      closed = true
      clearInterval(sweep)
      await Promise.allSettled([...entries.values()].map((e) => e.ready))
      await Promise.all([...entries].map(([t, e]) => (settled.has(e) ? evict(t, e, 'shutdown') : undefined)))
      await Promise.all(closing.values())
    },
  }
}

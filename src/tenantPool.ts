import type { Config } from './config.ts'
import { unavailable } from './core/errors.ts'
import { createApp } from './http/app.ts'
import type { AppDeps, LogLine } from './http/deps.ts'
import { DEFAULT_TENANT, errorsOnly, isTenantTemplate, tenantUrl, type TenantRouter } from './http/tenants.ts'
import { openLog, type OpenLog } from './logApp.ts'
import { createMetrics } from './metrics.ts'
import { codec } from './store/codec.ts'
import { openStore } from './store/node.ts'
import type { Registry } from 'prom-client'

export { isTenantTemplate, tenantUrl }

interface Open extends OpenLog {
  app: ReturnType<typeof createApp>
  registry: Registry
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
  /** stops every tenant's retention timer, drains its writer and closes its database */
  close(): Promise<void>
  /** the open tenants' metrics (each series labelled with its tenant) */
  registries(): Registry[]
}

/**
 * Tenants on Node, Bun and Deno: each tenant's own database, named by DATABASE_URL with
 * `{tenant}` in it (a local file, or a remote libSQL database per tenant), opened and
 * migrated on its first request, closed when idle for TENANT_IDLE_MS, at most
 * MAX_OPEN_TENANTS open at once (the least recently used idle one closes to make room;
 * when none is idle, a 503 with Retry-After). The default tenant is the server's own log
 * (`defaultLog`: its deps from openLog). Each tenant is wired as the default log is
 * (src/logApp.ts): lifecycle and its retention timer (while the tenant is open),
 * ENCRYPTION_KEY's subjects, metrics labelled with the tenant. Auth, CORS and request
 * lines stay with the server's app in front.
 */
export function createTenantPool(config: Config, defaultLog: AppDeps, logger: (line: LogLine) => void = () => {}): TenantPool {
  const entries = new Map<string, Entry>() // in least-recently-used order
  const closing = new Map<string, Promise<void>>()
  // /v1/tenants/default/...: the default log without the server's own middleware (already run)
  const defaultApp = createApp({ ...defaultLog, metrics: undefined, logger: errorsOnly(logger, DEFAULT_TENANT) })
  let closed = false

  const open = async (tenant: string): Promise<Open> => {
    await closing.get(tenant)
    const store = await openStore({
      url: tenantUrl(config.databaseUrl, tenant),
      authToken: config.databaseAuthToken,
      timeoutMs: config.databaseTimeoutMs,
      durability: config.durability,
      sharedWriters: config.sharedWriters,
    })
    let registry: Registry | undefined
    const opened = await openLog({
      store,
      config,
      codec,
      logger: errorsOnly(logger, tenant),
      metrics: (log, backend, lifecycle, subjects) => {
        const metrics = createMetrics(log, backend, lifecycle, subjects, { labels: { tenant } })
        registry = metrics.registry
        return metrics
      },
    })
    logger({ level: 'info', msg: 'tenant opened', tenant })
    // The server's app in front records the request's line and HTTP timing; metrics: undefined keeps them single.
    return { ...opened, registry: registry!, app: createApp({ ...opened.deps, metrics: undefined }) }
  }

  const busy = (e: Entry, o: Open | undefined) => e.inflight > 0 || !o || o.log.subscriptions.stats().active > 0
  const settled = new Map<Entry, Open>()

  const evict = (tenant: string, e: Entry, reason: 'idle' | 'lru' | 'shutdown') => {
    entries.delete(tenant)
    const o = settled.get(e)!
    settled.delete(e)
    const done = (async () => {
      // retention timer, writer, database; libsql releases a closed file's descriptors when the handle is garbage-collected.
      await o.close()
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
    registries() {
      return [...settled.values()].map((o) => o.registry)
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


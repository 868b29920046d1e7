import { createApp } from './http/app.ts'
import { createShutdown, type Listener } from './http/shutdown.ts'
import { createLogger, loadConfig, type Config } from './config.ts'
import { loadDocsAssets } from './docsAssets.ts'
import { createMetrics } from './metrics.ts'
import { openLog } from './logApp.ts'
import { codec } from './store/codec.ts'
import { openStore } from './store/node.ts'
import { redact } from './store/remote.ts'
import { createTenantPool, isTenantTemplate, tenantUrl, type TenantPool } from './tenantPool.ts'
import { DEFAULT_TENANT } from './http/tenants.ts'

/**
 * What the Node, Bun and Deno entries share: read config, open (and migrate) the store,
 * build the app, and `stop(listener)`: the bounded graceful stop of src/http/shutdown.ts.
 * Each entry serves `fetch` and, on a signal, exits with the code `stop` resolves.
 */
export async function startEdgelog(env: Record<string, string | undefined>) {
  const config: Config = loadConfig(env)
  const logger = createLogger(config.logLevel)
  const store = await openStore({
    // DATABASE_URL with {tenant}: a database per tenant; this one is the default tenant's.
    url: tenantUrl(config.databaseUrl, DEFAULT_TENANT),
    authToken: config.databaseAuthToken,
    timeoutMs: config.databaseTimeoutMs,
    durability: config.durability,
    sharedWriters: config.sharedWriters,
    replicaPath: config.replicaPath,
    replicaSyncIntervalMs: config.replicaSyncIntervalMs,
    logger,
  }).catch((e: Error) => {
    // Unreachable, refused credentials, a read-only token: say so, no stack trace.
    if (e?.name !== 'DatabaseOpenError') throw e
    logger({ level: 'error', msg: `cannot start: ${e.message}` })
    process.exit(1)
  })
  const opened = await openLog({
    store,
    config,
    codec,
    logger,
    // the open tenants' series beside the default log's at /metrics
    metrics: (log, backend, lifecycle, subjects) => createMetrics(log, backend, lifecycle, subjects, { others: () => tenants?.registries() ?? [] }),
  })
  const { log, deps } = opened
  const tenants: TenantPool | undefined = isTenantTemplate(config.databaseUrl) ? createTenantPool(config, deps, logger) : undefined
  const auth = { tokens: config.authTokens, readTokens: config.readTokens }
  const app = createApp({ ...deps, auth, stopping: () => shutdown.stopping, tenants, corsOrigins: config.corsOrigins, docs: await loadDocsAssets() })

  const where = config.databaseUrl.startsWith('file:') ? config.databaseUrl : redact(config.databaseUrl)
  logger({ level: 'info', msg: `edgelog on ${where}, durability ${config.durability}, ${store.soleWriter ? 'sole writer (heads cached)' : 'shared writers (conditions in SQL)'}` })
  if (config.replicaPath && !config.databaseUrl.startsWith('file:')) logger({ level: 'info', msg: `reads from the replica ${config.replicaPath}, synced every ${config.replicaSyncIntervalMs} ms (REPLICA_SYNC_INTERVAL_MS) and after each commit of this instance` })
  if (!store.soleWriter) logger({ level: 'info', msg: `subscriptions: no in-process commit signal, polling every ${config.pollIntervalMs} ms (POLL_INTERVAL_MS)` })
  if (!auth.tokens.length && !auth.readTokens.length) {
    logger({ level: 'info', msg: 'auth: none configured, the API is open to anyone who can reach it (set AUTH_TOKENS / AUTH_READ_TOKENS)' })
  }

  const shutdown = createShutdown({
    timeoutMs: config.shutdownTimeoutMs,
    log: logger,
    // Open SSE streams and long polls never end by themselves.
    endSubscriptions: () => (log.subscriptions.close(), tenants?.endSubscriptions()),
    close: async () => {
      await tenants?.close()
      await opened.close()
    },
  })
  // Every answer given while stopping carries Connection: close, so keep-alive clients
  // leave rather than send the next request on a connection that has to close.
  const fetch: typeof app.fetch = (request, ...rest) => shutdown.serve(() => app.fetch(request, ...rest))
  return { app, fetch, config, logger, stop: shutdown.stop, idle: shutdown.idle }
}

export type { Listener }

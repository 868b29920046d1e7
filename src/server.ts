import { createEventLog } from './core/eventLog.ts'
import { createApp } from './http/app.ts'
import { createLogger, loadConfig, type Config } from './config.ts'
import { createMetrics } from './metrics.ts'
import { createLifecycle } from './core/lifecycle.ts'
import { openSubjects } from './core/lifecycleSubjects.ts'
import { codec } from './store/codec.ts'
import { openStore } from './store/node.ts'

/**
 * What the Node, Bun and Deno entries share: read config, open (and migrate) the store,
 * build the app, and a shutdown that drains the writer before closing the database.
 */
export async function startEdgelog(env: Record<string, string | undefined>) {
  const config: Config = loadConfig(env)
  const write = createLogger(config.logLevel)
  const store = await openStore({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    durability: config.durability,
    sharedWriters: config.sharedWriters,
  })
  // crypto-shredding: a wrong ENCRYPTION_KEY stops the start here, with what to fix
  const subjects = await openSubjects(store.subjectKeys, codec, config.encryptionKey, config.encryptionKeyPrevious).catch(async (e) => {
    await store.close()
    throw e
  })
  const log = createEventLog({
    backend: store.backend,
    reader: subjects ? subjects.reader(store.reader) : store.reader,
    subjects,
    codec,
    limits: config.limits,
    writer: config.writer,
    consumers: store.consumers,
    // Sole writer: the writer's commits wake subscriptions; otherwise they poll.
    liveSignal: store.trustCache,
    pollIntervalMs: config.pollIntervalMs,
  })
  const auth = { tokens: config.authTokens, readTokens: config.readTokens }
  const lifecycle = createLifecycle(store.lifecycle, store.backend, { retentionBatch: config.retentionBatch })
  lifecycle.start(config.retentionIntervalMs, (e) => write({ level: 'error', msg: 'retention step failed', error: String((e as Error)?.stack ?? e) }))
  const metrics = createMetrics(log, store.backend, lifecycle, subjects)
  const app = createApp({ log, lifecycle, subjects, auth, logger: write, metrics, sse: { heartbeatMs: config.sseHeartbeatMs } })

  const where = config.databaseUrl.startsWith('file:') ? config.databaseUrl : config.databaseUrl.replace(/\/\/.*@/, '//***@')
  write({ level: 'info', msg: `edgelog on ${where}, durability ${config.durability}, ${store.trustCache ? 'sole writer (heads cached)' : 'shared writers (conditions in SQL)'}` })
  if (!store.trustCache) write({ level: 'info', msg: `subscriptions: no in-process commit signal, polling every ${config.pollIntervalMs} ms (POLL_INTERVAL_MS)` })
  if (!auth.tokens.length && !auth.readTokens.length) {
    write({ level: 'info', msg: 'auth: none configured, the API is open to anyone who can reach it (set AUTH_TOKENS / AUTH_READ_TOKENS)' })
  }

  let closing: Promise<void> | undefined
  const shutdown = () =>
    (closing ??= (async () => {
      await lifecycle.stop()
      await log.close()
      await store.close()
      write({ level: 'info', msg: 'edgelog stopped: queue drained, database closed' })
    })())
  // Open SSE streams and long polls never end by themselves: end them before the server
  // waits for its connections to close (Node's server.close, Bun's stop, Deno's shutdown).
  const endSubscriptions = () => log.subscriptions.close()
  return { app, config, shutdown, endSubscriptions, log: write }
}

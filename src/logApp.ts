import type { Config } from './config.ts'
import { createEventLog, type EventLog } from './core/eventLog.ts'
import { createLifecycle, type Lifecycle } from './core/lifecycle.ts'
import { openSubjects, type Subjects } from './core/lifecycleSubjects.ts'
import type { CommitBackend, Codec } from './core/types.ts'
import type { GroupCommitWriterOptions } from './core/groupCommitWriter.ts'
import type { AppDeps, LogLine } from './http/deps.ts'
import type { Store } from './store/store.ts'

/** What a log's app shows at /metrics (src/metrics.ts builds one; Workers have none). */
export type MetricsFactory = (log: EventLog, backend: CommitBackend, lifecycle: Lifecycle, subjects: Subjects | undefined) => NonNullable<AppDeps['metrics']>

export interface LogOptions {
  /** the opened (and migrated) database of this log */
  store: Store
  config: Config
  codec: Codec
  /** error lines (a retention step that failed, a 5xx's cause) */
  logger: (line: LogLine) => void
  /** commits wake subscriptions at once (sole writer); default `store.soleWriter` */
  soleWriter?: boolean
  /** overrides of config.writer */
  writer?: Partial<GroupCommitWriterOptions>
  /**
   * Crypto-shredding keys. Default: ENCRYPTION_KEY (and _PREVIOUS) of `config`, checked
   * against the stored keys; a function to open them another way (undefined: none).
   */
  subjects?: (store: Store) => Promise<Subjects | undefined>
  /** run the retention pass every config.retentionIntervalMs on a timer (default true; a Worker has no timer that outlives a request) */
  retentionTimer?: boolean
  metrics?: MetricsFactory
  /** a delete or truncation left its rows to the retention pass (a Durable Object arms its alarm) */
  onDeferred?: () => void
}

/** One log, wired: what createApp needs for it, and how to close it. */
export interface OpenLog {
  log: EventLog
  lifecycle: Lifecycle
  subjects: Subjects | undefined
  metrics: AppDeps['metrics']
  /** the log's part of createApp's deps; an entry adds auth, CORS, tenants, docs */
  deps: AppDeps
  /** stops the retention timer, drains the writer, closes the database */
  close(): Promise<void>
}

/**
 * The one wiring of a log, for the default log and every tenant on every runtime:
 * store -> subjects (ENCRYPTION_KEY) -> EventLog -> lifecycle (+ retention timer) ->
 * metrics, so a tenant has exactly the features of the default log.
 *
 * @example
 *   const opened = await openLog({ store, config, codec, logger })
 *   const app = createApp({ ...opened.deps, auth })
 */
export async function openLog(options: LogOptions): Promise<OpenLog> {
  const { store, config, codec, logger } = options
  // crypto-shredding: a wrong ENCRYPTION_KEY stops the start here, with what to fix
  const openKeys = options.subjects ?? ((s: Store) => openSubjects(s.subjectKeys, codec, config.encryptionKey, config.encryptionKeyPrevious))
  const subjects = await openKeys(store).catch(async (e) => {
    await store.close()
    throw e
  })
  const log = createEventLog({
    backend: store.backend,
    reader: subjects ? subjects.reader(store.reader) : store.reader,
    subjects,
    codec,
    limits: config.limits,
    writer: { ...config.writer, ...options.writer },
    consumers: store.consumers,
    // Sole writer: the writer's commits wake subscriptions; otherwise they poll.
    soleWriter: options.soleWriter ?? store.soleWriter,
    pollIntervalMs: config.pollIntervalMs,
  })
  const lifecycle = createLifecycle(store.lifecycle, store.backend, { retentionBatch: config.retentionBatch, onDeferred: options.onDeferred })
  if (options.retentionTimer ?? true) {
    lifecycle.start(config.retentionIntervalMs, (e) => logger({ level: 'error', msg: 'retention step failed', error: String((e as Error)?.stack ?? e) }))
  }
  const metrics = options.metrics?.(log, store.backend, lifecycle, subjects)
  return {
    log,
    lifecycle,
    subjects,
    metrics,
    deps: { log, lifecycle, subjects, metrics, logger, sse: { heartbeatMs: config.sseHeartbeatMs } },
    async close() {
      await lifecycle.stop()
      await log.close()
      await store.close()
    },
  }
}

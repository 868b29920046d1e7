import { addExtension, Encoder } from 'cbor-x/index-no-eval'
import { createLogger, loadConfig } from '../config.ts'
import { createEventLog } from '../core/eventLog.ts'
import { createLifecycle, type Lifecycle } from '../core/lifecycle.ts'
import { openSubjects } from '../core/lifecycleSubjects.ts'
import { createApp } from '../http/app.ts'
import { makeCodec } from '../store/codec.ts'
import { openWebStore } from '../store/web.ts'
import { docs } from './assets.ts'
import type { WorkerEnv } from './env.ts'
import { retentionSteps, startFailed } from './lifecycle.ts'

interface Started {
  app: ReturnType<typeof createApp>
  lifecycle: Lifecycle
}
let started: Promise<Started> | undefined

async function start(env: WorkerEnv): Promise<Started> {
  const config = loadConfig(env)
  const store = openWebStore({ store: env.STORE === 'libsql' ? 'libsql' : 'd1', d1: env.DB, url: config.databaseUrl, authToken: config.databaseAuthToken, timeoutMs: config.databaseTimeoutMs })
  const codec = makeCodec({ Encoder, addExtension })
  // crypto-shredding: a wrong ENCRYPTION_KEY (a secret) is a clear error on every request
  const subjects = await openSubjects(store.subjectKeys, codec, config.encryptionKey, config.encryptionKeyPrevious)
  // Nothing in memory sees every commit (other isolates write too): subscriptions poll.
  const writer = { ...config.writer, continueFromWaiter: true } // see WriterOptions
  const reader = subjects ? subjects.reader(store.reader) : store.reader
  const log = createEventLog({ ...store, reader, subjects, codec, limits: config.limits, writer, pollIntervalMs: config.pollIntervalMs })
  const logger = createLogger(config.logLevel)
  // No metrics: per-isolate counters mean nothing; Workers Analytics and Logs replace them.
  // Retention runs on the cron trigger (scheduled below) and on POST /v1/retention/run.
  const lifecycle = createLifecycle(store.lifecycle, store.backend, { retentionBatch: config.retentionBatch })
  const app = createApp({ log, lifecycle, subjects, auth: { tokens: config.authTokens, readTokens: config.readTokens }, logger, sse: { heartbeatMs: config.sseHeartbeatMs }, corsOrigins: config.corsOrigins, docs })
  return { app, lifecycle }
}

let built: Started | undefined
const STALE_START_MS = 10_000

/**
 * One app per isolate, built once (bindings and secrets arrive with the first event); a
 * failed start is tried again. A start another request began is awaited at most
 * STALE_START_MS: workerd leaves a cancelled request's promise unsettled for good.
 */
async function ready(env: WorkerEnv): Promise<Started> {
  if (built) return built
  const mine = started
  if (mine) {
    let timer: ReturnType<typeof setTimeout> | undefined
    const stale = new Promise<'stale'>((r) => (timer = setTimeout(() => r('stale'), STALE_START_MS)))
    const got = await Promise.race([mine, stale]).finally(() => clearTimeout(timer))
    if (got !== 'stale') return got
    if (started === mine) started = undefined
    return ready(env)
  }
  const p = start(env).then(
    (s) => (built = s),
    (e) => {
      if (started === p) started = undefined
      throw e
    },
  )
  started = p
  return p
}

/**
 * STORE=d1 or libsql: one app per isolate, built on its first request. Its group commit
 * batches only the requests this isolate serves at the same moment. One log: tenants need
 * STORE=do.
 */
export async function webFetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
  let log: Started
  try {
    log = built ?? (await ready(env))
  } catch (e) {
    return startFailed(request, e)
  }
  // A request waiting for a group commit that another request's context runs has no
  // I/O of its own pending, and workerd would cancel it as hung: a timer keeps it live.
  const live = setInterval(() => {}, 1000)
  return Promise.resolve(log.app.fetch(request, env, ctx)).finally(() => clearInterval(live))
}

/** The cron trigger (wrangler.toml [triggers]): a few bounded retention steps. */
export async function webScheduled(env: WorkerEnv): Promise<void> {
  await retentionSteps((await ready(env)).lifecycle)
}

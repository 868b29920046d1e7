import { addExtension, Encoder } from 'cbor-x/index-no-eval'
import { createLogger, loadConfig } from '../config.ts'
import { createEventLog } from '../core/eventLog.ts'
import { createLifecycle } from '../core/lifecycle.ts'
import { createApp } from '../http/app.ts'
import { makeCodec } from '../store/codec.ts'
import { openWebStore } from '../store/web.ts'
import { docs } from './assets.ts'
import type { WorkerEnv } from './env.ts'

let app: ReturnType<typeof createApp> | undefined

/**
 * STORE=d1 or libsql: one app per isolate, built on its first request (bindings and
 * secrets arrive with it). Its group commit batches only the requests this isolate serves
 * at the same moment. One log: tenants need STORE=do.
 */
export function webFetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
  if (!app) {
    const config = loadConfig(env)
    const store = openWebStore({ store: env.STORE === 'libsql' ? 'libsql' : 'd1', d1: env.DB, url: config.databaseUrl, authToken: config.databaseAuthToken, timeoutMs: config.databaseTimeoutMs })
    // Nothing in memory sees every commit (other isolates write too): subscriptions poll.
    const writer = { ...config.writer, continueFromWaiter: true } // see WriterOptions
    const log = createEventLog({ ...store, codec: makeCodec({ Encoder, addExtension }), limits: config.limits, writer, pollIntervalMs: config.pollIntervalMs })
    const logger = createLogger(config.logLevel)
    // No metrics: per-isolate counters mean nothing; Workers Analytics and Logs replace them.
    // Retention runs when POST /v1/retention/run is called (no timer outlives a request).
    const lifecycle = createLifecycle(store.lifecycle, store.backend, { retentionBatch: config.retentionBatch })
    app = createApp({ log, lifecycle, auth: { tokens: config.authTokens, readTokens: config.readTokens }, logger, sse: { heartbeatMs: config.sseHeartbeatMs }, corsOrigins: config.corsOrigins, docs })
  }
  // A request waiting for a group commit that another request's context runs has no
  // I/O of its own pending, and workerd would cancel it as hung: a timer keeps it live.
  const live = setInterval(() => {}, 1000)
  return Promise.resolve(app.fetch(request, env, ctx)).finally(() => clearInterval(live))
}

import { addExtension, Encoder } from 'cbor-x/index-no-eval'
import { createLogger, loadConfig } from './config.ts'
import { createEventLog } from './core/eventLog.ts'
import { createLifecycle } from './core/lifecycle.ts'
import { createApp } from './http/app.ts'
import { makeCodec } from './store/codec.ts'
import { openWebStore, type WebStoreOptions } from './store/web.ts'

type Env = Record<string, string | undefined> & { STORE?: WebStoreOptions['store']; DB?: WebStoreOptions['d1'] }
let app: ReturnType<typeof createApp> | undefined

// One app per isolate, built on its first request (bindings and secrets arrive with it).
// Its group commit batches only the requests this isolate serves at the same moment.
export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (!app) {
      const config = loadConfig(env)
      const store = openWebStore({ store: env.STORE ?? 'd1', d1: env.DB, url: config.databaseUrl, authToken: config.databaseAuthToken })
      // Nothing in memory sees every commit (other isolates write too): subscriptions poll.
      const writer = { ...config.writer, continueFromWaiter: true } // see WriterOptions
      const log = createEventLog({ ...store, codec: makeCodec({ Encoder, addExtension }), limits: config.limits, writer, pollIntervalMs: config.pollIntervalMs })
      const logger = createLogger(config.logLevel)
      // No metrics: per-isolate counters mean nothing; Workers Analytics and Logs replace them.
      // Retention runs when POST /v1/retention/run is called (periodically, by any scheduler): no timers outlive a request.
      const lifecycle = createLifecycle(store.lifecycle, store.backend, { retentionBatch: config.retentionBatch })
      app = createApp({ log, lifecycle, auth: { tokens: config.authTokens, readTokens: config.readTokens }, logger, sse: { heartbeatMs: config.sseHeartbeatMs } })
    }
    // A request waiting for a group commit that another request's context runs has no
    // I/O of its own pending, and workerd would cancel it as hung: a timer keeps it live.
    const live = setInterval(() => {}, 1000)
    return Promise.resolve(app.fetch(request, env, ctx)).finally(() => clearInterval(live))
  },
}

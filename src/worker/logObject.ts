import { DurableObject } from 'cloudflare:workers'
import { addExtension, Encoder } from 'cbor-x/index-no-eval'
import { createLogger, loadConfig } from '../config.ts'
import { createApp } from '../http/app.ts'
import { openLog } from '../logApp.ts'
import { makeCodec } from '../store/codec.ts'
import { docs } from './assets.ts'
import { migrateDo } from '../store/doMigrate.ts'
import { doDb } from '../store/doSql.ts'
import { createStore } from '../store/store.ts'
import type { WorkerEnv } from './env.ts'
import { bundledMigrations } from './migrations.ts'

/**
 * One log (tenant) as a SQLite-backed Durable Object (STORE=do). The object is the only
 * writer of its database: the group-commit writer keeps stream heads in memory and its
 * commits wake live subscriptions at once (no polling). It migrates its own database
 * before it takes a request, then serves the same app as every runtime. Auth and tenant
 * routing happen in the Worker in front of it (gateway.ts); only that Worker reaches it.
 */
export class EventLogObject extends DurableObject<WorkerEnv> {
  private app: ReturnType<typeof createApp> | undefined

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env)
    // No event is delivered to the object until this settles (input gate).
    void ctx.blockConcurrencyWhile(async () => {
      await migrateDo(ctx.storage, bundledMigrations())
      const config = loadConfig(env)
      const { deps } = await openLog({
        store: createStore(doDb(ctx.storage)),
        config,
        codec: makeCodec({ Encoder, addExtension }),
        logger: createLogger(config.logLevel),
        liveSignal: true,
        // Not on Workers yet: ENCRYPTION_KEY (subjects) and a retention timer (no timer
        // outlives a request; POST /v1/retention/run runs the pass).
        subjects: async () => undefined,
        retentionTimer: false,
      })
      this.app = createApp({ ...deps, describeTenants: true, docs })
    })
  }

  fetch(request: Request): Promise<Response> {
    return Promise.resolve(this.app!.fetch(request))
  }
}

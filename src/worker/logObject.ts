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
import { retentionAlarm, startFailed } from './lifecycle.ts'
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
  private retention: ReturnType<typeof retentionAlarm> | undefined
  /** why the object could not start (a wrong ENCRYPTION_KEY): every request is told */
  private failed: unknown

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env)
    // No event is delivered to the object until this settles (input gate).
    void ctx.blockConcurrencyWhile(() => this.tryStart())
  }

  private async tryStart() {
    try {
      await this.start(this.ctx, this.env)
      this.failed = undefined
    } catch (e) {
      this.failed = e
    }
  }

  private async start(ctx: DurableObjectState, env: WorkerEnv) {
    await migrateDo(ctx.storage, bundledMigrations())
    const config = loadConfig(env)
    const opened = await openLog({
      store: createStore(doDb(ctx.storage)),
      config,
      codec: makeCodec({ Encoder, addExtension }),
      logger: createLogger(config.logLevel),
      soleWriter: true,
      // Retention runs on the object's alarm (no timer outlives a request) and on POST
      // /v1/retention/run; a delete or truncation larger than one batch arms it at once.
      retentionTimer: false,
      onDeferred: () => void this.retention?.arm(0),
    })
    this.retention = retentionAlarm(ctx.storage, opened.lifecycle, config.retentionIntervalMs)
    await this.retention.arm(config.retentionIntervalMs)
    this.app = createApp({ ...opened.deps, lifecycle: this.retention.lifecycle, describeTenants: true, docs })
  }

  async alarm(): Promise<void> {
    await this.retention?.alarm()
  }

  async fetch(request: Request): Promise<Response> {
    // a failed start (a database fault, a wrong ENCRYPTION_KEY) is tried again, then told
    if (!this.app) await this.ctx.blockConcurrencyWhile(() => this.tryStart())
    if (!this.app) return startFailed(request, this.failed)
    return this.app.fetch(request)
  }
}

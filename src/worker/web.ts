import { addExtension, Encoder } from 'cbor-x/index-no-eval'
import { createLogger, loadConfig, type Config } from '../config.ts'
import { createApp } from '../http/app.ts'
import { checkTenant, DEFAULT_TENANT, errorsOnly, tenantNotFound, type TenantRouter } from '../http/tenants.ts'
import { openLog, type OpenLog } from '../logApp.ts'
import { makeCodec } from '../store/codec.ts'
import type { D1Binding } from '../store/d1.ts'
import { openWebStore } from '../store/web.ts'
import { docs } from './assets.ts'
import type { WorkerEnv } from './env.ts'

type App = ReturnType<typeof createApp>
let app: Promise<App> | undefined

/**
 * STORE=d1 or libsql: one app per isolate, built on its first request (bindings and
 * secrets arrive with it). Its group commit batches only the requests this isolate serves
 * at the same moment. Tenants where the deployment names their databases: STORE=d1 with
 * D1_TENANTS (a D1 binding per tenant).
 */
export function webFetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
  app ??= build(env).catch((e) => {
    app = undefined
    throw e
  })
  // A request waiting for a group commit that another request's context runs has no
  // I/O of its own pending, and workerd would cancel it as hung: a timer keeps it live.
  const live = setInterval(() => {}, 1000)
  return app.then((a) => a.fetch(request, env, ctx)).finally(() => clearInterval(live))
}

async function build(env: WorkerEnv): Promise<App> {
  const config = loadConfig(env)
  const logger = createLogger(config.logLevel)
  const libsql = env.STORE === 'libsql'
  const codec = makeCodec({ Encoder, addExtension })
  const open = (d1: D1Binding | undefined, log: typeof logger) =>
    openLog({
      store: openWebStore({ store: libsql ? 'libsql' : 'd1', d1, url: config.databaseUrl, authToken: config.databaseAuthToken, timeoutMs: config.databaseTimeoutMs }),
      config,
      codec,
      logger: log,
      // Nothing in memory sees every commit (other isolates write too): subscriptions poll.
      liveSignal: false,
      writer: { continueFromWaiter: true }, // see WriterOptions
      // Not on Workers yet: ENCRYPTION_KEY (subjects) and a retention timer (no timer
      // outlives a request; POST /v1/retention/run runs the pass).
      subjects: async () => undefined,
      retentionTimer: false,
      // No metrics: per-isolate counters mean nothing; Workers Analytics and Logs replace them.
    })
  const main = await open(env.DB, logger)
  const tenants = libsql ? undefined : d1Tenants(env, config, main, (tenant, d1) => open(d1, errorsOnly(logger, tenant)))
  return createApp({ ...main.deps, auth: { tokens: config.authTokens, readTokens: config.readTokens }, tenants, corsOrigins: config.corsOrigins, docs })
}

/**
 * STORE=d1 with D1_TENANTS: each listed tenant's log in its own D1 database (binding),
 * wired as the default log and built on the tenant's first request to this isolate; any
 * other tenant is a 404 tenant-not-found. Without D1_TENANTS: one log, /v1/tenants/... 404.
 */
function d1Tenants(env: WorkerEnv, config: Config, main: OpenLog, open: (tenant: string, d1: D1Binding) => Promise<OpenLog>): TenantRouter | undefined {
  if (!config.d1Tenants.size) return undefined
  for (const [tenant, binding] of config.d1Tenants) {
    if (!env[binding]) throw new Error(`D1_TENANTS maps tenant '${tenant}' to ${binding}, but there is no D1 binding named ${binding}: add [[d1_databases]] binding = "${binding}" to wrangler.toml.`)
  }
  const apps = new Map<string, Promise<App>>([[DEFAULT_TENANT, Promise.resolve(createApp({ ...main.deps, logger: errorsOnly(main.deps.logger!, DEFAULT_TENANT) }))]])
  return {
    async fetch(tenant, request) {
      checkTenant(tenant)
      let tenantApp = apps.get(tenant)
      if (!tenantApp) {
        const binding = config.d1Tenants.get(tenant)
        if (binding === undefined) throw tenantNotFound(tenant, `this deployment serves the tenants of D1_TENANTS: ${[...config.d1Tenants.keys()].join(', ')} (and ${DEFAULT_TENANT}).`)
        tenantApp = open(tenant, env[binding] as unknown as D1Binding).then((o) => createApp(o.deps))
        apps.set(tenant, tenantApp)
        tenantApp.catch(() => apps.delete(tenant))
      }
      return (await tenantApp).fetch(request)
    },
  }
}

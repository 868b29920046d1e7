import { addExtension, Encoder } from 'cbor-x/index-no-eval'
import { createLogger, loadConfig, type Config } from '../config.ts'
import type { Lifecycle } from '../core/lifecycle.ts'
import { createApp } from '../http/app.ts'
import { checkTenant, DEFAULT_TENANT, errorsOnly, tenantNotFound, type TenantRouter } from '../http/tenants.ts'
import { openLog, type LogOptions, type OpenLog } from '../logApp.ts'
import { makeCodec } from '../store/codec.ts'
import type { D1Binding } from '../store/d1.ts'
import { openWebStore } from '../store/web.ts'
import { docs } from './assets.ts'
import type { WorkerEnv } from './env.ts'
import { retentionSteps, startFailed } from './lifecycle.ts'

interface Started {
  app: ReturnType<typeof createApp>
  /** every log of this deployment's lifecycle, tenants opened on demand (the cron's retention pass) */
  lifecycles(): Promise<Lifecycle[]>
}
let started: Promise<Started> | undefined

/**
 * STORE=d1 or libsql: the default log, and with D1_TENANTS (STORE=d1) each listed
 * tenant's log in its own D1 database. Every log is wired by openLog like on every runtime.
 */
async function start(env: WorkerEnv): Promise<Started> {
  const config = loadConfig(env)
  const logger = createLogger(config.logLevel)
  const libsql = env.STORE === 'libsql'
  const codec = makeCodec({ Encoder, addExtension })
  const open = (d1: D1Binding | undefined, logger: LogOptions['logger']) =>
    openLog({
      store: openWebStore({ store: libsql ? 'libsql' : 'd1', d1, url: config.databaseUrl, authToken: config.databaseAuthToken, timeoutMs: config.databaseTimeoutMs }),
      config,
      codec,
      logger,
      // Nothing in memory sees every commit (other isolates write too): subscriptions poll.
      soleWriter: false,
      writer: { continueFromWaiter: true }, // see GroupCommitWriterOptions
      // crypto-shredding keys from the ENCRYPTION_KEY secret: a wrong key is a clear error on every request.
      // Retention runs on the cron trigger (webScheduled below) and on POST /v1/retention/run.
      retentionTimer: false,
      // No metrics: per-isolate counters mean nothing; Workers Analytics and Logs replace them.
    })
  const main = await open(env.DB, logger)
  const tenants = libsql ? undefined : d1Tenants(env, config, main, (tenant, d1) => open(d1, errorsOnly(logger, tenant)))
  const app = createApp({ ...main.deps, auth: { tokens: config.authTokens, readTokens: config.readTokens }, tenants: tenants?.router, corsOrigins: config.corsOrigins, docs })
  return {
    app,
    lifecycles: async () => [main.lifecycle, ...(tenants ? await Promise.all([...config.d1Tenants.keys()].map((t) => tenants.open(t).then((o) => o.lifecycle))) : [])],
  }
}

/**
 * STORE=d1 with D1_TENANTS: each listed tenant's log in its own D1 database (binding),
 * wired as the default log and built on the tenant's first request to this isolate; any
 * other tenant is a 404 tenant-not-found. Without D1_TENANTS: one log, /v1/tenants/... 404.
 */
function d1Tenants(env: WorkerEnv, config: Config, main: OpenLog, open: (tenant: string, d1: D1Binding) => Promise<OpenLog>) {
  if (!config.d1Tenants.size) return undefined
  for (const [tenant, binding] of config.d1Tenants) {
    if (!env[binding]) throw new Error(`D1_TENANTS maps tenant '${tenant}' to ${binding}, but there is no D1 binding named ${binding}: add [[d1_databases]] binding = "${binding}" to wrangler.toml.`)
  }
  const logs = new Map<string, Promise<OpenLog>>()
  const openTenant = (tenant: string): Promise<OpenLog> => {
    let opened = logs.get(tenant)
    if (!opened) {
      const binding = config.d1Tenants.get(tenant)!
      opened = open(tenant, env[binding] as unknown as D1Binding)
      logs.set(tenant, opened)
      opened.catch(() => logs.delete(tenant))
    }
    return opened
  }
  const apps = new Map<string, Promise<App>>([[DEFAULT_TENANT, Promise.resolve(createApp({ ...main.deps, logger: errorsOnly(main.deps.logger!, DEFAULT_TENANT) }))]])
  const router: TenantRouter = {
    async fetch(tenant, request) {
      checkTenant(tenant)
      let tenantApp = apps.get(tenant)
      if (!tenantApp) {
        if (!config.d1Tenants.has(tenant)) throw tenantNotFound(tenant, `this deployment serves the tenants of D1_TENANTS: ${[...config.d1Tenants.keys()].join(', ')} (and ${DEFAULT_TENANT}).`)
        tenantApp = openTenant(tenant).then((o) => createApp(o.deps))
        apps.set(tenant, tenantApp)
        tenantApp.catch(() => apps.delete(tenant))
      }
      return (await tenantApp).fetch(request)
    },
  }
  return { router, open: openTenant }
}

type App = ReturnType<typeof createApp>
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
 * batches only the requests this isolate serves at the same moment. Tenants where the
 * deployment names their databases: STORE=d1 with D1_TENANTS (a D1 binding per tenant).
 */
export async function webFetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
  let started: Started
  try {
    started = built ?? (await ready(env))
  } catch (e) {
    return startFailed(request, e)
  }
  // A request waiting for a group commit that another request's context runs has no
  // I/O of its own pending, and workerd would cancel it as hung: a timer keeps it live.
  const live = setInterval(() => {}, 1000)
  return Promise.resolve(started.app.fetch(request, env, ctx)).finally(() => clearInterval(live))
}

/** The cron trigger (wrangler.toml [triggers]): a few bounded retention steps in every log. */
export async function webScheduled(env: WorkerEnv): Promise<void> {
  for (const lifecycle of await (await ready(env)).lifecycles()) await retentionSteps(lifecycle)
}

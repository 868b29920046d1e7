import type { WorkerEnv } from './worker/env.ts'
import { doFetch } from './worker/gateway.ts'
import { webFetch, webScheduled } from './worker/web.ts'

// STORE=do (wrangler.toml): a Durable Object per tenant; d1 / libsql: one shared database.
export { EventLogObject } from './worker/logObject.ts'

const isDo = (env: WorkerEnv) => (env.STORE ?? 'do') === 'do'

export default {
  fetch: (request: Request, env: WorkerEnv, ctx: ExecutionContext) => (isDo(env) ? doFetch : webFetch)(request, env, ctx),
  // The retention pass: the cron trigger for d1 / libsql; each Durable Object runs its own on alarms.
  scheduled: (_event: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) => {
    if (!isDo(env)) ctx.waitUntil(webScheduled(env))
  },
}

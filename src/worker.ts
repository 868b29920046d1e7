import type { WorkerEnv } from './worker/env.ts'
import { doFetch } from './worker/gateway.ts'
import { webFetch } from './worker/web.ts'

// STORE=do (wrangler.toml): a Durable Object per tenant; d1 / libsql: one shared database.
export { EventLogObject } from './worker/logObject.ts'

export default {
  fetch: (request: Request, env: WorkerEnv, ctx: ExecutionContext) => ((env.STORE ?? 'do') === 'do' ? doFetch : webFetch)(request, env, ctx),
}

import { Hono } from 'hono'
import { loadConfig } from '../config.ts'
import { authMiddleware } from '../http/auth.ts'
import { corsFor } from '../http/cors.ts'
import type { Env } from '../http/media.ts'
import { problemResponse, toEdgelogError } from '../http/problem.ts'
import { DEFAULT_TENANT, mountTenants, type TenantRouter } from '../http/tenants.ts'
import { withBodyRead } from './body.ts'
import type { WorkerEnv } from './env.ts'

let gateway: Hono<Env> | undefined

/**
 * STORE=do: the Worker in front of the Durable Objects. It checks the token (and its
 * tenants), then hands the request to the tenant's object: `/v1/tenants/:tenant/...` to
 * that tenant, everything else (the plain /v1/... routes, /health, /openapi.json) to the
 * object named 'default'.
 */
export function doFetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
  if (!gateway) {
    const logs = env.LOGS
    if (!logs) throw new Error('STORE is "do" but there is no Durable Object binding named LOGS: add [[durable_objects.bindings]] to wrangler.toml.')
    const config = loadConfig(env)
    // CORS here, before auth: a preflight carries no token (the objects' apps have no CORS of their own).
    const corsMiddleware = corsFor(config.corsOrigins)
    // A stub's response has immutable headers: with CORS on, a copy lets it add to them.
    const router: TenantRouter = {
      fetch: async (tenant, req) => {
        const res = await logs.get(logs.idFromName(tenant)).fetch(await withBodyRead(req, config.limits.maxBodyBytes))
        return corsMiddleware ? new Response(res.body, res) : res
      },
    }
    const app = new Hono<Env>()
    if (corsMiddleware) {
      app.use('/v1/*', corsMiddleware)
      app.use('/openapi.json', corsMiddleware)
    }
    const authz = authMiddleware({ tokens: config.authTokens, readTokens: config.readTokens })
    if (authz) app.use('/v1/*', ...authz)
    mountTenants(app, router)
    app.all('*', (c) => router.fetch(DEFAULT_TENANT, c.req.raw))
    app.onError((err, c) => problemResponse(c, toEdgelogError(err, c)))
    gateway = app
  }
  return Promise.resolve(gateway.fetch(request, env, ctx))
}

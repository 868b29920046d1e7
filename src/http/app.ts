import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import type { Context, Next } from 'hono'
import { bodyTooLarge, EdgelogError, invalidRequest, unavailable } from '../core/errors.ts'
import { authMiddleware } from './auth.ts'
import { corsFor } from './cors.ts'
import type { AppDeps } from './deps.ts'
import { drainBody } from './drain.ts'
import { canonicalContentType, decodeStrictJson, hasJsonBody, negotiateRequest, type Env } from './media.ts'
import { routed, unrouted } from './methods.ts'
import { issuesOf, problemResponse, toEdgelogError } from './problem.ts'
import { hasRequestId } from './respond.ts'
import { registerAppendRoute } from './routes/append.ts'
import { registerConsumerRoutes } from './routes/consumers.ts'
import { requireBodies } from './openapi.ts'
import { registerDocsPage } from './routes/docsPage.ts'
import { registerHealthRoute } from './routes/health.ts'
import { registerLifecycleRoutes } from './routes/lifecycle.ts'
import { registerLogRoutes } from './routes/log.ts'
import { registerQueryRoute } from './routes/query.ts'
import { registerStreamRoutes } from './routes/streams.ts'
import { registerSubscribeRoute } from './routes/subscribe.ts'
import { mountTenants, withTenantPaths } from './tenants.ts'

/** The edgelog HTTP API as a Hono app: the same on Node, Bun, Deno and Workers. */
export function createApp(deps: AppDeps) {
  const { log, auth, logger } = deps
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest('The request is invalid; see errors for what to fix.', issuesOf(result.error))
    },
  })

  // One middleware in front of every request (each layer of Hono's compose is an async
  // call per request): the request id, the 503 while stopping, then the metrics and the log
  // line once answered. A client's id is kept (Hono's requestId rule: up to 255 of \w - =);
  // otherwise this app's random prefix and a counter: unique, no crypto.randomUUID() per request.
  const idPrefix = crypto.randomUUID().slice(0, 13)
  let idCount = 0
  // The per-request line: not even built when the level drops it (LOG_LEVEL=error keeps 5xx only).
  const wants = logger?.wants ?? (() => true)
  const logs = logger && (wants('info') || wants('error')) ? logger : undefined
  const observe = deps.metrics?.observe
  const { stopping } = deps
  const shuttingDown = () => unavailable('The server is shutting down; retry, on another instance or once it is back.', 1)
  const corsMiddleware = corsFor(deps.corsOrigins)
  app.use(async (c, next) => {
    const started = performance.now()
    const given = c.req.header('x-request-id')
    const id = given && given.length <= 255 && !/[^\w\-=]/.test(given) ? given : `${idPrefix}${(++idCount).toString(36)}`
    c.set('requestId', id)
    // With CORS, the 503 waits for the CORS middleware, so a page can read it too.
    if (!corsMiddleware && stopping?.()) c.res = problemResponse(c, shuttingDown())
    else await next()
    // Hono answers HEAD with the GET route's response without its body, which nobody then
    // reads or cancels: an event stream would hold its subscription (and its place among
    // MAX_SUBSCRIPTIONS) for ever. Cancelling it ends the stream as a leaving client does.
    if (c.req.method === 'HEAD') await c.res.body?.cancel().catch(() => {})
    // media.ts and problem.ts answer with the id (respond.ts); other responses get it here,
    // unless they carry one (a tenant's answer, with the id its log lines name)
    const res = c.res
    if (!hasRequestId(res)) {
      try {
        if (!res.headers.has('x-request-id')) res.headers.set('X-Request-Id', id)
      } catch {
        // immutable headers (Fetch: a response from fetch()): answered as they are
      }
    }
    if (!observe && !logs) return
    const ms = performance.now() - started
    observe?.(c, ms)
    const level = c.res.status >= 500 ? 'error' : 'info'
    if (!logs || !wants(level)) return
    logs({ level, msg: 'request', requestId: id, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms * 100) / 100 })
  })

  // CORS before auth (and before the shutdown 503, so a page can read that answer too).
  if (corsMiddleware) {
    app.use('/v1/*', corsMiddleware)
    app.use('/openapi.json', corsMiddleware)
    if (stopping) app.use(async (_c, next) => {
      if (stopping()) throw shuttingDown()
      await next()
    })
  }

  const authz = authMiddleware(auth)
  if (authz) {
    app.use('/v1/*', ...authz)
    // /metrics shows route counts and auth failures: any known token (a Prometheus scrape
    // sends one); /health stays open for probes.
    app.use('/metrics', authz[0])
  }
  // /v1/tenants/:tenant/... goes to that tenant's log, before this log's own middleware.
  if (deps.tenants) mountTenants(app, deps.tenants)

  // Registered after the auth middleware: Hono runs what matches in registration order.
  if (deps.metrics) app.get('/metrics', deps.metrics.handler)

  // One /v1 gate, in this order: negotiation (406, 415), the body limit (413), then a JSON
  // body decoded as strict UTF-8 (media.ts).
  const maxBody = log.limits.maxBodyBytes
  const tooLarge = () => bodyTooLarge(maxBody)
  const streamedLimit = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw tooLarge()
    },
  })
  // A chunked body is counted by bodyLimit as it reads. Over the limit, the rest is read
  // and dropped (within a bound) before the 413 goes out: the client is still sending, and
  // a runtime that answers and closes with body bytes unread (Node, workerd) resets the
  // connection, so the client saw a broken socket instead of the 413.
  const chunkedLimit = async (c: Context<Env>, next: Next) => {
    const body = c.req.raw.body
    if (!body) return streamedLimit(c, next)
    const source = body.getReader()
    // the read a pull has under way: the drain waits for it (workerd refuses a second read
    // while one is pending: the drain failed, and the next request on the connection too)
    let reading: Promise<unknown> | undefined
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const read = source.read()
        reading = read
        const { done, value } = await read
        reading = undefined
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => source.cancel(reason),
    })
    c.req.raw = new Request(c.req.raw, { body: counted, duplex: 'half' } as RequestInit)
    try {
      return await streamedLimit(c, next)
    } catch (err) {
      if (err instanceof EdgelogError && err.status === 413) await drainBody(source, reading)
      throw err
    }
  }
  const decode = async (c: Context<Env>, next: Next) => {
    if (hasJsonBody(c)) await decodeStrictJson(c)
    await next()
  }
  const notRouted = unrouted(app.routes)
  app.use('/v1/*', async (c, next) => {
    const { method } = c.req
    // A method the path has no route for is a 405 (or 404) before its body is looked at.
    if (method !== 'GET' && method !== 'HEAD' && !routed(c)) throw notRouted(c)
    negotiateRequest(c)
    if (method === 'GET' || method === 'HEAD') return next()
    const type = c.req.header('content-type')
    const canonical = type === undefined ? undefined : canonicalContentType(type)
    if (canonical) {
      const headers = new Headers(c.req.raw.headers)
      headers.set('content-type', canonical)
      c.req.raw = new Request(c.req.raw, { headers, duplex: 'half' } as RequestInit)
    }
    // A declared Content-Length is checked from the header. Hono's bodyLimit (kept for
    // chunked bodies, which must be counted) reads `request.body`, and on Node that makes
    // @hono/node-server build a full Request for every call: ~4x fewer appends/s measured.
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBody) throw tooLarge()
      return decode(c, next)
    }
    return chunkedLimit(c, () => decode(c, next))
  })

  registerStreamRoutes(app, deps)
  registerAppendRoute(app, deps)
  registerLogRoutes(app, deps)
  registerQueryRoute(app, deps)
  registerSubscribeRoute(app, deps)
  registerConsumerRoutes(app, deps)
  registerLifecycleRoutes(app, deps)
  registerHealthRoute(app, deps)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token of AUTH_TOKENS (read and write) or AUTH_READ_TOKENS (read only). Without configured tokens the API is open.',
  })
  const document: Parameters<typeof app.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'edgelog',
      version: '1',
      description: 'An event log for event-sourced systems. Errors are RFC 9457 problem documents (application/problem+json) with a stable `type` per kind.',
      // package.json declares no license; say so rather than invent one.
      license: { name: 'UNLICENSED (no license granted; see the repository)' },
    },
    // Relative to where this document is served (OpenAPI 3.1 §4.8.5): the server itself.
    servers: [{ url: '/', description: 'this edgelog server' }],
    // A bearer token when AUTH_TOKENS / AUTH_READ_TOKENS are set; none otherwise ({}).
    security: [{ bearerAuth: [] }, {}],
  }
  const tenantPaths = deps.tenants || deps.describeTenants
  let described: unknown
  app.get('/openapi.json', (c) => {
    described ??= requireBodies(tenantPaths ? withTenantPaths(app.getOpenAPI31Document(document)) : app.getOpenAPI31Document(document))
    return c.json(described)
  })
  if (deps.docs) registerDocsPage(app, deps.docs)

  app.notFound((c) => problemResponse(c, notRouted(c)))
  app.onError((err, c) => {
    const e = toEdgelogError(err, c)
    // 5xx: the cause goes to the log, never to the client (RFC 9457 §5: no internals)
    const cause = e.kind === 'internal-error' ? err : e.cause
    if (e.status >= 500 && cause) logger?.({ level: 'error', msg: e.kind, requestId: c.get('requestId'), error: String((cause as Error)?.stack ?? cause) })
    return problemResponse(c, e)
  })
  return app
}

import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/**
 * CORS for /v1 and /openapi.json (CORS_ORIGINS): undefined when no origin is allowed.
 * It runs before auth: a preflight carries no Authorization header (Fetch standard, §3.2.3).
 */
export function corsFor(origins: string[] | '*' | undefined): MiddlewareHandler | undefined {
  if (origins !== '*' && !origins?.length) return undefined
  return cors({
    origin: origins,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept', 'Last-Event-ID', 'If-Match', 'If-None-Match', 'X-Request-Id'],
    // without these a page cannot read the headers the API answers with
    exposeHeaders: ['ETag', 'Location', 'Idempotent-Replayed', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  })
}

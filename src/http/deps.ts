import type { Context } from 'hono'
import type { EventLog } from '../core/eventLog.ts'
import type { Lifecycle } from '../core/lifecycle.ts'
import type { Subjects } from '../core/lifecycleSubjects.ts'
import type { AuthConfig } from './auth.ts'
import type { DocsAssets } from './routes/docsPage.ts'
import type { TenantRouter } from './tenants.ts'

export type LogLine = Record<string, unknown>

/** A log sink; `wants(level)`, when given, says whether a line of that level would be written. */
export type Logger = ((line: LogLine) => void) & { wants?: (level: 'info' | 'error') => boolean }

/** What the HTTP app is built from (createApp in app.ts); every route takes it. */
export interface AppDeps {
  log: EventLog
  /** deletes, truncation, retention (absent: those routes answer 501) */
  lifecycle?: Lifecycle
  /** crypto-shredding (absent: DELETE /v1/subjects answers 501) */
  subjects?: Subjects
  auth?: AuthConfig
  /** Prometheus metrics (Node, Bun, Deno): a request's timing, once answered, and the /metrics handler */
  metrics?: { observe: (c: Context, ms: number) => void; handler: (c: Context) => Promise<Response> }
  /** one structured line per request (and 5xx causes); default: none */
  logger?: Logger
  /** SSE: heartbeat comment interval (default 15 s), cut a client that takes nothing this long (default 60 s) */
  sse?: { heartbeatMs?: number; stallTimeoutMs?: number }
  /** true once a graceful stop has begun: new requests get a 503 (src/http/shutdown.ts) */
  stopping?: () => boolean
  /** other tenants' logs, at /v1/tenants/:tenant/... (docs/api.md "Tenants") */
  tenants?: TenantRouter
  /** describe the tenant routes in /openapi.json though another layer serves them (the Worker's Durable Objects) */
  describeTenants?: boolean
  /** CORS: origins whose pages may call /v1 and /openapi.json (`*`: any); default none */
  corsOrigins?: string[] | '*'
  /** Swagger UI's files for GET /docs (served from this server, never a CDN); no /docs without them */
  docs?: DocsAssets
}

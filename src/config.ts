import { DEFAULT_LIMITS, MAX_DEPTH_CEILING, type Limits } from './core/limits.ts'
import { DEFAULT_WRITER } from './core/eventLog.ts'
import type { GroupCommitWriterOptions } from './core/groupCommitWriter.ts'
import { DEFAULT_TENANT, TENANT_NAME } from './http/tenants.ts'

/** Everything a deployment sets, from environment variables (see README "Configuration"). */
export interface Config {
  port: number
  host: string
  databaseUrl: string
  databaseAuthToken?: string
  /** a remote database request answers or fails (503) within this */
  databaseTimeoutMs: number
  /** remote: an embedded read replica in this local file */
  replicaPath?: string
  replicaSyncIntervalMs: number
  durability: 'full' | 'normal'
  sharedWriters: boolean
  limits: Limits
  writer: GroupCommitWriterOptions
  authTokens: string[]
  readTokens: string[]
  logLevel: 'info' | 'error' | 'silent'
  /** subscriptions re-read this often when another process may write (no in-process signal) */
  pollIntervalMs: number
  /** SSE heartbeat comment interval */
  sseHeartbeatMs: number
  /** on SIGTERM/SIGINT, how long open requests get before their connections are closed */
  shutdownTimeoutMs: number
  /** tenants (DATABASE_URL with {tenant}): databases open at once at most */
  maxOpenTenants: number
  /** tenants: a database with no request or subscription this long is closed */
  tenantIdleMs: number
  /** origins a browser page may call the API from (CORS); `*` any; empty: none */
  corsOrigins: string[] | '*'
  /** the retention pass runs a bounded step this often (docs/api.md "Data lifecycle") */
  retentionIntervalMs: number
  /** events one retention step removes at most */
  retentionBatch: number
  /** master key wrapping the data subjects' keys (base64 of 32 bytes); unset: no subject events */
  encryptionKey?: string
  /** the master key before a rotation: keys it wrapped are re-wrapped at start */
  encryptionKeyPrevious?: string
  /** Workers, STORE=d1: tenant name -> the name of its D1 binding (D1_TENANTS); the default tenant is DB */
  d1Tenants: Map<string, string>
}

type Env = Record<string, string | undefined>

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`)
  return n
}

function atMost(max: number, name: string, n: number): number {
  if (n > max) throw new Error(`${name} must be at most ${max}, got ${n}`)
  return n
}

const list = (raw: string | undefined) => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)

/** `*`, or a comma-separated list of origins (`https://app.example.com`): scheme, host, port, no path. */
function corsOrigins(raw: string | undefined): string[] | '*' {
  if (raw?.trim() === '*') return '*'
  const origins = list(raw)
  for (const o of origins) {
    let url: URL | undefined
    try {
      url = new URL(o)
    } catch {}
    if (!url || url.origin !== o) throw new Error(`CORS_ORIGINS lists origins such as https://app.example.com (scheme, host, port; no path or trailing slash), got '${o}'`)
  }
  return origins
}

/**
 * D1_TENANTS, `acme=DB_ACME,globex=DB_GLOBEX`: each tenant and the D1 binding
 * (wrangler.toml `[[d1_databases]] binding`) holding its log. The default tenant is `DB`.
 */
function d1Tenants(raw: string | undefined): Map<string, string> {
  const map = new Map<string, string>()
  for (const entry of list(raw)) {
    const eq = entry.indexOf('=')
    const tenant = entry.slice(0, eq).trim()
    const binding = entry.slice(eq + 1).trim()
    if (eq === -1 || !TENANT_NAME.test(tenant) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(binding)) {
      throw new Error(`D1_TENANTS lists tenant=BINDING pairs such as acme=DB_ACME (a tenant name: 1-64 of A-Z a-z 0-9 _ . -, not starting with . or -; a binding: a JavaScript identifier), got '${entry}'`)
    }
    if (tenant === DEFAULT_TENANT) throw new Error(`D1_TENANTS: the ${DEFAULT_TENANT} tenant is always the binding DB; remove '${entry}'`)
    if (map.has(tenant)) throw new Error(`D1_TENANTS names tenant '${tenant}' twice`)
    // two tenants on one database would share their log
    const shared = binding === 'DB' ? DEFAULT_TENANT : [...map].find(([, b]) => b === binding)?.[0]
    if (shared !== undefined) throw new Error(`D1_TENANTS: tenants '${shared}' and '${tenant}' would share the D1 binding ${binding}; give each tenant its own database`)
    map.set(tenant, binding)
  }
  return map
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!allowed.includes(raw as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`)
  return raw as T
}

/** Reads the configuration; entries pass their runtime's environment. */
export function loadConfig(env: Env): Config {
  return {
    port: int(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || 'file:./data/edgelog.db',
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    databaseTimeoutMs: int(env, 'DATABASE_TIMEOUT_MS', 5_000),
    replicaPath: env.REPLICA_PATH || undefined,
    replicaSyncIntervalMs: int(env, 'REPLICA_SYNC_INTERVAL_MS', 1_000),
    durability: oneOf(env, 'DURABILITY', ['full', 'normal'] as const, 'full'),
    sharedWriters: oneOf(env, 'SHARED_WRITERS', ['true', 'false'] as const, 'false') === 'true',
    limits: {
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes),
      maxEventBytes: int(env, 'MAX_EVENT_BYTES', DEFAULT_LIMITS.maxEventBytes),
      maxEventsPerAppend: int(env, 'MAX_EVENTS_PER_APPEND', DEFAULT_LIMITS.maxEventsPerAppend),
      maxPageSize: int(env, 'MAX_PAGE_SIZE', DEFAULT_LIMITS.maxPageSize),
      defaultPageSize: Math.min(DEFAULT_LIMITS.defaultPageSize, int(env, 'MAX_PAGE_SIZE', DEFAULT_LIMITS.maxPageSize)),
      maxDepth: atMost(MAX_DEPTH_CEILING, 'MAX_DEPTH', int(env, 'MAX_DEPTH', DEFAULT_LIMITS.maxDepth)),
      maxPageBytes: int(env, 'MAX_PAGE_BYTES', DEFAULT_LIMITS.maxPageBytes),
      maxSubscriptions: int(env, 'MAX_SUBSCRIPTIONS', DEFAULT_LIMITS.maxSubscriptions),
    },
    writer: {
      maxBatchEvents: int(env, 'MAX_BATCH_EVENTS', DEFAULT_WRITER.maxBatchEvents),
      maxBatchBytes: int(env, 'MAX_BATCH_BYTES', DEFAULT_WRITER.maxBatchBytes),
      maxQueueEvents: int(env, 'MAX_QUEUE_EVENTS', DEFAULT_WRITER.maxQueueEvents),
    },
    authTokens: list(env.AUTH_TOKENS),
    readTokens: list(env.AUTH_READ_TOKENS),
    logLevel: oneOf(env, 'LOG_LEVEL', ['info', 'error', 'silent'] as const, 'info'),
    pollIntervalMs: int(env, 'POLL_INTERVAL_MS', 500),
    sseHeartbeatMs: int(env, 'SSE_HEARTBEAT_MS', 15_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    maxOpenTenants: int(env, 'MAX_OPEN_TENANTS', 100),
    tenantIdleMs: int(env, 'TENANT_IDLE_MS', 60_000),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    retentionIntervalMs: int(env, 'RETENTION_INTERVAL_MS', 60_000),
    retentionBatch: int(env, 'RETENTION_BATCH', 500),
    encryptionKey: env.ENCRYPTION_KEY || undefined,
    encryptionKeyPrevious: env.ENCRYPTION_KEY_PREVIOUS || undefined,
    d1Tenants: d1Tenants(env.D1_TENANTS),
  }
}

/**
 * One JSON line per call, filtered by LOG_LEVEL; the same on every runtime. `wants(level)`
 * lets a caller skip building a line that would be dropped (the per-request line).
 */
export function createLogger(level: Config['logLevel']) {
  const wants = (l: unknown) => level === 'info' || (level === 'error' && l === 'error')
  const write = (line: Record<string, unknown>) => {
    if (!wants(line.level)) return
    console.log(JSON.stringify({ time: new Date().toISOString(), ...line }))
  }
  return Object.assign(write, { wants })
}

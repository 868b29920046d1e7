import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { forbidden } from '../core/errors.ts'
import type { Env } from './media.ts'
import { DEFAULT_TENANT, TENANT_NAME, tenantPath } from './tenants.ts'

export interface AuthConfig {
  /** tokens that may read and append: `TOKEN` (every tenant) or `TOKEN:tenant|tenant` */
  tokens: string[]
  /** tokens that may only read, in the same form */
  readTokens: string[]
}

interface Grant {
  role: 'rw' | 'ro'
  /** the tenants this token may use; undefined: all */
  tenants?: Set<string>
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Parses AUTH_TOKENS / AUTH_READ_TOKENS entries. A bearer token is RFC 6750 token68
 * (`A-Z a-z 0-9 - . _ ~ + / =`), so `:` cannot be part of one and starts the tenant list.
 * e.g. `ops-token` (all tenants), `acme-token:acme`, `shared-ro:acme|globex`
 */
export function parseGrants(auth: AuthConfig): Map<string, Grant> {
  const grants = new Map<string, Grant>()
  const add = (entry: string, role: Grant['role'], name: string) => {
    const colon = entry.indexOf(':')
    const token = colon === -1 ? entry : entry.slice(0, colon)
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new Error(`${name}: '${token.slice(0, 4)}…' is not a bearer token (RFC 6750 token68 characters only).`)
    let tenants: Set<string> | undefined
    if (colon !== -1) {
      const list = entry.slice(colon + 1).split('|').map((t) => t.trim())
      const bad = list.find((t) => !TENANT_NAME.test(t))
      if (bad !== undefined) throw new Error(`${name}: token '${token.slice(0, 4)}…' names tenant '${bad}', which is not a tenant name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -).`)
      tenants = new Set(list)
    }
    // A token listed in both lists keeps the stronger role.
    if (grants.get(token)?.role !== 'rw') grants.set(token, { role, tenants })
  }
  for (const t of auth.tokens) add(t, 'rw', 'AUTH_TOKENS')
  for (const t of auth.readTokens) add(t, 'ro', 'AUTH_READ_TOKENS')
  return grants
}

/**
 * Bearer-token auth for /v1/*: 401 without a known token, 403 when a read-only token
 * writes or a token limited to some tenants addresses another (the plain /v1/... routes
 * address the tenant 'default'). Undefined when no token is configured (an open API).
 */
export function authMiddleware(auth: AuthConfig | undefined): MiddlewareHandler<Env>[] | undefined {
  if (!auth || (!auth.tokens.length && !auth.readTokens.length)) return undefined
  const grants = parseGrants(auth)
  return [
    bearerAuth<Env>({
      verifyToken: (token, c) => {
        const grant = grants.get(token)
        if (grant) c.set('role', grant.role)
        if (grant?.tenants) c.set('tenants', grant.tenants)
        return grant !== undefined
      },
    }),
    async (c, next) => {
      const { tenant, rest } = tenantPath(c.req.path)
      const tenants = c.get('tenants')
      if (tenants && !tenants.has(tenant)) {
        const allowed = [...tenants].join(', ')
        throw forbidden(`This token may use tenant${tenants.size > 1 ? 's' : ''} ${allowed}, not '${tenant}'${tenant === DEFAULT_TENANT && !c.req.path.startsWith('/v1/tenants/') ? ' (the plain /v1/... routes address the default tenant)' : ''}.`)
      }
      // POST /v1/query is a read that carries its query in the body.
      if (WRITE_METHODS.has(c.req.method) && c.get('role') !== 'rw' && rest !== '/v1/query') {
        throw forbidden('This token may read but not write; use a read-write token.')
      }
      await next()
    },
  ]
}

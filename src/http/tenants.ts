import type { Hono } from 'hono'
import { EdgelogError, invalidRequest } from '../core/errors.ts'

/** The tenant the plain /v1/... routes address. */
export const DEFAULT_TENANT = 'default'

/**
 * Tenant names: like stream names, but they also name a database file
 * (`{tenant}` in DATABASE_URL) and a Durable Object, so a tighter alphabet: no `:`, `@`,
 * `+`, `=` and no leading `.` (hidden files).
 */
export const TENANT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/

const PREFIX = '/v1/tenants/'

/** `file:./data/{tenant}.db` -> `file:./data/acme.db`; a URL without `{tenant}` serves one log. */
export const tenantUrl = (template: string, tenant: string) => template.replaceAll('{tenant}', tenant)
export const isTenantTemplate = (url: string) => url.includes('{tenant}')

/** A tenant's app logs its errors (a 5xx's cause) with the tenant; the request lines come from the app in front. */
export const errorsOnly = (logger: (line: Record<string, unknown>) => void, tenant: string) => (line: Record<string, unknown>) => {
  if (line.msg !== 'request') logger({ ...line, tenant })
}

/** Where a request goes: `/v1/tenants/acme/streams/x` -> acme, `/v1/streams/x`; `/v1/all` -> default, `/v1/all`. */
export function tenantPath(path: string): { tenant: string; rest: string } {
  if (!path.startsWith(PREFIX)) return { tenant: DEFAULT_TENANT, rest: path }
  const slash = path.indexOf('/', PREFIX.length)
  const raw = slash === -1 ? path.slice(PREFIX.length) : path.slice(PREFIX.length, slash)
  let tenant = raw
  try {
    tenant = decodeURIComponent(raw)
  } catch {}
  return { tenant, rest: `/v1${slash === -1 ? '' : path.slice(slash)}` }
}

/** A tenant name from a URL, or a 400 that says what a tenant name is. */
export function checkTenant(tenant: string): string {
  if (TENANT_NAME.test(tenant)) return tenant
  throw invalidRequest(`'${tenant.slice(0, 80)}' is not a tenant name: 1-64 characters from A-Z a-z 0-9 _ . -, not starting with . or -.`, [
    { path: 'tenant', message: 'a tenant name is 1-64 characters from A-Z a-z 0-9 _ . -, not starting with . or -' },
  ])
}

/** Answers a request for one tenant; the request's path is already the plain /v1/... form. */
export interface TenantRouter {
  fetch(tenant: string, request: Request): Promise<Response>
}

/**
 * The tenant-qualified routes: `/v1/tenants/:tenant/<route>` is `/v1/<route>` of that
 * tenant's own log. The request is handed on with its path rewritten; a Location header
 * in the answer is rewritten back.
 */
export function mountTenants(app: Hono<any>, router: TenantRouter): void {
  app.all(`${PREFIX}:tenant/*`, async (c) => {
    // The raw path, not Hono's decoded one: a percent-encoded stream name stays encoded.
    const { tenant, rest } = tenantPath(new URL(c.req.url).pathname)
    checkTenant(tenant)
    return forward(router, tenant, c.req.raw, rest)
  })
}

/** Hands `request` to `tenant` with its path replaced by `path` (the plain /v1/... form). */
export async function forward(router: TenantRouter, tenant: string, request: Request, path: string): Promise<Response> {
  const url = new URL(request.url)
  // `/v1/tenants/acme/streams/x` handed on as `/v1/streams/x`: the prefix is `/v1/tenants/acme`
  const prefix = url.pathname.slice(0, url.pathname.length - path.length + '/v1'.length)
  url.pathname = path
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body
  const inner = new Request(url, { method: request.method, headers: request.headers, body, signal: request.signal, duplex: 'half' } as RequestInit)
  const res = await router.fetch(tenant, inner)
  const outer = (path: string) => `${prefix}${path.slice('/v1'.length)}`
  // RFC 9457 §3.1.5: `instance` names the request the client made, not the one handed on.
  if (res.headers.get('content-type')?.startsWith('application/problem+json') && request.method !== 'HEAD') {
    let text = await res.text()
    try {
      const problem = JSON.parse(text)
      if (typeof problem?.instance === 'string' && problem.instance.startsWith('/v1')) text = JSON.stringify({ ...problem, instance: outer(problem.instance) })
    } catch {}
    const headers = new Headers(res.headers)
    headers.delete('content-length')
    return new Response(text, { status: res.status, statusText: res.statusText, headers })
  }
  const location = res.headers.get('location')
  if (location === null || !location.startsWith('/v1/')) return res
  const out = new Response(res.body, res)
  out.headers.set('location', outer(location))
  return out
}

const TENANT_NOT_FOUND = {
  type: 'object',
  description: 'This deployment does not serve the tenant (Workers with D1_TENANTS: a tenant is a D1 binding)',
  required: ['type', 'title', 'status', 'detail', 'tenant'],
  properties: {
    type: { type: 'string', const: 'https://edgelog.dev/problems/tenant-not-found' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'what happened and what to fix' },
    instance: { type: 'string', description: 'the request path' },
    tenant: { type: 'string' },
  },
}
const TENANT_NOT_FOUND_REF = { $ref: '#/components/schemas/TenantNotFoundProblem' }

/** What a tenant-qualified route answers besides the plain route's responses: a bad tenant name, another tenant's token, an unknown tenant. */
function tenantResponses(responses: Record<string, any> = {}): Record<string, any> {
  const out = { ...responses }
  const also = (status: string, note: string) => out[status] && (out[status] = { ...out[status], description: `${out[status].description}; ${note}` })
  const refOnly = (name: string, description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${name}` } } } })
  if (!also('400', 'or the tenant name is not valid (invalid-request)')) out['400'] = refOnly('InvalidRequestProblem', 'The tenant name is not valid (invalid-request)')
  if (!also('403', 'or the token is scoped to other tenants (forbidden)')) out['403'] = refOnly('ForbiddenProblem', 'The token is scoped to other tenants (forbidden)')
  const problem = (r: any) => r?.content?.['application/problem+json']?.schema
  out['404'] = out['404']
    ? {
        ...out['404'],
        description: `${out['404'].description}; or this deployment does not serve the tenant (tenant-not-found)`,
        content: { 'application/problem+json': { schema: { oneOf: [problem(out['404']), TENANT_NOT_FOUND_REF].filter(Boolean) } } },
      }
    : { description: 'This deployment does not serve the tenant (tenant-not-found)', content: { 'application/problem+json': { schema: TENANT_NOT_FOUND_REF } } }
  return out
}

/** The OpenAPI document with the tenant-qualified form of every /v1/ path beside it. */
export function withTenantPaths<T extends { paths?: Record<string, any>; components?: Record<string, any> }>(doc: T): T {
  const paths: Record<string, any> = { ...doc.paths }
  const tenant = {
    name: 'tenant',
    in: 'path',
    required: true,
    description: `A tenant: an isolated log with its own database. /v1/tenants/${DEFAULT_TENANT}/... is /v1/...`,
    schema: { type: 'string', pattern: TENANT_NAME.source },
  }
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/v1/')) continue
    const copy: Record<string, any> = {}
    for (const [method, op] of Object.entries(item as Record<string, any>)) {
      copy[method] = {
        ...op,
        operationId: op.operationId ? `${op.operationId}ForTenant` : undefined,
        parameters: [tenant, ...(op.parameters ?? [])],
        tags: [...(op.tags ?? []), 'tenants'],
        responses: tenantResponses(op.responses),
      }
    }
    paths[`/v1/tenants/{tenant}${path.slice('/v1'.length)}`] = copy
  }
  const components = { ...doc.components, schemas: { ...doc.components?.schemas, TenantNotFoundProblem: TENANT_NOT_FOUND } }
  return { ...doc, paths, components }
}

/** A tenant this deployment does not serve (Workers with D1_TENANTS: a tenant is a binding). */
export const tenantNotFound = (tenant: string, hint: string) =>
  new EdgelogError({ status: 404, kind: 'tenant-not-found', title: 'Tenant not found', detail: `There is no tenant '${tenant}' here; ${hint}`, extensions: { tenant } })

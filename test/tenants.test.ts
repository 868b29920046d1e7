// Tenant routing helpers and the token configuration format (docs/api.md "Tenants", "Tokens").
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../src/config.ts'
import { parseGrants } from '../src/http/auth.ts'
import { checkTenant, tenantPath, withTenantPaths } from '../src/http/tenants.ts'

describe('tenants: paths and names', () => {
  it('splits a tenant-qualified path; a plain one is the default tenant', () => {
    assert.deepEqual(tenantPath('/v1/tenants/acme/streams/order-1'), { tenant: 'acme', rest: '/v1/streams/order-1' })
    assert.deepEqual(tenantPath('/v1/tenants/acme'), { tenant: 'acme', rest: '/v1' })
    assert.deepEqual(tenantPath('/v1/all'), { tenant: 'default', rest: '/v1/all' })
    assert.deepEqual(tenantPath('/v1/tenants/a%2Fb/all'), { tenant: 'a/b', rest: '/v1/all' })
  })

  it('tenant names: file- and object-safe, else a 400 naming the rule', () => {
    for (const ok of ['acme', 'a', 'A_b.c-d', 'x'.repeat(64)]) assert.equal(checkTenant(ok), ok)
    for (const bad of ['', '.', '..', '-a', 'a/b', 'a:b', 'a b', 'x'.repeat(65), 'a|b']) {
      assert.throws(() => checkTenant(bad), (e: any) => e.status === 400 && e.kind === 'invalid-request' && /tenant name/.test(e.message), bad)
    }
  })

  it('the OpenAPI document gets a tenant-qualified copy of every /v1 path', () => {
    const doc = withTenantPaths<{ paths: Record<string, any> }>({ paths: { '/v1/all': { get: { operationId: 'readAll', parameters: [{ name: 'from', in: 'query' }] } }, '/health': { get: {} } } })
    const op = doc.paths['/v1/tenants/{tenant}/all'].get
    assert.equal(op.operationId, 'readAllForTenant')
    assert.deepEqual(op.parameters.map((p: any) => p.name), ['tenant', 'from'])
    assert.ok(!('/v1/tenants/{tenant}/health' in doc.paths) && !('/tenants/{tenant}/health' in doc.paths))
  })

  it('a tenant-qualified operation also answers tenant-not-found (404) and says so beside its own 404s', () => {
    const streamNotFound = { $ref: '#/components/schemas/StreamNotFoundProblem' }
    const doc = withTenantPaths<{ paths: Record<string, any>; components: Record<string, any> }>({
      paths: {
        '/v1/all': { get: { responses: { 200: { description: 'ok' } } } },
        '/v1/streams/{stream}': { get: { responses: { 404: { description: 'No such stream', content: { 'application/problem+json': { schema: streamNotFound } } } } } },
      },
      components: { schemas: {} },
    })
    const tnf = { $ref: '#/components/schemas/TenantNotFoundProblem' }
    assert.deepEqual(doc.paths['/v1/tenants/{tenant}/all'].get.responses['404'].content['application/problem+json'].schema, tnf)
    const r404 = doc.paths['/v1/tenants/{tenant}/streams/{stream}'].get.responses['404']
    assert.deepEqual(r404.content['application/problem+json'].schema, { oneOf: [streamNotFound, tnf] })
    assert.match(r404.description, /No such stream; .*tenant-not-found/)
    assert.equal(doc.components.schemas.TenantNotFoundProblem.properties.type.const, 'https://edgelog.dev/problems/tenant-not-found')
    // a read too: a bad tenant name (400), a token of other tenants (403)
    assert.match(doc.paths['/v1/tenants/{tenant}/all'].get.responses['403'].description, /scoped to other tenants/)
    assert.ok(doc.paths['/v1/tenants/{tenant}/all'].get.responses['400'])
    // the plain routes are unchanged
    assert.deepEqual(Object.keys(doc.paths['/v1/all'].get.responses), ['200'])
  })
})

describe('tokens: TOKEN or TOKEN:tenant|tenant', () => {
  it('parses roles and tenant lists', () => {
    const grants = parseGrants({ tokens: ['ops', 'acme-rw:acme', 'both:acme|globex'], readTokens: ['ro:globex', 'ops'] })
    assert.deepEqual(grants.get('ops'), { role: 'rw', tenants: undefined })
    assert.deepEqual([...grants.get('both')!.tenants!], ['acme', 'globex'])
    assert.equal(grants.get('ro')!.role, 'ro')
  })

  it('refuses a tenant list with a bad name and a token that is not token68, saying which', () => {
    assert.throws(() => parseGrants({ tokens: ['tok:acme|../x'], readTokens: [] }), /AUTH_TOKENS.*'\.\.\/x'.*not a tenant name/)
    assert.throws(() => parseGrants({ tokens: [], readTokens: ['tok:'] }), /AUTH_READ_TOKENS.*not a tenant name/)
    assert.throws(() => parseGrants({ tokens: ['bad token'], readTokens: [] }), /AUTH_TOKENS.*token68/)
  })
})

describe('D1_TENANTS: tenant=BINDING pairs (Workers, STORE=d1)', () => {
  it('parses the pairs; none by default', () => {
    assert.deepEqual([...loadConfig({ D1_TENANTS: 'acme=DB_ACME, globex=DB_GLOBEX' }).d1Tenants], [['acme', 'DB_ACME'], ['globex', 'DB_GLOBEX']])
    assert.equal(loadConfig({}).d1Tenants.size, 0)
  })

  it('refuses a malformed pair, the default tenant, a tenant twice and a shared binding, saying which', () => {
    assert.throws(() => loadConfig({ D1_TENANTS: 'acme' }), /D1_TENANTS lists tenant=BINDING pairs.*'acme'/)
    assert.throws(() => loadConfig({ D1_TENANTS: '.x=DB_X' }), /D1_TENANTS.*'\.x=DB_X'/)
    assert.throws(() => loadConfig({ D1_TENANTS: 'acme=DB-ACME' }), /D1_TENANTS.*'acme=DB-ACME'/)
    assert.throws(() => loadConfig({ D1_TENANTS: 'default=DB_X' }), /default tenant is always the binding DB/)
    assert.throws(() => loadConfig({ D1_TENANTS: 'acme=DB_A,acme=DB_B' }), /names tenant 'acme' twice/)
    assert.throws(() => loadConfig({ D1_TENANTS: 'acme=DB_A,globex=DB_A' }), /'acme' and 'globex' would share the D1 binding DB_A/)
    assert.throws(() => loadConfig({ D1_TENANTS: 'acme=DB' }), /'default' and 'acme' would share the D1 binding DB/)
  })
})

// Tenants on Node: DATABASE_URL with {tenant} names a local file per tenant, opened on
// demand, closed when idle or beyond MAX_OPEN_TENANTS, and tokens scoped to tenants.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { openSse } from './subscribe/sse.ts'
import { newTenant, tenantIsolationTests } from './tenants/isolation.ts'

/** Resolves once `check` holds, polling. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}

/** The server logged that it closed `tenant`'s database (writer drained, file closed). */
const closedLine = (server: RunningServer, tenant: string, reason: string) => () =>
  server.stdout.some((l) => l.includes('"tenant closed"') && l.includes(`"tenant":"${tenant}"`) && l.includes(`"reason":"${reason}"`))

describe('node: a database file per tenant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-tenants-'))
  let server: RunningServer
  before(async () => {
    server = await startServer('node', { env: { DATABASE_URL: `file:${dir}/{tenant}.db`, MAX_OPEN_TENANTS: '2', LOG_LEVEL: 'info' } })
  })
  after(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  tenantIsolationTests(() => server.baseUrl)

  it('each tenant is its own file; the default tenant is {tenant} = default', async () => {
    const tenant = newTenant('file')
    expectStatus(await call(server.baseUrl, 'POST', `/v1/tenants/${tenant}/streams/s-1`, { json: { events: [newEvent()] } }), 201)
    assert.ok(existsSync(join(dir, `${tenant}.db`)))
    assert.ok(existsSync(join(dir, 'default.db')))
  })

  it('beyond MAX_OPEN_TENANTS the least recently used idle tenant is closed, and reopened with its events on demand', async () => {
    const [t1, t2, t3] = [newTenant('lru'), newTenant('lru'), newTenant('lru')]
    const ids: Record<string, string> = {}
    for (const t of [t1, t2]) ids[t] = expectStatus(await call(server.baseUrl, 'POST', `/v1/tenants/${t}/streams/s-1`, { json: { events: [newEvent()] } }), 201).events[0].id
    expectStatus(await call(server.baseUrl, 'POST', `/v1/tenants/${t3}/streams/s-1`, { json: { events: [newEvent()] } }), 201)
    await until(closedLine(server, t1, 'lru'), `${t1} to be closed`)
    assert.ok(!closedLine(server, t2, 'lru')() && !closedLine(server, t3, 'lru')(), 'only the least recently used one')
    const read = expectStatus(await call(server.baseUrl, 'GET', `/v1/tenants/${t1}/streams/s-1`), 200)
    assert.deepEqual(read.events.map((e: any) => e.id), [ids[t1]])
  })

  it('a tenant with an open subscription is not closed; when every open tenant is busy a new one is a 503 with Retry-After', async () => {
    const [t1, t2, t3] = [newTenant('busy'), newTenant('busy'), newTenant('busy')]
    const subs = await Promise.all([t1, t2].map((t) => openSse(`${server.baseUrl}/v1/tenants/${t}/subscribe?from=0`)))
    try {
      for (const s of subs) assert.equal(s.status, 200)
      const refused = await call(server.baseUrl, 'GET', `/v1/tenants/${t3}/all`)
      expectProblem(refused, 503, 'unavailable')
      assert.ok(refused.headers.get('retry-after'))
      // a subscription still gets its tenant's commits
      expectStatus(await call(server.baseUrl, 'POST', `/v1/tenants/${t1}/streams/s-1`, { json: { events: [newEvent('StillOpen')] } }), 201)
      assert.equal((await subs[0].take(1))[0].type, 'StillOpen')
    } finally {
      for (const s of subs) s.close()
    }
    // once a subscriber leaves, its tenant may close to make room
    let reply = await call(server.baseUrl, 'GET', `/v1/tenants/${t3}/all`)
    while (reply.status === 503) reply = await call(server.baseUrl, 'GET', `/v1/tenants/${t3}/all`)
    expectStatus(reply, 200)
  })
})

describe('node: tenants closed when idle, tokens scoped to tenants', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-tenants-'))
  let server: RunningServer
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })
  before(async () => {
    server = await startServer('node', {
      env: {
        DATABASE_URL: `file:${dir}/{tenant}.db`,
        TENANT_IDLE_MS: '300',
        AUTH_TOKENS: 'admin,acme-rw:acme,both-rw:acme|globex',
        AUTH_READ_TOKENS: 'globex-ro:globex',
        LOG_LEVEL: 'info',
      },
    })
  })
  after(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a tenant with no request for TENANT_IDLE_MS is closed, and reopens with its events', async () => {
    const tenant = newTenant('idle')
    const id = expectStatus(await call(server.baseUrl, 'POST', `/v1/tenants/${tenant}/streams/s-1`, { json: { events: [newEvent()] }, ...as('admin') }), 201).events[0].id
    await until(closedLine(server, tenant, 'idle'), `${tenant} to be closed when idle`)
    const read = expectStatus(await call(server.baseUrl, 'GET', `/v1/tenants/${tenant}/streams/s-1`, as('admin')), 200)
    assert.deepEqual(read.events.map((e: any) => e.id), [id])
  })

  it('a token limited to some tenants gets 403 on another, and on the plain routes (the default tenant)', async () => {
    expectStatus(await call(server.baseUrl, 'POST', '/v1/tenants/acme/streams/s-1', { json: { events: [newEvent()] }, ...as('acme-rw') }), 201)
    const denied = expectProblem(await call(server.baseUrl, 'GET', '/v1/tenants/globex/all', as('acme-rw')), 403, 'forbidden')
    assert.match(denied.detail, /acme/)
    expectProblem(await call(server.baseUrl, 'GET', '/v1/all', as('acme-rw')), 403, 'forbidden')
    expectProblem(await call(server.baseUrl, 'GET', '/v1/tenants/default/all', as('acme-rw')), 403, 'forbidden')
    expectStatus(await call(server.baseUrl, 'POST', '/v1/tenants/globex/streams/s-1', { json: { events: [newEvent()] }, ...as('both-rw') }), 201)
    expectStatus(await call(server.baseUrl, 'GET', '/v1/tenants/globex/all', as('globex-ro')), 200)
    expectProblem(await call(server.baseUrl, 'POST', '/v1/tenants/globex/streams/s-1', { json: { events: [newEvent()] }, ...as('globex-ro') }), 403, 'forbidden')
    expectProblem(await call(server.baseUrl, 'GET', '/v1/tenants/acme/all', as('globex-ro')), 403, 'forbidden')
    expectStatus(await call(server.baseUrl, 'GET', '/v1/all', as('admin')), 200)
    expectProblem(await call(server.baseUrl, 'GET', '/v1/tenants/acme/all'), 401, 'unauthorized')
  })
})

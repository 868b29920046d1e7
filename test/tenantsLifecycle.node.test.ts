// Every tenant is wired as the default log is (src/logApp.ts): deletes, truncation, the
// retention pass and its timer, crypto-shredding with ENCRYPTION_KEY, metrics; problem
// documents name the path the client requested. Node, a database file per tenant.
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { newTenant } from './tenants/isolation.ts'

const KEY = randomBytes(32).toString('base64')

/** Resolves once `check` resolves true, polling over HTTP. */
async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}

describe('node: each tenant has the default log\'s lifecycle, erasure and metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-tenants-lc-'))
  let server: RunningServer
  const req = (method: string, path: string, json?: unknown) => call(server.baseUrl, method, path, { json })
  const at = (tenant: string, path: string) => (tenant === 'default' ? `/v1${path}` : `/v1/tenants/${tenant}${path}`)
  const types = async (tenant: string, stream: string) => expectStatus(await req('GET', at(tenant, `/streams/${stream}`)), 200).events.map((e: any) => e.type)
  /** The same stream, with the same events, in three logs. */
  const seed = async (tenants: string[], stream: string, n = 3) => {
    for (const t of tenants) expectStatus(await req('POST', at(t, `/streams/${stream}`), { events: Array.from({ length: n }, (_, i) => newEvent(`E${i}`)) }), 201)
  }

  before(async () => {
    server = await startServer('node', {
      env: { DATABASE_URL: `file:${dir}/{tenant}.db`, ENCRYPTION_KEY: KEY, RETENTION_INTERVAL_MS: '100', TENANT_IDLE_MS: '1000', LOG_LEVEL: 'info' },
    })
  })
  after(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('DELETE of a stream in one tenant: the same stream in another tenant and in the default log is untouched', async () => {
    const [a, b] = [newTenant('del'), newTenant('del')]
    const stream = `acct${randomUUID().slice(0, 8)}-1`
    await seed([a, b, 'default'], stream)
    assert.deepEqual(expectStatus(await req('DELETE', at(a, `/streams/${stream}?expectedRevision=2`)), 200), { stream, mode: 'soft', removed: 3, floor: 3, revision: 2 })
    expectProblem(await req('GET', at(a, `/streams/${stream}`)), 404, 'stream-deleted')
    assert.deepEqual(await types(b, stream), ['E0', 'E1', 'E2'])
    assert.deepEqual(await types('default', stream), ['E0', 'E1', 'E2'])
    // a hard delete of b's leaves a's soft-deleted stream appendable
    expectStatus(await req('DELETE', at(b, `/streams/${stream}?hard=true`)), 200)
    expectProblem(await req('GET', at(b, `/streams/${stream}`)), 410, 'stream-tombstoned')
    assert.equal(expectStatus(await req('POST', at(a, `/streams/${stream}`), { events: [newEvent('Again')] }), 201).firstRevision, 3)
  })

  it('truncate in one tenant only', async () => {
    const [a, b] = [newTenant('tr'), newTenant('tr')]
    const stream = `tr${randomUUID().slice(0, 8)}-1`
    await seed([a, b, 'default'], stream)
    expectStatus(await req('POST', at(a, `/streams/${stream}/truncate`), { before: 2 }), 200)
    assert.deepEqual(await types(a, stream), ['E2'])
    assert.deepEqual(await types(b, stream), ['E0', 'E1', 'E2'])
    assert.deepEqual(await types('default', stream), ['E0', 'E1', 'E2'])
  })

  it("a tenant's retention policy is its own; POST retention/run and the retention timer apply it to that tenant only", async () => {
    const [a, b, timed] = [newTenant('ret'), newTenant('ret'), newTenant('ret')]
    const stream = `ret${randomUUID().slice(0, 8)}-1`
    await seed([a, b, timed, 'default'], stream)
    expectStatus(await req('PUT', at(a, `/retention/streams/${stream}`), { maxCount: 1 }), 200)
    expectProblem(await req('GET', at(b, `/retention/streams/${stream}`)), 404, 'retention-not-found')
    expectProblem(await req('GET', at('default', `/retention/streams/${stream}`)), 404, 'retention-not-found')
    const step = expectStatus(await req('POST', at(b, '/retention/run'), {}), 200)
    assert.equal(step.removed, 0, "b's pass has no policy of a's")
    // (the timer of RETENTION_INTERVAL_MS may have run a's pass already: either removes the same)
    for (let done = false; !done; ) done = expectStatus(await req('POST', at(a, '/retention/run'), {}), 200).done
    assert.deepEqual(await types(a, stream), ['E2'])
    assert.deepEqual(await types(b, stream), ['E0', 'E1', 'E2'])
    assert.deepEqual(await types('default', stream), ['E0', 'E1', 'E2'])
    // RETENTION_INTERVAL_MS: the tenant's own timer runs its pass, with no call
    expectStatus(await req('PUT', at(timed, `/retention/streams/${stream}`), { maxCount: 2 }), 200)
    await until(async () => (await types(timed, stream)).length === 2, "the timed tenant's retention pass")
    assert.deepEqual(await types(timed, stream), ['E1', 'E2'])
    assert.deepEqual(await types(b, stream), ['E0', 'E1', 'E2'])
  })

  it("ENCRYPTION_KEY on a tenant: a subject's events are sealed; erasing it in one tenant leaves the same subject in another and the default log readable", async () => {
    const [a, b] = [newTenant('subj'), newTenant('subj')]
    const subject = `p${randomUUID().slice(0, 8)}`
    const stream = `person${randomUUID().slice(0, 6)}-1`
    const event = () => ({ ...newEvent('Registered', { name: 'Ada' }), tags: [`subject:${subject}`] })
    for (const t of [a, b, 'default']) expectStatus(await req('POST', at(t, `/streams/${stream}`), { events: [event()] }), 201)
    expectStatus(await req('DELETE', at(a, `/subjects/${subject}`)), 200)
    const erased = expectStatus(await req('GET', at(a, `/streams/${stream}`)), 200).events[0]
    assert.equal(erased.data, null)
    assert.equal(erased.erased, true)
    expectProblem(await req('POST', at(a, `/streams/${stream}`), { events: [event()] }), 410, 'subject-erased')
    for (const t of [b, 'default']) assert.deepEqual(expectStatus(await req('GET', at(t, `/streams/${stream}`)), 200).events[0].data, { name: 'Ada' })
    expectStatus(await req('POST', at(b, `/streams/${stream}`), { events: [event()] }), 201)
  })

  it('a problem on a tenant route names the path the client requested in `instance`', async () => {
    const t = newTenant('inst')
    const missing = expectProblem(await req('GET', at(t, '/streams/nope-1')), 404, 'stream-not-found')
    assert.equal(missing.instance, `/v1/tenants/${t}/streams/nope-1`)
    const bad = expectProblem(await req('POST', at(t, '/streams/s-1'), { events: [] }), 400, 'invalid-request')
    assert.equal(bad.instance, `/v1/tenants/${t}/streams/s-1`)
    const noRoute = expectProblem(await req('GET', at(t, '/nothing-here')), 404, 'not-found')
    assert.equal(noRoute.instance, `/v1/tenants/${t}/nothing-here`)
    const badName = expectProblem(await req('GET', '/v1/tenants/.x/all'), 400, 'invalid-request')
    assert.equal(badName.instance, '/v1/tenants/.x/all')
    assert.equal(expectProblem(await req('GET', '/v1/streams/nope-1'), 404, 'stream-not-found').instance, '/v1/streams/nope-1')
    assert.equal(expectProblem(await req('GET', '/v1/tenants/default/streams/nope-1'), 404, 'stream-not-found').instance, '/v1/tenants/default/streams/nope-1')
  })

  it("/metrics: the default log's series and each open tenant's, labelled with it", async () => {
    const t = newTenant('met')
    expectStatus(await req('POST', at(t, '/streams/m-1'), { events: [newEvent(), newEvent()] }), 201)
    expectStatus(await req('DELETE', at(t, '/streams/m-1')), 200)
    expectStatus(await req('POST', '/v1/streams/m-1', { events: [newEvent()] }), 201)
    const res = await fetch(`${server.baseUrl}/metrics`)
    assert.equal(res.status, 200)
    const text = await res.text()
    assert.match(text, new RegExp(`^edgelog_events_appended_total\\{tenant="${t}"\\} 2$`, 'm'))
    assert.match(text, new RegExp(`^edgelog_events_removed_total\\{reason="delete",tenant="${t}"\\} 2$`, 'm'))
    assert.match(text, /^edgelog_events_appended_total [1-9]\d*$/m)
    assert.equal(text.match(/^# TYPE edgelog_events_appended_total /gm)?.length, 1, 'one family per metric')
    assert.match(text, /^edgelog_http_request_duration_seconds_count\{method="POST",route="\/v1\/tenants\/:tenant\/\*",status="201"\} [1-9]/m)
  })

  it("closing an idle tenant stops its retention timer (no step runs on its closed database)", async () => {
    const t = newTenant('idle')
    expectStatus(await req('POST', at(t, '/streams/i-1'), { events: [newEvent()] }), 201)
    expectStatus(await req('PUT', at(t, '/retention/streams/i-1'), { maxCount: 5 }), 200)
    const closed = () => server.stdout.some((l) => l.includes('"tenant closed"') && l.includes(`"tenant":"${t}"`))
    await until(closed, `${t} to close when idle`)
    // Another tenant's timer trims twice after that: several retention intervals have passed.
    const other = newTenant('clock')
    expectStatus(await req('PUT', at(other, '/retention/streams/c-1'), { maxCount: 1 }), 200)
    for (let round = 0; round < 2; round++) {
      expectStatus(await req('POST', at(other, '/streams/c-1'), { events: [newEvent(), newEvent()] }), 201)
      await until(async () => (await types(other, 'c-1')).length === 1, 'the other tenant\'s retention pass')
    }
    const failed = [...server.stdout, ...server.stderr].filter((l) => l.includes('retention step failed'))
    assert.deepEqual(failed, [])
  })
})

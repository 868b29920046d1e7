// Data lifecycle on a real libSQL file, over HTTP (app.request) with a controllable clock:
// retention by age removes exactly the events past the cutoff in bounded steps and hands
// the freed pages back (incremental vacuum); removals show in /metrics; read tokens may not
// delete, truncate or set retention. The contract suite (test/contract/lifecycle.ts) covers
// deletes, truncation and retention by count on every runtime.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createEventLog } from '../src/core/eventLog.ts'
import { createLifecycle } from '../src/core/lifecycle.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import { createApp } from '../src/http/app.ts'
import { createMetrics } from '../src/metrics.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { tempDir } from './helpers.ts'

const send = (method: string, body?: unknown, token?: string) => ({
  method,
  headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
})
const metricLine = (text: string, prefix: string) => Number(text.split('\n').find((l) => l.startsWith(prefix))?.split(' ').pop())

describe('data lifecycle on a file (retention by age, pages, metrics, auth)', () => {
  const { dir, cleanup } = tempDir()
  let store: Store
  let clock = 0
  let app: ReturnType<typeof createApp>
  let log: ReturnType<typeof createEventLog>

  before(async () => {
    store = await openStore({ url: `file:${dir}/lifecycle.db`, durability: 'normal' })
    log = createEventLog({ ...store, codec, limits: DEFAULT_LIMITS, soleWriter: true })
    const lifecycle = createLifecycle(store.lifecycle, store.backend, { now: () => clock, retentionBatch: 100 })
    app = createApp({ log, lifecycle, metrics: createMetrics(log, store.backend, lifecycle), auth: { tokens: ['rw'], readTokens: ['ro'] } })
  })
  after(async () => {
    await log?.close()
    await store?.close()
    cleanup()
  })

  const req = (path: string, method = 'GET', body?: unknown, token = 'rw') => app.request(path, send(method, body, token))
  const ok = async (res: Response | Promise<Response>, status = 200) => {
    const r = await res
    const text = await r.text()
    assert.equal(r.status, status, text)
    return text ? JSON.parse(text) : undefined
  }

  it('retention by age with an injected clock: bounded steps remove exactly the events older than now - maxAge, and the page count shrinks', async () => {
    const cat = `age${randomUUID().slice(0, 6)}`
    const big = (n: number) => ({ type: 'Big', data: { n, pad: `${randomUUID()}`.repeat(60) } }) // ~2 KB each
    let oldTime = 0
    let firstTime = 0
    for (let k = 0; k < 5; k++) {
      const r = await ok(req(`/v1/streams/${cat}-${k}`, 'POST', { events: Array.from({ length: 60 }, (_, n) => big(n)) }), 201)
      assert.equal(r.lastRevision, 59)
      if (k === 0) firstTime = Date.parse((await ok(req(`/v1/streams/${cat}-0?limit=1`))).events[0].time)
    }
    const lastOld = await ok(req(`/v1/streams/${cat}-4?direction=backward&limit=1`))
    oldTime = Date.parse(lastOld.events[0].time)
    while (Date.now() <= oldTime) {
      // the next commit must carry a later millisecond than the old ones (a condition, not a sleep)
    }
    await ok(req(`/v1/streams/${cat}-young`, 'POST', { events: [big(0), big(1)] }), 201)
    const young = await ok(req(`/v1/streams/${cat}-young`))
    const youngTime = Date.parse(young.events[0].time)
    assert.ok(youngTime > oldTime)

    await ok(req(`/v1/retention/categories/${cat}`, 'PUT', { maxAge: 60_000 }))
    // the clock before the cutoff reaches any event: nothing is due
    clock = firstTime + 60_000
    assert.deepEqual((await ok(req('/v1/retention/run', 'POST', {}))).removed, 0)

    const pagesBefore = metricLine(await (await app.request('/metrics', { headers: { authorization: 'Bearer ro' } })).text(), 'edgelog_database_pages ')
    // now - maxAge = youngTime: every older event is due, the young ones are not
    clock = youngTime + 60_000
    const steps: Array<{ removed: number; done: boolean; pages: { before: number; after: number; free: number } }> = []
    for (let i = 0; i < 20; i++) {
      const step = await ok(req('/v1/retention/run', 'POST', {}))
      steps.push(step)
      if (step.done) break
    }
    // bounded: RETENTION_BATCH (100 here) per step, 300 due events
    assert.deepEqual(steps.map((s) => s.removed), [100, 100, 100, 0].slice(0, steps.length))
    assert.ok(steps.at(-1)!.done)
    assert.ok(steps[0].pages.after < steps[0].pages.before, `incremental vacuum freed no pages: ${JSON.stringify(steps[0].pages)}`)
    const metrics = await (await app.request('/metrics', { headers: { authorization: 'Bearer ro' } })).text()
    const pagesAfter = metricLine(metrics, 'edgelog_database_pages ')
    assert.ok(pagesAfter < pagesBefore - 100, `pages ${pagesBefore} -> ${pagesAfter}`)
    assert.equal(metricLine(metrics, 'edgelog_events_removed_total{reason="retention"}'), 300)

    for (let k = 0; k < 5; k++) assert.deepEqual((await ok(req(`/v1/streams/${cat}-${k}`))).events, [])
    assert.deepEqual((await ok(req(`/v1/streams/${cat}-young`))).events.map((e: any) => e.revision), [0, 1])
    const category = await ok(req(`/v1/categories/${cat}?from=0`))
    assert.deepEqual(category.events.map((e: any) => e.stream), [`${cat}-young`, `${cat}-young`])
    // revisions continue after events removed by retention
    assert.equal((await ok(req(`/v1/streams/${cat}-0`, 'POST', { events: [big(60)], expectedRevision: 59 }), 201)).firstRevision, 60)
  })

  it('retention by age on one stream keeps its younger events', async () => {
    const stream = `agestream${randomUUID().slice(0, 6)}-1`
    await ok(req(`/v1/streams/${stream}`, 'POST', { events: [{ type: 'A' }, { type: 'B' }] }), 201)
    const t = Date.parse((await ok(req(`/v1/streams/${stream}`))).events[0].time)
    while (Date.now() <= t) {
      // a later millisecond for the next commit
    }
    await ok(req(`/v1/streams/${stream}`, 'POST', { events: [{ type: 'C' }] }), 201)
    const t2 = Date.parse((await ok(req(`/v1/streams/${stream}?from=2`))).events[0].time)
    await ok(req(`/v1/retention/streams/${stream}`, 'PUT', { maxAge: 1000, maxCount: 10 }))
    clock = t2 + 1000
    for (let i = 0; i < 10 && !(await ok(req('/v1/retention/run', 'POST', {}))).done; i++);
    assert.deepEqual((await ok(req(`/v1/streams/${stream}`))).events.map((e: any) => e.type), ['C'])
  })

  it('a category maxCount over more streams than one step visits: run-until-done leaves each stream its latest event', async () => {
    const cat = `many${randomUUID().slice(0, 6)}`
    for (let k = 0; k < 120; k++) await ok(req(`/v1/streams/${cat}-${k}`, 'POST', { events: [{ type: 'A' }, { type: 'B' }] }), 201)
    await ok(req(`/v1/retention/categories/${cat}`, 'PUT', { maxCount: 1 }))
    let removed = 0
    for (let i = 0; i < 50; i++) {
      const step = await ok(req('/v1/retention/run', 'POST', {}))
      removed += step.removed
      if (step.done) break
    }
    assert.equal(removed, 120)
    for (const k of [0, 59, 119]) assert.deepEqual((await ok(req(`/v1/streams/${cat}-${k}`))).events.map((e: any) => e.type), ['B'])
    await ok(req(`/v1/retention/categories/${cat}`, 'DELETE'), 204)
  })

  it('deletes and truncations show in /metrics', async () => {
    const stream = `met${randomUUID().slice(0, 6)}-1`
    await ok(req(`/v1/streams/${stream}`, 'POST', { events: [{ type: 'A' }, { type: 'B' }, { type: 'C' }] }), 201)
    const before = await (await app.request('/metrics', { headers: { authorization: 'Bearer ro' } })).text()
    await ok(req(`/v1/streams/${stream}/truncate`, 'POST', { before: 1 }))
    await ok(req(`/v1/streams/${stream}`, 'DELETE'))
    const after = await (await app.request('/metrics', { headers: { authorization: 'Bearer ro' } })).text()
    const delta = (prefix: string) => (metricLine(after, prefix) || 0) - (metricLine(before, prefix) || 0)
    assert.equal(delta('edgelog_events_removed_total{reason="truncate"}'), 1)
    assert.equal(delta('edgelog_events_removed_total{reason="delete"}'), 2)
    assert.equal(delta('edgelog_streams_deleted_total{mode="soft"}'), 1)
  })

  it('a read-only token may read retention policies but not delete, truncate, set retention or run the pass (403)', async () => {
    const stream = `auth${randomUUID().slice(0, 6)}-1`
    await ok(req(`/v1/streams/${stream}`, 'POST', { events: [{ type: 'A' }] }), 201)
    for (const [path, method, body] of [
      [`/v1/streams/${stream}`, 'DELETE', undefined],
      [`/v1/streams/${stream}?hard=true`, 'DELETE', undefined],
      [`/v1/streams/${stream}/truncate`, 'POST', { before: 1 }],
      [`/v1/retention/streams/${stream}`, 'PUT', { maxCount: 1 }],
      [`/v1/retention/streams/${stream}`, 'DELETE', undefined],
      ['/v1/retention/run', 'POST', {}],
    ] as const) {
      const problem = await ok(req(path, method, body, 'ro'), 403)
      assert.equal(problem.type, 'https://edgelog.dev/problems/forbidden')
    }
    assert.equal((await ok(req(`/v1/streams/${stream}`, 'GET', undefined, 'ro'))).events.length, 1, 'nothing was removed')
    await ok(req('/v1/retention', 'GET', undefined, 'ro'))
  })
})

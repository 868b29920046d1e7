// Deleting or truncating a huge stream on a real libSQL file, over HTTP (app.request): the
// DELETE / truncate commits only the stream's new floor, so every read route stops showing
// the events at once, while an append to another stream runs meanwhile; the retention pass
// then deletes the rows in RETENTION_BATCH steps and gives the pages back.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import Database from 'libsql'
import { createApp } from '../src/http/app.ts'
import { openTestLog } from './helpers.ts'

const BATCH = 500
const json = (method: string, body?: unknown) => ({
  method,
  headers: (body === undefined ? {} : { 'content-type': 'application/json' }) as Record<string, string>,
  body: body === undefined ? undefined : JSON.stringify(body),
})

describe('bounded delete and truncate of a huge stream (local file)', () => {
  let t: Awaited<ReturnType<typeof openTestLog>>
  let app: ReturnType<typeof createApp>
  let raw: InstanceType<typeof Database>

  before(async () => {
    t = await openTestLog({ durability: 'normal' }, { RETENTION_BATCH: String(BATCH) })
    app = createApp(t.deps)
    raw = new Database(t.path, { readonly: true })
  })
  after(async () => {
    raw?.close()
    await t?.close()
  })

  const req = (p: string, method = 'GET', body?: unknown) => app.request(p, json(method, body))
  const ok = async (res: Response | Promise<Response>, status = 200) => {
    const r = await res
    const text = await r.text()
    assert.equal(r.status, status, text)
    return text ? JSON.parse(text) : undefined
  }
  const rows = (stream: string) => (raw.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get([stream]) as { n: number }).n
  const tagRows = (tag: string) => (raw.prepare('SELECT count(*) AS n FROM event_tags WHERE tag = ?').get([tag]) as { n: number }).n
  const fill = async (stream: string, tag: string, n: number) => {
    const pad = 'x'.repeat(200)
    for (let i = 0; i < n; i += 1000) {
      await ok(req(`/v1/streams/${stream}`, 'POST', { events: Array.from({ length: 1000 }, (_, k) => ({ type: k % 2 ? 'Odd' : 'Even', data: { i: i + k, pad }, tags: [tag] })) }), 201)
    }
  }
  /** Every read route: none shows an event of `stream` below revision `below` (from position `from` on). */
  const hidden = async (cat: string, stream: string, tag: string, from: number, below = Infinity) => {
    const removed = (e: any) => e.stream === stream && e.revision < below
    const feeds = [`/v1/all?from=${from}&limit=1000`, `/v1/categories/${cat}?from=0&limit=1000`, `/v1/all?tags=${tag}&from=0`, `/v1/all?types=Odd&from=${from}&limit=1000`]
    for (const f of feeds) assert.deepEqual((await ok(req(f))).events.filter(removed), [], f)
    const q = await ok(req('/v1/query', 'POST', { items: [{ tags: [tag] }, { types: ['Even'] }], from }))
    assert.deepEqual(q.events.filter(removed), [])
  }
  const runPass = async () => {
    const steps: any[] = []
    for (;;) {
      const s = await ok(req('/v1/retention/run', 'POST', {}))
      steps.push(s)
      if (s.done) return steps
      assert.ok(steps.length < 200, 'the pass never ends')
    }
  }

  it('DELETE of a 20,000-event stream: hidden on every route at once while another stream is appended; the pass deletes the rows in batches and frees pages', async () => {
    const cat = `huge${randomUUID().slice(0, 6)}`
    const stream = `${cat}-1`
    const other = `${cat}-2`
    const tag = `t:${cat}`
    await fill(stream, tag, 20_000)
    const first = (await ok(req(`/v1/streams/${stream}?limit=1`))).events[0].position
    assert.equal(rows(stream), 20_000)

    // an append to another stream of the same category runs beside the delete
    let appending = true
    let appended = 0
    const appender = (async () => {
      while (appending || appended < 5) {
        await ok(req(`/v1/streams/${other}`, 'POST', { events: [{ type: 'Beside', data: { n: appended }, tags: [tag] }] }), 201)
        appended++
      }
    })()
    const deleted = await ok(req(`/v1/streams/${stream}`, 'DELETE'))
    appending = false
    assert.deepEqual(deleted, { stream, mode: 'soft', removed: 20_000, floor: 20_000, revision: 19_999 })
    // the commit recorded the floor only: the rows are still there, yet no route shows them
    assert.equal(rows(stream), 20_000, 'the delete removed the rows in its own transaction')
    await appender
    await ok(req(`/v1/streams/${stream}`), 404)
    await ok(req(`/v1/streams/${stream}/head`), 404)
    await hidden(cat, stream, tag, first)
    const beside = await ok(req(`/v1/streams/${other}?limit=1000`))
    assert.deepEqual(beside.events.map((e: any) => e.revision), Array.from({ length: appended }, (_, i) => i))
    // revisions continue after the deleted head
    assert.equal((await ok(req(`/v1/streams/${stream}`, 'POST', { events: [{ type: 'Again' }] }), 201)).lastRevision, 20_000)
    assert.deepEqual((await ok(req(`/v1/streams/${stream}`))).events.map((e: any) => e.revision), [20_000])

    const pagesBefore = (raw.prepare('PRAGMA page_count').get() as { page_count: number }).page_count
    const steps = await runPass()
    assert.ok(steps.length >= 20_000 / BATCH, `${steps.length} steps`)
    for (const s of steps) assert.ok(s.reclaimed <= BATCH, JSON.stringify(s))
    assert.equal(steps.reduce((n, s) => n + s.reclaimed, 0), 20_000)
    assert.equal(steps.reduce((n, s) => n + s.removed, 0), 0, 'the rows were counted as removed by the delete, not again')
    assert.equal(rows(stream), 1, 'only the event appended after the delete is left')
    assert.equal(tagRows(tag), appended, "the deleted events' tag rows are gone too")
    assert.equal((raw.prepare('SELECT count(*) AS n FROM removal_backlog').get() as { n: number }).n, 0)
    const pagesAfter = steps.at(-1).pages.after
    assert.ok(pagesAfter < pagesBefore - 500, `pages ${pagesBefore} -> ${pagesAfter}`)
    // reads are unchanged by the pass
    assert.deepEqual((await ok(req(`/v1/streams/${stream}`))).events.map((e: any) => e.revision), [20_000])
    await hidden(cat, stream, tag, first, 20_000)
  })

  it('truncate of 5,000 events: reads start at the new floor at once, the pass deletes the rows below it; a later truncate raises the floor', async () => {
    const cat = `trunc${randomUUID().slice(0, 6)}`
    const stream = `${cat}-1`
    const tag = `t:${cat}`
    await fill(stream, tag, 6000)
    assert.equal((await ok(req(`/v1/streams/${stream}/truncate`, 'POST', { before: 5000 }))).removed, 5000)
    assert.equal(rows(stream), 6000)
    const read = await ok(req(`/v1/streams/${stream}?limit=1000`))
    assert.equal(read.events.length, 1000)
    assert.equal(read.events[0].revision, 5000)
    const back = await ok(req(`/v1/streams/${stream}?direction=backward&from=5100&limit=1000`))
    assert.deepEqual([back.events[0].revision, back.events.at(-1).revision, back.events.length], [5100, 5000, 101])
    const tagged = await ok(req(`/v1/all?tags=${tag}&from=0&limit=1000`))
    assert.equal(tagged.events[0].revision, 5000)
    // a second truncation while the first one's rows are still there
    assert.equal((await ok(req(`/v1/streams/${stream}/truncate`, 'POST', { before: 5500 }))).removed, 500)
    assert.equal((await ok(req(`/v1/streams/${stream}?limit=1`))).events[0].revision, 5500)
    await runPass()
    assert.equal(rows(stream), 500)
    assert.equal(tagRows(tag), 500)
    assert.equal((await ok(req(`/v1/streams/${stream}?limit=1`))).events[0].revision, 5500)
  })

  it('a removal of at most one batch is still deleted in its own transaction', async () => {
    const stream = `small${randomUUID().slice(0, 6)}-1`
    await ok(req(`/v1/streams/${stream}`, 'POST', { events: Array.from({ length: BATCH }, (_, i) => ({ type: 'S', data: { i } })) }), 201)
    assert.equal((await ok(req(`/v1/streams/${stream}`, 'DELETE'))).removed, BATCH)
    assert.equal(rows(stream), 0)
  })
})

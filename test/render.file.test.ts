// Reads that meet what they should never meet, over HTTP (app.request) on a real libSQL
// file: a stored payload that is not valid CBOR renders as the documented `$cbor` fallback
// instead of failing the page, and a subscription whose database fails gets a problem
// document in its `event: error` frame, never the driver's message.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../src/http/app.ts'
import { openStore } from '../src/store/node.ts'
import { openSqliteDb } from '../src/store/sqlite.ts'
import { createStore } from '../src/store/store.ts'
import { openLogOn, tempDir } from './helpers.ts'

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function openApp(path: string, lines: Array<Record<string, unknown>>) {
  await (await openStore({ url: `file:${path}` })).close() // create and migrate
  const db = openSqliteDb(path, { durability: 'normal' })
  const opened = await openLogOn(createStore(db), {}, lines)
  const app = createApp(opened.deps)
  return { db, log: opened.log, app, close: () => opened.close() }
}

describe('reads that meet a fault', () => {
  const { dir, cleanup } = tempDir()
  const lines: Array<Record<string, unknown>> = []
  let fallback: Awaited<ReturnType<typeof openApp>>
  let broken: Awaited<ReturnType<typeof openApp>>

  before(async () => {
    fallback = await openApp(`${dir}/fallback.db`, lines)
    broken = await openApp(`${dir}/broken.db`, lines)
  })
  after(async () => {
    await fallback?.close()
    await broken?.close()
    cleanup()
  })

  it('a stored payload that is not valid CBOR renders as {"$cbor": base64url} on every JSON reader; the rest of the page is as usual', async () => {
    const { app, db } = fallback
    const res = await app.request('/v1/streams/bad-1', json({ events: [1, 2, 3].map((n) => ({ type: 'N', data: { n } })) }))
    assert.equal(res.status, 201)
    // a truncated 8-byte integer, as a damaged or foreign row could hold
    await db.execute("UPDATE events SET data = X'1b0000' WHERE stream = 'bad-1' AND revision = 1")

    const pages = {
      stream: await app.request('/v1/streams/bad-1'),
      all: await app.request('/v1/all'),
      category: await app.request('/v1/categories/bad'),
      query: await app.request('/v1/query', json({ items: [{ types: ['N'] }] })),
    }
    for (const [reader, page] of Object.entries(pages)) {
      assert.equal(page.status, 200, reader)
      const body = (await page.json()) as { events: Array<{ data: unknown }> }
      assert.deepEqual(body.events.map((e) => e.data), [{ n: 1 }, { $cbor: 'GwAA' }, { n: 3 }], reader)
    }
    const sse = await app.request('/v1/subscribe?stream=bad-1&live=false')
    const text = await sse.text()
    assert.doesNotMatch(text, /^event: error/m)
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)).data)
    assert.deepEqual(events, [{ n: 1 }, { $cbor: 'GwAA' }, { n: 3 }])
  })

  it('a subscription whose database fails ends with event: error carrying a problem document with the request id, no driver message; the cause is logged', async () => {
    const { app, db } = broken
    assert.equal((await app.request('/v1/streams/gone-1', json({ events: [{ type: 'A' }] }))).status, 201)
    // a real SQLite fault on the next read: the table is not there
    await db.execute('ALTER TABLE events RENAME TO events_gone')
    try {
      const res = await app.request('/v1/subscribe?from=0', { headers: { 'x-request-id': 'req-sse-fault' } })
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('x-request-id'), 'req-sse-fault')
      const text = await res.text() // the stream ends after the error frame
      const frame = /^event: error\ndata: (.*)$/m.exec(text)
      assert.ok(frame, `no error frame in ${JSON.stringify(text)}`)
      assert.doesNotMatch(text, /SQLITE|no such table|events|at \/|\.ts:\d/i, 'no internals reach the client')
      const problem = JSON.parse(frame[1])
      assert.equal(problem.type, 'https://edgelog.dev/problems/internal-error')
      assert.equal(problem.status, 500)
      assert.equal(problem.title, 'Internal error')
      assert.equal(problem.instance, '/v1/subscribe')
      assert.equal(problem.requestId, 'req-sse-fault')
      assert.match(problem.detail, /req-sse-fault/)
      assert.ok(
        lines.some((l) => l.requestId === 'req-sse-fault' && l.level === 'error' && /no such table/.test(String(l.error))),
        `the cause is logged with the request id: ${JSON.stringify(lines)}`,
      )
    } finally {
      await db.execute('ALTER TABLE events_gone RENAME TO events')
    }
  })
})

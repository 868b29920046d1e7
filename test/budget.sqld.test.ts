// Pages of large events against a real libSQL server (sqld), whose HTTP responses are capped
// at 10 MB: more than that of ~255 KB events (byte strings and strings, three streams of one
// category) must come back through every read route, in JSON and CBOR, and a subscription,
// each event exactly once, in order, bytes intact. The store cuts each page by MAX_PAGE_BYTES
// inside the SQL statement, so sqld never has to answer with more than one budget of rows.
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { call, show, type Reply } from './contract/http.ts'
import { startServer, type RunningServer } from './contract/server.ts'
import { openSse } from './subscribe/sse.ts'
import { startSqld, type Sqld } from './sqld.ts'

const EVENT = 255_000 // payload bytes per event
const COUNT = 48 // 48 x 255 KB = 12.2 MB, past sqld's 10 MB response limit
const PAGE_BYTES = 4 * 1024 * 1024 // the default MAX_PAGE_BYTES

const category = `big${randomUUID().slice(0, 8)}`
const streams = [`${category}-a`, `${category}-b`, `${category}-c`]
const tag = `t${randomUUID().slice(0, 8)}`

/** What was appended, in commit order: the payload as bytes or as a string. */
interface Sent {
  id: string
  stream: string
  payload: Uint8Array | string
}
const sent: Sent[] = []

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const randomText = (n: number) => {
  const bytes = randomBytes(n)
  let s = ''
  for (let i = 0; i < n; i++) s += letters[bytes[i] % letters.length]
  return s
}

const fromBase64url = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'))

/** Checks one page's events against `sent` from index `at`; returns how many it held. */
function checkEvents(events: any[], at: number, expected: Sent[], json: boolean, where: string): number {
  for (let k = 0; k < events.length; k++) {
    const e = events[k]
    const want = expected[at + k]
    assert.ok(want, `${where}: more events than appended (${at + k + 1})`)
    assert.equal(e.id, want.id, `${where}: event ${at + k} out of order or duplicated`)
    assert.equal(e.stream, want.stream)
    if (typeof want.payload === 'string') {
      assert.equal(e.data.s, want.payload, `${where}: string payload of event ${at + k} changed`)
    } else {
      const got = json ? fromBase64url(e.data.b.$bytes) : new Uint8Array(e.data.b)
      assert.ok(Buffer.from(got).equals(Buffer.from(want.payload)), `${where}: byte payload of event ${at + k} changed`)
    }
  }
  return events.length
}

const ok = (r: Reply) => {
  assert.equal(r.status, 200, show(r))
  return r.body
}

let sqld: Sqld
let server: RunningServer
before(async () => {
  sqld = await startSqld()
  server = await startServer('node', {
    env: {
      DATABASE_URL: sqld.url,
      LOG_LEVEL: 'error',
      MAX_EVENT_BYTES: String(256 * 1024),
      MAX_BODY_BYTES: String(4 * 1024 * 1024),
      MAX_PAGE_BYTES: String(PAGE_BYTES),
      MAX_PAGE_SIZE: '1000',
    },
  })
  // Appends of ~2.5 MB each, alternating CBOR byte strings and JSON strings, round-robin over the streams.
  for (let i = 0; i < COUNT; i += 8) {
    const bytes = i % 16 === 0
    const batch = Array.from({ length: 8 }, (_, k) => ({
      id: randomUUID(),
      stream: streams[(i + k) % streams.length],
      payload: bytes ? new Uint8Array(randomBytes(EVENT)) : randomText(EVENT),
    }))
    const body = {
      streams: streams.map((stream) => ({
        stream,
        events: batch
          .filter((s) => s.stream === stream)
          .map((s) => ({ id: s.id, type: 'Big', tags: [tag], data: typeof s.payload === 'string' ? { s: s.payload } : { b: s.payload } })),
      })),
    }
    const r = bytes ? await call(server.baseUrl, 'POST', '/v1/append', { cbor: body }) : await call(server.baseUrl, 'POST', '/v1/append', { json: body })
    assert.equal(r.status, 201, show(r))
    // One append commits its streams in request order: record them so.
    for (const stream of streams) sent.push(...batch.filter((s) => s.stream === stream))
  }
})
after(async () => {
  await server?.stop()
  await sqld?.stop()
  sqld?.cleanup()
})

const formats = [
  { name: 'JSON', accept: 'application/json', json: true },
  { name: 'CBOR', accept: 'application/cbor', json: false },
]

describe('pages of 255 KB events on sqld (more than its 10 MB response limit in all)', () => {
  for (const f of formats) {
    test(`GET /v1/all (${f.name}) walks every event once, in order`, async () => {
      let from = 0
      let seen = 0
      let pages = 0
      for (;;) {
        const page = ok(await call(server.baseUrl, 'GET', `/v1/all?from=${from}&limit=1000`, { accept: f.accept }))
        if (page.events.length === 0) break
        pages++
        // The log may hold other events only if another test shared the server: it does not.
        seen += checkEvents(page.events, seen, sent, f.json, `/v1/all from=${from}`)
        from = page.next
      }
      assert.equal(seen, COUNT)
      assert.ok(pages >= 3, `expected the budget to cut the log into pages, got ${pages}`)
    })

    test(`GET /v1/categories/:c (${f.name}) walks every event once, in order`, async () => {
      let from = 0
      let seen = 0
      for (;;) {
        const page = ok(await call(server.baseUrl, 'GET', `/v1/categories/${category}?from=${from}&limit=1000`, { accept: f.accept }))
        if (page.events.length === 0) break
        seen += checkEvents(page.events, seen, sent, f.json, `category from=${from}`)
        from = page.next
      }
      assert.equal(seen, COUNT)
    })

    test(`GET /v1/streams/:s (${f.name}) walks every stream's events once, in order`, async () => {
      for (const stream of streams) {
        const expected = sent.filter((s) => s.stream === stream)
        let from: number | null = 0
        let seen = 0
        while (from !== null) {
          const page: any = ok(await call(server.baseUrl, 'GET', `/v1/streams/${stream}?from=${from}&limit=1000`, { accept: f.accept }))
          page.events.forEach((e: any, k: number) => assert.equal(e.revision, seen + k, `${stream}: revision`))
          seen += checkEvents(page.events, seen, expected, f.json, `${stream} from=${from}`)
          from = page.next
        }
        assert.equal(seen, expected.length)
      }
    })

    test(`POST /v1/query (${f.name}) walks every matching event once, in order`, async () => {
      let from = 0
      let seen = 0
      for (;;) {
        const r = await call(server.baseUrl, 'POST', '/v1/query', { json: { items: [{ types: ['Big'], tags: [tag] }], from, limit: 1000 }, accept: f.accept })
        const page = ok(r)
        seen += checkEvents(page.events, seen, sent, f.json, `query from=${from}`)
        if (page.next === null) break
        from = page.next
      }
      assert.equal(seen, COUNT)
    })
  }

  test('GET /v1/subscribe from the start delivers every event once, in order', async () => {
    const sub = await openSse(`${server.baseUrl}/v1/subscribe?category=${category}&live=false`)
    await sub.ended
    assert.ok(!sub.messages.some((m) => m.event === 'error'), `error message: ${sub.messages.find((m) => m.event === 'error')?.data}`)
    const events = sub.messages.map((m) => JSON.parse(m.data))
    assert.equal(checkEvents(events, 0, sent, true, 'subscribe'), COUNT)
    assert.deepEqual(
      sub.messages.map((m) => Number(m.id)),
      events.map((e) => e.position),
    )
  })
})

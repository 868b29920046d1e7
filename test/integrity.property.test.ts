/**
 * Property: whatever mix of valid and hostile appends arrives at once, every 201 is stored
 * exactly as sent and readable by every client, every refusal wrote nothing, the log holds
 * exactly the acknowledged events, and no request gets a 5xx.
 *
 * Each run sends 8..24 concurrent requests to one server, so they share commit groups:
 * valid appends (JSON or CBOR, some reusing a small pool of event ids or repeating another
 * request exactly), and hostile ones (a repeated tag, two events sharing an id, lone
 * surrogates, NUL in a type, too many events across streams, too deep or cyclic input, a
 * DCB condition after the end of the log). Then the log is read back as JSON and as CBOR,
 * the CBOR decoded by cbor2 (an independent decoder, not the cbor-x the server uses).
 * It runs on a sole writer (heads in memory) and on shared writers (conditions in SQL).
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { decode as cborDecode, encode as cborEncode, encodedNumber } from 'cbor2'
import fc from 'fast-check'
import { startServer, type RunningServer } from './contract/server.ts'
import { checkProperty } from './property.ts'
import { MAX_EVENTS_PER_APPEND } from './contract/limits.ts'

// ---- the model of a request --------------------------------------------------------

/** An event as generated: `slot` picks a shared id of the run (collisions), `fresh` a new one. */
interface GenEvent {
  id: { slot: number } | 'fresh' | 'none'
  type: string
  data: unknown
  tags: string[]
}
interface StreamPart {
  stream: number
  expected: 'any' | 'no_stream' | 'stream_exists' | number | undefined
  events: GenEvent[]
}
type Hostile =
  | 'repeated-tag'
  | 'shared-id'
  | 'surrogate-data'
  | 'surrogate-type'
  | 'surrogate-tag'
  | 'surrogate-key'
  | 'nul-type'
  | 'control-tag'
  | 'too-many-across-streams'
  | 'too-deep'
  | 'cyclic-cbor'
  | 'after-the-end'
type GenRequest =
  | { kind: 'stream'; media: 'json' | 'cbor'; part: StreamPart }
  | { kind: 'multi'; media: 'json' | 'cbor'; parts: StreamPart[]; loose: GenEvent[] }
  | { kind: 'twin'; of: number }
  | { kind: 'hostile'; what: Hostile; media: 'json' | 'cbor' }

const ID_SLOTS = 3
const STREAMS = 3
const TAGS = ['a', 'b', 'c', 'd']

const jsonData = fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' })
// What a standard CBOR encoder produces for JSON-like data, beyond JSON: 64-bit and big
// integers, byte strings, non-finite floats, -0.
const cborOnly = fc.oneof(
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
  fc.constantFrom(1_700_000_000_000n, (1n << 64n) - 1n, -(1n << 64n), 1n << 64n),
  fc.uint8Array({ maxLength: 24 }),
  fc.double(),
  // floats in a given width, integral ones too (1.0 is not the integer 1 to a Python or Go reader)
  fc.double().map((d) => encodedNumber(d, 'f64')),
  fc.float().map((f) => encodedNumber(f, 'f32')),
  fc.integer({ min: -2048, max: 2048 }).map((n) => encodedNumber(n, 'f16')),
)
const cborData = fc.oneof(jsonData, cborOnly, fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(jsonData, cborOnly), { maxKeys: 4 }))

const genEvent = (media: 'json' | 'cbor') =>
  fc.record({
    id: fc.oneof(
      { weight: 2, arbitrary: fc.integer({ min: 0, max: ID_SLOTS - 1 }).map((slot) => ({ slot })) },
      { weight: 3, arbitrary: fc.constant('fresh' as const) },
      { weight: 1, arbitrary: fc.constant('none' as const) },
    ),
    type: fc.constantFrom('Opened', 'Deposited', 'Closed', 'Überwiesen'),
    data: media === 'json' ? jsonData : cborData,
    tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
  })

const genPart = (media: 'json' | 'cbor') =>
  fc.record({
    stream: fc.integer({ min: 0, max: STREAMS - 1 }),
    expected: fc.constantFrom('any' as const, 'no_stream' as const, 'stream_exists' as const, 0, 1, 3, undefined),
    events: fc.array(genEvent(media), { minLength: 1, maxLength: 4 }),
  })

const genRequest: fc.Arbitrary<GenRequest> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom('json' as const, 'cbor' as const).chain((media) =>
      genPart(media).map((part) => ({ kind: 'stream' as const, media, part })),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('json' as const, 'cbor' as const).chain((media) =>
      fc
        .record({
          parts: fc.uniqueArray(genPart(media), { selector: (p) => p.stream, maxLength: 2 }),
          loose: fc.array(genEvent(media), { maxLength: 2 }),
        })
        .filter(({ parts, loose }) => parts.length + loose.length > 0)
        .map(({ parts, loose }) => ({ kind: 'multi' as const, media, parts, loose })),
    ),
  },
  { weight: 2, arbitrary: fc.nat().map((of) => ({ kind: 'twin' as const, of })) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hostile' as const),
      what: fc.constantFrom<Hostile>(
        'repeated-tag',
        'shared-id',
        'surrogate-data',
        'surrogate-type',
        'surrogate-tag',
        'surrogate-key',
        'nul-type',
        'control-tag',
        'too-many-across-streams',
        'too-deep',
        'cyclic-cbor',
        'after-the-end',
      ),
      media: fc.constantFrom('json' as const, 'cbor' as const),
    }),
  },
)

// ---- turning the model into HTTP requests -----------------------------------------

interface Wire {
  path: string
  contentType: string
  body: Uint8Array | string
  /** Events as sent, in request order, with the stream each belongs to (null: stream-less). */
  events: Array<{ id: string | undefined; stream: string | null; type: string; data: unknown; tags: string[] }>
  media: 'json' | 'cbor'
  hostile?: Hostile
  /** Every event carries a client-chosen id, so an identical request is a replay. */
  idempotent: boolean
}

const utf8 = new TextEncoder()

/** A CBOR body whose one event's data is a map that contains itself (tags 28/29, shared refs). */
function cyclicCborBody(): Uint8Array {
  // {"events": [{"type": "T", "data": 28({"a": 29(0)})}]}
  const head = cborEncode({ events: [{ type: 'T', data: 0 }] })
  // replace the final `00` (data: 0) by the cyclic item
  const cyclic = Uint8Array.from([0xd8, 0x1c, 0xa1, 0x61, 0x61, 0xd8, 0x1d, 0x00])
  const out = new Uint8Array(head.length - 1 + cyclic.length)
  out.set(head.subarray(0, head.length - 1))
  out.set(cyclic, head.length - 1)
  return out
}

function materialize(requests: GenRequest[], run: string): Wire[] {
  const slotIds = Array.from({ length: ID_SLOTS }, () => randomUUID())
  const streamName = (i: number) => `prop${run}-${i}`
  // Within one valid request a shared id is used once (twice is the hostile 'shared-id').
  let usedInRequest = new Set<string>()
  const pick = (e: GenEvent) => {
    if (e.id === 'none') return undefined
    const id = e.id === 'fresh' || usedInRequest.has(slotIds[e.id.slot]) ? randomUUID() : slotIds[e.id.slot]
    usedInRequest.add(id)
    return id
  }
  const toEvent = (e: GenEvent, stream: string | null) => ({
    id: pick(e),
    stream,
    type: e.type,
    data: e.data,
    tags: e.tags,
  })
  const bodyEvent = (e: Wire['events'][number]) => {
    const out: Record<string, unknown> = { type: e.type, data: e.data }
    if (e.id) out.id = e.id
    if (e.tags.length) out.tags = e.tags
    return out
  }
  const encode = (media: 'json' | 'cbor', value: unknown) =>
    media === 'json'
      ? { contentType: 'application/json', body: JSON.stringify(value) }
      : { contentType: 'application/cbor', body: cborEncode(value) }

  const wires: Wire[] = []
  for (const r of requests) {
    usedInRequest = new Set()
    if (r.kind === 'twin') {
      // An exact repeat of an earlier valid request (a client's concurrent retry).
      const originals = wires.filter((w) => !w.hostile)
      if (originals.length === 0) continue
      wires.push({ ...originals[r.of % originals.length] })
      continue
    }
    if (r.kind === 'stream') {
      const stream = streamName(r.part.stream)
      const events = r.part.events.map((e) => toEvent(e, stream))
      const body: Record<string, unknown> = { events: events.map(bodyEvent) }
      if (r.part.expected !== undefined) body.expectedRevision = r.part.expected
      wires.push({ path: `/v1/streams/${stream}`, ...encode(r.media, body), events, media: r.media, idempotent: events.every((e) => e.id) })
      continue
    }
    if (r.kind === 'multi') {
      const events: Wire['events'] = []
      const streams = r.parts.map((p) => {
        const stream = streamName(p.stream)
        const es = p.events.map((e) => toEvent(e, stream))
        events.push(...es)
        const s: Record<string, unknown> = { stream, events: es.map(bodyEvent) }
        if (p.expected !== undefined) s.expectedRevision = p.expected
        return s
      })
      const loose = r.loose.map((e) => toEvent(e, null))
      events.push(...loose)
      const body: Record<string, unknown> = {}
      if (streams.length) body.streams = streams
      if (loose.length) body.events = loose.map(bodyEvent)
      wires.push({ path: '/v1/append', ...encode(r.media, body), events, media: r.media, idempotent: events.every((e) => e.id) })
      continue
    }
    // Hostile: each must be refused with a 4xx and write nothing.
    const stream = streamName(0)
    const one = (event: Record<string, unknown>) => ({ events: [{ id: randomUUID(), ...event }] })
    const hostile = (path: string, wire: { contentType: string; body: Uint8Array | string }): Wire => ({
      path,
      ...wire,
      events: [],
      media: r.media,
      hostile: r.what,
      idempotent: false,
    })
    const streamPath = `/v1/streams/${stream}`
    // A lone surrogate. JSON carries it as an escape; a CBOR encoder (cbor2, TextEncoder)
    // would replace it by U+FFFD, so CBOR gets the bytes an unchecked encoder writes for
    // it (ED A0 80, CESU-style): a 3-byte placeholder is swapped for them.
    const surrogate = (event: Record<string, unknown>, lone: string) => {
      if (r.media === 'json') return encode('json', one(JSON.parse(JSON.stringify(event).replace('@@@', lone))))
      const bytes = cborEncode(one(event))
      const at = Buffer.from(bytes).indexOf('@@@')
      bytes.set([0xed, 0xa0, 0x80], at)
      return { contentType: 'application/cbor', body: bytes }
    }
    switch (r.what) {
      case 'repeated-tag':
        wires.push(hostile(streamPath, encode(r.media, one({ type: 'T', tags: ['a', 'a'] }))))
        break
      case 'shared-id': {
        const id = randomUUID()
        wires.push(hostile(streamPath, encode(r.media, { events: [{ id, type: 'T' }, { id, type: 'U' }] })))
        break
      }
      case 'surrogate-data':
        wires.push(hostile(streamPath, surrogate({ type: 'T', data: { text: 'a@@@b' } }, '\\ud800')))
        break
      case 'surrogate-type':
        wires.push(hostile(streamPath, surrogate({ type: 'T@@@' }, '\\udc00')))
        break
      case 'surrogate-tag':
        wires.push(hostile(streamPath, surrogate({ type: 'T', tags: ['x@@@'] }, '\\ud83d')))
        break
      case 'surrogate-key':
        wires.push(hostile(streamPath, surrogate({ type: 'T', data: { 'k@@@': 1 } }, '\\udfff')))
        break
      case 'nul-type':
        wires.push(hostile(streamPath, encode(r.media, one({ type: 'T\u0000U' }))))
        break
      case 'control-tag':
        wires.push(hostile(streamPath, encode(r.media, one({ type: 'T', tags: ['line\nbreak'] }))))
        break
      case 'too-many-across-streams': {
        // Each stream stays within MAX_EVENTS_PER_APPEND; the request as a whole does not.
        const half = Math.ceil((MAX_EVENTS_PER_APPEND + 1) / 2)
        const many = (s: string) => ({ stream: s, events: Array.from({ length: half }, () => ({ id: randomUUID(), type: 'Bulk' })) })
        wires.push(hostile('/v1/append', encode(r.media, { streams: [many(streamName(1)), many(streamName(2))] })))
        break
      }
      case 'too-deep': {
        const depth = 5000
        if (r.media === 'json') {
          const body = `{"events":[{"type":"T","data":${'['.repeat(depth)}${']'.repeat(depth)}}]}`
          wires.push(hostile(streamPath, { contentType: 'application/json', body }))
        } else {
          // 5,000 nested one-element arrays, written by hand (no recursive encoder).
          const head = cborEncode({ events: [{ type: 'T', data: 0 }] })
          const nested = new Uint8Array(depth + 1).fill(0x81)
          nested[depth] = 0x00
          const body = new Uint8Array(head.length - 1 + nested.length)
          body.set(head.subarray(0, head.length - 1))
          body.set(nested, head.length - 1)
          wires.push(hostile(streamPath, { contentType: 'application/cbor', body }))
        }
        break
      }
      case 'cyclic-cbor':
        wires.push(hostile(streamPath, { contentType: 'application/cbor', body: cyclicCborBody() }))
        break
      case 'after-the-end':
        wires.push(
          hostile(
            '/v1/append',
            encode(r.media, {
              events: [{ id: randomUUID(), type: 'Decided', tags: ['a'] }],
              condition: { failIfEventsMatch: [{ types: ['Decided'] }], after: 1_000_000_000 },
            }),
          ),
        )
        break
    }
  }
  return wires
}

// ---- reading back ------------------------------------------------------------------

interface Outcome {
  wire: Wire
  status: number
  replayed: boolean
  body: any
  text: string
}

async function send(baseUrl: string, wire: Wire): Promise<Outcome> {
  const res = await fetch(baseUrl + wire.path, {
    method: 'POST',
    headers: { 'content-type': wire.contentType },
    body: typeof wire.body === 'string' ? utf8.encode(wire.body) : new Uint8Array(wire.body),
  })
  const text = await res.text()
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { wire, status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body, text }
}

/** (id, position, revision) of each event an append's 201 acknowledged, in request order. */
function acknowledged(o: Outcome): Array<{ id: string; position: number; revision: number | null }> {
  if (o.wire.path === '/v1/append') return [...o.body.streams.flatMap((s: any) => s.events), ...o.body.events]
  return o.body.events
}

async function readLog(baseUrl: string, from: number, accept: 'json' | 'cbor', rawPages: Buffer[] = []): Promise<any[]> {
  const events: any[] = []
  for (let guard = 0; guard < 1000; guard++) {
    const res = await fetch(`${baseUrl}/v1/all?from=${from}&limit=500`, {
      headers: { accept: accept === 'json' ? 'application/json' : 'application/cbor' },
    })
    const bytes = new Uint8Array(await res.arrayBuffer())
    assert.equal(res.status, 200, `GET /v1/all as ${accept} -> ${res.status} ${new TextDecoder().decode(bytes).slice(0, 500)}`)
    // JSON through the platform's parser; CBOR through cbor2, which rejects non-standard bytes.
    const page: any = accept === 'json' ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) : cborDecode(bytes)
    rawPages.push(Buffer.from(bytes))
    if (page.events.length === 0) return events
    events.push(...page.events)
    from = Number(page.next)
  }
  throw new Error('log paging does not end')
}

/** A value as a CBOR reader sees it after it was sent: cbor2's own round trip. */
const asCbor = (v: unknown) => cborDecode(cborEncode(v))

/** The next free position: walks the log forward from where the last run stopped. */
const cursors = new Map<string, number>()
async function endOfLog(baseUrl: string): Promise<number> {
  let from = cursors.get(baseUrl) ?? 0
  for (;;) {
    const page: any = await (await fetch(`${baseUrl}/v1/all?from=${from}&limit=500`)).json()
    if (page.events.length === 0) break
    from = page.next
  }
  cursors.set(baseUrl, from)
  return from
}

async function checkRun(baseUrl: string, requests: GenRequest[]): Promise<void> {
  const start = await endOfLog(baseUrl)
  const wires = materialize(requests, randomUUID().slice(0, 8))
  const outcomes = await Promise.all(wires.map((w) => send(baseUrl, w)))
  const where = (o: Outcome) => `${o.wire.hostile ?? o.wire.media} POST ${o.wire.path} -> ${o.status} ${o.text.slice(0, 400)}`

  // No request gets a 5xx; hostile ones are refused with a 4xx problem.
  for (const o of outcomes) {
    assert.ok(o.status < 500, `5xx: ${where(o)}`)
    if (o.wire.hostile) {
      assert.ok(o.status >= 400 && o.status < 500, `hostile request not refused: ${where(o)}`)
      assert.equal(typeof o.body?.type, 'string', `refusal without a problem document: ${where(o)}`)
    } else {
      assert.ok(o.status === 201 || o.status === 409 || o.status === 412, `valid request: ${where(o)}`)
    }
  }

  const cborPages: Buffer[] = []
  const [jsonLog, cborLog] = await Promise.all([readLog(baseUrl, start, 'json'), readLog(baseUrl, start, 'cbor', cborPages)])
  const cborBytes = Buffer.concat(cborPages)
  assert.equal(cborLog.length, jsonLog.length, 'JSON and CBOR reads of the log differ in length')
  const byId = new Map<string, { json: any; cbor: any }>()
  jsonLog.forEach((e, i) => {
    assert.equal(String(cborLog[i].id), e.id, 'JSON and CBOR reads disagree on order')
    assert.ok(!byId.has(e.id), `event id ${e.id} stored twice`)
    byId.set(e.id, { json: e, cbor: cborLog[i] })
  })

  // Every acknowledged event is stored where the 201 said, as that request sent it.
  const claimed = new Map<number, Outcome>()
  for (const o of outcomes.filter((o) => o.status === 201)) {
    const acks = acknowledged(o)
    assert.equal(acks.length, o.wire.events.length, `201 acknowledges a different number of events: ${where(o)}`)
    acks.forEach((ack, i) => {
      const sent = o.wire.events[i]
      if (sent.id) assert.equal(ack.id, sent.id, `201 lists another id in place ${i}: ${where(o)}`)
      const stored = byId.get(ack.id)
      assert.ok(stored, `acknowledged event ${ack.id} is not in the log: ${where(o)}`)
      const { json, cbor } = stored
      assert.equal(json.position, ack.position, `stored at another position: ${where(o)}`)
      assert.equal(json.stream, sent.stream, `stored in another stream: ${where(o)}`)
      assert.equal(json.revision, ack.revision, `stored at another revision: ${where(o)}`)
      assert.equal(json.type, sent.type, `stored with another type: ${where(o)}`)
      assert.deepEqual(json.tags, sent.tags, `stored with other tags: ${where(o)}`)
      if (!o.replayed) {
        const other = claimed.get(ack.position)
        assert.ok(!other || other === o, `two appends claim position ${ack.position}: ${where(o)} / ${other && where(other)}`)
        claimed.set(ack.position, o)
        if (o.wire.media === 'json') assert.deepEqual(json.data, JSON.parse(JSON.stringify(sent.data ?? null)), `JSON data differs: ${where(o)}`)
        // What the client sent is what its media type carried: JSON has no -0, no NaN.
        const carried = o.wire.media === 'json' ? JSON.parse(JSON.stringify(sent.data ?? null)) : sent.data ?? null
        assert.deepEqual(cbor.data, asCbor(carried), `CBOR data (read by cbor2) differs: ${where(o)}`)
        // and a CBOR body's data is stored as its bytes: what cbor2 wrote for it is in the page
        if (o.wire.media === 'cbor' && sent.data !== undefined) {
          const sentBytes = Buffer.from(cborEncode(sent.data))
          assert.ok(cborBytes.includes(sentBytes), `CBOR data not stored as sent (${sentBytes.toString('hex').slice(0, 80)}): ${where(o)}`)
        }
      }
    })
    // Revisions of one stream in one request are consecutive and ascending.
    for (let i = 1; i < acks.length; i++) {
      if (o.wire.events[i].stream !== null && o.wire.events[i].stream === o.wire.events[i - 1].stream) {
        assert.equal(acks[i].revision, acks[i - 1].revision! + 1, `revisions not consecutive: ${where(o)}`)
      }
    }
  }

  // The log holds exactly the acknowledged events: nothing a refusal or a replay wrote.
  for (const e of jsonLog) assert.ok(claimed.has(e.position), `event at ${e.position} (${e.id}, ${e.type}) was never acknowledged`)
  assert.equal(jsonLog.length, claimed.size, 'log length differs from the acknowledged events')

  // A repeat of a request is the same append: when both are 201 they name the same positions,
  // and a repeat of an acknowledged append is never refused for reusing its ids. (Either may
  // still fail its expected revision when it was evaluated before the other committed.)
  for (const o of outcomes) {
    if (!o.wire.idempotent || o.status !== 201) continue
    for (const t of outcomes) {
      if (t === o || t.wire.body !== o.wire.body) continue
      if (t.status === 201) assert.deepEqual(acknowledged(t), acknowledged(o), `twins acknowledged different positions: ${where(o)} / ${where(t)}`)
      else assert.notEqual(t.body?.type, 'https://edgelog.dev/problems/event-id-reused', `a repeat of an acknowledged append was refused: ${where(o)} / ${where(t)}`)
    }
  }
}

for (const mode of ['sole writer', 'shared writers'] as const) {
  describe(`integrity under concurrent valid and hostile appends (node, ${mode})`, () => {
    let server: RunningServer
    before(async () => {
      server = await startServer('node', { env: { SHARED_WRITERS: mode === 'shared writers' ? 'true' : 'false', LOG_LEVEL: 'error' } })
    })
    after(async () => {
      await server?.stop()
    })

    it('every 201 is stored as sent and read back by JSON and cbor2 readers; refusals write nothing; no 5xx', async () => {
      await checkProperty(
        fc.asyncProperty(fc.array(genRequest, { minLength: 8, maxLength: 24 }), (requests) => checkRun(server.baseUrl, requests)),
        30,
      )
    })
  })
}

// CBOR values JSON lacks, over HTTP (docs/api.md, "JSON rendering of CBOR values"): each is
// appended as a CBOR body, then read back as JSON from every reader (stream, /v1/all,
// category, /v1/query, SSE) and as CBOR, decoded with cbor2, an independent decoder, to
// prove the stored bytes are standard CBOR equivalent to what was sent.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { decode as cbor2Decode } from 'cbor2'
import type { ContractClient } from './client.ts'
import { expectStatus, show, uniqueStream } from './http.ts'

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16))
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const utf8 = new TextEncoder()

/** A CBOR text string item (RFC 8949 §3.1, major type 3). */
function text(s: string): string {
  const b = utf8.encode(s)
  const head = b.length < 24 ? (0x60 | b.length).toString(16) : b.length < 256 ? `78${b.length.toString(16).padStart(2, '0')}` : `79${b.length.toString(16).padStart(4, '0')}`
  return head + toHex(b)
}

/** `{ events: [{ type, data }] }` with the data item given as raw CBOR hex. */
const appendBody = (type: string, dataHex: string) => hex(`a1${text('events')}81a2${text('type')}${text(type)}${text('data')}${dataHex}`)

interface Case {
  name: string
  /** the `data` item as sent */
  cbor: string
  /** the `data` member of the event in JSON pages and SSE, exactly */
  json: string
}

const F32_LE_1_5 = '0000c03f'
const F32_LE_INF = '0000807f'
const bytes1000 = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff)

const CASES: Case[] = [
  { name: 'an 8-byte integer (a millisecond timestamp)', cbor: '1b0000018bcfe56800', json: '1700000000000' },
  { name: 'the largest 64-bit integer, digit for digit', cbor: '1bffffffffffffffff', json: '18446744073709551615' },
  { name: 'a negative 64-bit integer', cbor: '3b0000018bcfe56800', json: '-1700000000001' },
  { name: 'the most negative 64-bit integer (-2^64)', cbor: '3bffffffffffffffff', json: '-18446744073709551616' },
  { name: 'a bignum (tag 2)', cbor: 'c249010000000000000000', json: '18446744073709551616' },
  { name: 'a negative bignum (tag 3)', cbor: 'c349010000000000000000', json: '-18446744073709551617' },
  { name: 'a bignum of 256 bytes, the longest a body may hold', cbor: `c2590100${'ab'.repeat(256)}`, json: BigInt('0x' + 'ab'.repeat(256)).toString() },
  { name: 'a BigInt64Array (tag 79)', cbor: 'd84f500100000000000000ffffffffffffffff', json: '[1,-1]' },
  { name: 'a BigUint64Array (tag 71)', cbor: 'd84748ffffffffffffffff', json: '[18446744073709551615]' },
  { name: 'a Float32Array (tag 85) with Infinity', cbor: `d85548${F32_LE_1_5}${F32_LE_INF}`, json: '[1.5,{"$float":"Infinity"}]' },
  { name: 'a float16', cbor: 'f93e00', json: '1.5' },
  // a float whose value is an integer stays a float: a decoder in Python or Go tells 1.0 from 1
  { name: 'the float16 1.0', cbor: 'f93c00', json: '1' },
  { name: 'the float32 1.0', cbor: 'fa3f800000', json: '1' },
  { name: 'the float64 -2.0', cbor: 'fbc000000000000000', json: '-2' },
  { name: 'the float16 -0.0', cbor: 'f98000', json: '0' },
  { name: 'the float64 -0.0 in an array', cbor: '82fb800000000000000000', json: '[0,0]' },
  { name: 'a float32', cbor: 'fa3f8ccccd', json: '1.100000023841858' },
  { name: 'a float64', cbor: 'fb3ff199999999999a', json: '1.1' },
  { name: 'NaN', cbor: 'f97e00', json: '{"$float":"NaN"}' },
  { name: '-Infinity', cbor: 'f9fc00', json: '{"$float":"-Infinity"}' },
  { name: 'a byte string', cbor: '4401020304', json: '{"$bytes":"AQIDBA"}' },
  // cbor-x renames this key when it builds objects (a prototype-pollution guard): kept as sent
  { name: 'a map with a __proto__ key', cbor: `a1${text('__proto__')}a1${text('x')}01`, json: '{"__proto__":{"x":1}}' },
  {
    name: 'a 1000-byte byte string, as base64url (not a map of 1000 numbers)',
    cbor: `5903e8${toHex(bytes1000)}`,
    json: `{"$bytes":"${Buffer.from(bytes1000).toString('base64url')}"}`,
  },
  { name: 'a Uint8Array (tag 64), rendered as a byte string', cbor: 'd84043010203', json: '{"$bytes":"AQID"}' },
  { name: 'an indefinite-length map and array', cbor: `bf${text('a')}9f0102ffff`, json: '{"a":[1,2]}' },
  { name: 'a date/time string (tag 0), kept as sent', cbor: `c0${text('2024-01-01T00:00:00+02:00')}`, json: '{"$tag":0,"value":"2024-01-01T00:00:00+02:00"}' },
  { name: 'an epoch time (tag 1) with microseconds, kept as sent', cbor: 'c1fb41d9648200000ccc', json: '{"$tag":1,"value":1704069120.000781}' },
  { name: 'an unknown tag', cbor: `d9ea60${text('foo')}`, json: '{"$tag":60000,"value":"foo"}' },
  { name: 'a set (tag 258)', cbor: 'd90102820102', json: '{"$tag":258,"value":[1,2]}' },
  { name: 'a map with a non-text key (tag 259 Map)', cbor: 'd90103a10102', json: '{"$tag":259,"value":{"$map":[[1,2]]}}' },
  { name: 'undefined', cbor: `a1${text('a')}f7`, json: '{"a":null}' },
  // once stored as null (f6): the whole item decoded like an absent field
  { name: 'undefined as the whole data item', cbor: 'f7', json: 'null' },
  {
    name: 'JSON values beside other types in one map',
    cbor: `a4${text('ts')}1b0000018bcfe56800${text('blob')}420102${text('n')}01${text('s')}${text('x\n"')}`,
    json: '{"ts":1700000000000,"blob":{"$bytes":"AQI"},"n":1,"s":"x\\n\\""}',
  },
]

export function valueTests(client: ContractClient, getBaseUrl: () => string): void {
  const { req, get, streamPath } = client

  /** The JSON text of every reader's page holding the one event, keyed by reader. */
  async function jsonReads(stream: string, type: string, position: number): Promise<Record<string, string>> {
    const category = stream.slice(0, stream.indexOf('-'))
    const pages: Record<string, string> = {}
    const replies = {
      stream: await get(streamPath(stream)),
      all: await get(`/v1/all?from=${position}&limit=1`),
      category: await get(`/v1/categories/${category}?from=${position}`),
      query: await req('POST', '/v1/query', { json: { items: [{ types: [type] }], from: position } }),
    }
    for (const [reader, reply] of Object.entries(replies)) {
      const page = expectStatus(reply, 200)
      assert.deepEqual(
        page.events.map((e: any) => e.position),
        [position],
        `${reader}: ${show(reply)}`,
      )
      pages[reader] = reply.text
    }
    const sse = await get(`/v1/subscribe?stream=${encodeURIComponent(stream)}&live=false`, { accept: 'text/event-stream' })
    assert.equal(sse.status, 200, show(sse))
    assert.doesNotMatch(sse.text, /^event: error/m, sse.text)
    const data = sse.text.split('\n').filter((l) => l.startsWith('data: '))
    assert.equal(data.length, 1, sse.text)
    assert.equal(JSON.parse(data[0].slice(6)).position, position)
    pages.sse = data[0].slice(6)
    return pages
  }

  /** The CBOR page of the stream, raw, and decoded by cbor2. */
  async function cborRead(stream: string): Promise<{ raw: Uint8Array; page: any }> {
    const res = await fetch(getBaseUrl() + streamPath(stream), { headers: { accept: 'application/cbor' } })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^application\/cbor/)
    const raw = new Uint8Array(await res.arrayBuffer())
    return { raw, page: cbor2Decode(raw) }
  }

  describe('JSON rendering of CBOR values', () => {
    for (const c of CASES) {
      it(`${c.name}: every JSON reader renders ${c.json.length > 60 ? c.json.slice(0, 60) + '…' : c.json}; CBOR readers get it as stored`, async () => {
        const stream = uniqueStream('val')
        const type = `V${randomUUID().slice(0, 8)}`
        const appended = expectStatus(await req('POST', streamPath(stream), { body: appendBody(type, c.cbor), headers: { 'content-type': 'application/cbor' } }), 201)
        const position = appended.lastPosition

        for (const [reader, json] of Object.entries(await jsonReads(stream, type, position))) {
          assert.ok(json.includes(`"data":${c.json},"metadata":null`), `${reader}: expected "data":${c.json} in\n${json.slice(0, 3000)}`)
          JSON.parse(json) // and the whole page is JSON
        }

        const { raw, page } = await cborRead(stream)
        assert.deepStrictEqual(page.events[0].data, cbor2Decode(hex(c.cbor)), 'cbor2 reads back what was sent')
        assert.ok(toHex(raw).includes(c.cbor), `the stored item is the item sent, byte for byte (${c.cbor})`)
      })
    }

    it('a map with integer, float and boolean keys is stored as sent; JSON readers get the keys as text', async () => {
      const stream = uniqueStream('val')
      const type = `V${randomUUID().slice(0, 8)}`
      const item = `a401${text('a')}20${text('b')}f93e00${text('c')}f5${text('d')}`
      const appended = expectStatus(await req('POST', streamPath(stream), { body: appendBody(type, item), headers: { 'content-type': 'application/cbor' } }), 201)
      for (const [reader, json] of Object.entries(await jsonReads(stream, type, appended.lastPosition))) {
        assert.ok(json.includes('"data":{"1":"a","-1":"b","1.5":"c","true":"d"}'), `${reader}: ${json}`)
      }
      const { raw, page } = await cborRead(stream)
      assert.ok(toHex(raw).includes(item), 'the stored map is the map sent, byte for byte')
      assert.deepStrictEqual(page.events[0].data, new Map<unknown, string>([[1, 'a'], [-1, 'b'], [1.5, 'c'], [true, 'd']]))
    })

    it('a map whose keys 1 and "1" have the same text is rendered as pairs for JSON readers', async () => {
      const stream = uniqueStream('val')
      const type = `V${randomUUID().slice(0, 8)}`
      const item = `a201${text('a')}${text('1')}${text('b')}`
      const appended = expectStatus(await req('POST', streamPath(stream), { body: appendBody(type, item), headers: { 'content-type': 'application/cbor' } }), 201)
      for (const [reader, json] of Object.entries(await jsonReads(stream, type, appended.lastPosition))) {
        assert.ok(json.includes('"data":{"$map":[[1,"a"],["1","b"]]}'), `${reader}: ${json}`)
      }
    })

    it('an append to several streams stores each event\'s data and metadata as sent', async () => {
      const [s1, s2] = [uniqueStream('val'), uniqueStream('val')]
      const ev = (data: string, metadata: string) => `a3${text('type')}${text('Multi')}${text('data')}${data}${text('metadata')}${metadata}`
      const stream = (name: string, events: string[]) => `a2${text('stream')}${text(name)}${text('events')}8${events.length}${events.join('')}`
      const m = (v: string) => `a1${text('m')}${v}` // metadata is a map
      const body = hex(`a2${text('streams')}82${stream(s1, [ev('f98000', m('fa3f800000'))])}${stream(s2, [ev('01', 'f6'), ev('f93c00', 'a101f93c00')])}${text('events')}81${ev('fb8000000000000000', 'f7')}`)
      const appended = expectStatus(await req('POST', '/v1/append', { body, headers: { 'content-type': 'application/cbor' } }), 201)
      const res = await fetch(`${getBaseUrl()}/v1/all?from=${appended.streams[0].firstPosition}&limit=4`, { headers: { accept: 'application/cbor' } })
      const raw = toHex(new Uint8Array(await res.arrayBuffer()))
      for (const sent of ['f98000', m('fa3f800000'), 'f93c00', 'a101f93c00', 'fb8000000000000000']) assert.ok(raw.includes(sent), `${sent} is stored as sent`)
      const events = (cbor2Decode(hex(raw)) as any).events
      assert.deepStrictEqual(
        events.map((e: any) => [e.data, e.metadata]),
        [[-0, { m: 1 }], [1, null], [1, new Map([[1, 1]])], [-0, undefined]],
      )
    })

    it('a map with a key that is neither text nor a number is refused with a 400 that says so, and nothing is written', async () => {
      const problem = await client.rejectsAppend(400, 'malformed-body', { body: appendBody('V', `a18101${text('x')}`), headers: { 'content-type': 'application/cbor' } })
      assert.match(problem.detail, /CBOR/)
    })

    it('a simple value other than false/true/null/undefined is refused with a 400, and nothing is written', async () => {
      const problem = await client.rejectsAppend(400, 'malformed-body', { body: appendBody('V', 'f0'), headers: { 'content-type': 'application/cbor' } })
      assert.match(problem.detail, /CBOR/)
    })

    it('a tag around content its definition does not allow is refused with a 400 naming it, wherever it sits in the body; nothing is written', async () => {
      for (const [item, path, says] of [
        ['c201', 'events.0.data', /tag 2 around an integer/], // cbor2 threw "Expected Uint8Array" on the page
        ['c1c101', 'events.0.data', /tag 1 around a tag/],
        ['d84001', 'events.0.data', /tag 64 around an integer/],
        [`a1${text('m')}d84643010203`, 'events.0.data.m', /typed array tag 70 around 3 bytes/],
        [`c0${text('yesterday')}`, 'events.0.data', /not an RFC 3339 date\/time/],
        [`d820${text('no-scheme')}`, 'events.0.data', /not an absolute URI/],
        [`d823${text('(')}`, 'events.0.data', /not a regular expression/],
        [`d90106${text('{')}`, 'events.0.data', /not JSON text/],
        ['d8254401020304', 'events.0.data', /UUID\) around 4 bytes/],
        ['d9ffff00', 'events.0.data', /invalid wherever it appears/],
        // decoders build bignums in quadratic time: a 1 MiB one blocked the server for minutes
        [`c3590101${'ab'.repeat(257)}`, 'events.0.data', /bignum of 257 bytes: at most 256/],
      ] as const) {
        // the type's length moves the item to every offset (cbor-x checked typed arrays at aligned ones only)
        for (const type of ['T', 'TT', 'TTT', 'TTTT']) {
          const problem = await client.rejectsAppend(400, 'invalid-request', { body: appendBody(type, item), headers: { 'content-type': 'application/cbor' } })
          assert.equal(problem.errors[0].path, path, JSON.stringify(problem))
          assert.match(problem.detail, says, JSON.stringify(problem))
        }
      }
    })

    it('a body prefixed with self-described CBOR (tag 55799) stores data as sent; tags elsewhere outside data are refused', async () => {
      const stream = uniqueStream('val')
      const item = `a3${text('f')}fb3ff0000000000000${text('k')}a10161${toHex(utf8.encode('a'))}${text('h')}f93e00` // {f: 1.0 (f64), k: {1: "a"}, h: 1.5 (f16)}
      const prefixed = new Uint8Array([0xd9, 0xd9, 0xf7, ...appendBody('V', item)])
      expectStatus(await req('POST', streamPath(stream), { body: prefixed, headers: { 'content-type': 'application/cbor' } }), 201)
      const { raw } = await cborRead(stream)
      assert.ok(toHex(raw).includes(item), 'stored byte for byte (was re-encoded: 1.0 became 1, the key 1 became "1")')
      // A tag around the events, or around a key (a decoder unwraps 55799: a second "events" key in disguise)
      for (const bad of [
        hex(`a1${text('events')}d9d9f781a1${text('type')}${text('V')}`),
        hex(`a2${text('events')}81a1${text('type')}${text('V')}d9d9f7${text('events')}81a1${text('type')}${text('W')}`),
      ]) {
        const problem = await client.rejectsAppend(400, 'invalid-request', { body: bad, headers: { 'content-type': 'application/cbor' } })
        assert.match(problem.detail, /outside data and metadata a body holds no tags/, JSON.stringify(problem))
      }
    })

    it('a simple value below 32 in two bytes (not well-formed CBOR) is refused with a 400, and nothing is written', async () => {
      const problem = await client.rejectsAppend(400, 'invalid-request', { body: appendBody('V', 'f818'), headers: { 'content-type': 'application/cbor' } })
      assert.match(problem.detail, /events\.0\.data .*simple value 24 in two bytes/)
    })

    it('a map with the same key twice (in data, or the body\'s own) is refused with a 400 that names it, and nothing is written', async () => {
      const inData = await client.rejectsAppend(400, 'invalid-request', { body: appendBody('V', `a2${text('a')}01${text('a')}02`), headers: { 'content-type': 'application/cbor' } })
      assert.match(inData.detail, /events\.0\.data has the key "a" twice/)
      const twoLists = hex(`a2${text('events')}81a1${text('type')}${text('T')}${text('events')}81a1${text('type')}${text('U')}`)
      const inBody = await client.rejectsAppend(400, 'invalid-request', { body: twoLists, headers: { 'content-type': 'application/cbor' } })
      assert.match(inBody.detail, /has the key "events" twice/)
    })

    it('a 64-bit integer in metadata renders exactly too', async () => {
      const stream = uniqueStream('val')
      const body = hex(`a1${text('events')}81a3${text('type')}${text('Meta')}${text('data')}01${text('metadata')}a1${text('at')}1b0000018bcfe56800`)
      expectStatus(await req('POST', streamPath(stream), { body, headers: { 'content-type': 'application/cbor' } }), 201)
      const reply = await get(streamPath(stream))
      expectStatus(reply, 200)
      assert.ok(reply.text.includes('"data":1,"metadata":{"at":1700000000000}'), reply.text)
    })
  })
}

/**
 * Property: a CBOR tag in an event's data is stored only if every reader can read the page
 * that holds it. Tagged items (the tags of RFC 8949 §3.4, RFC 8746 typed arrays, IANA's
 * dates, sets, maps, regular expressions, symbols..., unknown and invalid tags) around
 * content of every kind, right or wrong for the tag, are appended as CBOR bodies between
 * two neighbours; an event type of random length moves the item to any byte offset (cbor-x
 * checked a typed array's length only at aligned offsets). Then:
 * - a 201 stored the item byte for byte, and the CBOR page of the three events decodes with
 *   cbor2 (an independent decoder) and cbor-x, and the JSON page parses;
 * - anything else is a 400 problem naming `events.0.data`, and wrote nothing;
 * - no 5xx.
 * Once accepted and unreadable: tag 2 around an integer, a typed array of 3 bytes in tag 70.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decode as cbor2Decode } from 'cbor2'
import { decode as cborxDecode } from 'cbor-x'
import fc from 'fast-check'
import { startServer, type RunningServer } from './contract/server.ts'
import { checkProperty } from './property.ts'

const hex = (h: string): Uint8Array<ArrayBuffer> => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16))
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const utf8 = new TextEncoder()

/** A CBOR head (RFC 8949 §3): major type and argument. */
function head(major: number, n: number): string {
  const m = major << 5
  if (n < 24) return (m | n).toString(16).padStart(2, '0')
  if (n < 0x100) return (m | 24).toString(16) + n.toString(16).padStart(2, '0')
  if (n < 0x10000) return (m | 25).toString(16) + n.toString(16).padStart(4, '0')
  return (m | 26).toString(16) + n.toString(16).padStart(8, '0')
}
const text = (s: string) => head(3, utf8.encode(s).length) + toHex(utf8.encode(s))
const bytes = (n: number) => head(2, n) + '5a'.repeat(n)

// Texts the text tags must accept, and texts they must not.
const TEXTS = [
  '2024-01-01T00:00:00Z',
  '2024-02-29T12:30:00.25+02:00',
  '2024-01-01',
  'https://example.com/a?b=1',
  'AQID-_8',
  'AQIDBA==',
  'a*b',
  '[a-z]+',
  '{"a":[1,2]}',
  'sym',
  '',
  'not a date',
  '(',
  'no scheme',
  '{',
  'ab=c',
]
const contentOf = (tag: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.constantFrom('00', '17', '1818', '20', '3818', 'f93c00', 'fb3ff8000000000000', 'f4', 'f6', 'f7'),
    fc.constantFrom(...TEXTS).map(text),
    fc.nat({ max: 20 }).map(bytes),
    fc.array(fc.constantFrom(...TEXTS.slice(6, 9)).map(text), { maxLength: 3 }).map((items) => head(4, items.length) + items.join('')),
    fc.constantFrom('80', '820102', '8301c24101f6', 'a0', 'a10102', `a1${text('k')}01`),
    tag,
  )
const TAGS = [0, 1, 2, 3, 4, 5, 21, 24, 32, 33, 34, 35, 36, 37, 100, 258, 259, 262, 273, 280, 1004, 21065, 21066, 55799, 60000, 65535]
for (let t = 64; t <= 87; t++) TAGS.push(t)
const tagged: fc.Arbitrary<string> = fc.letrec<{ item: string }>((tie) => ({
  item: fc.tuple(fc.constantFrom(...TAGS), contentOf(tie('item').map((x) => x as string))).map(([t, c]) => head(6, t) + c),
})).item
/** The data item: a tagged item, alone or as a map's value. */
const dataItem = fc.oneof(tagged, tagged.map((t) => `a1${text('m')}${t}`))

const body = (type: string, data: string) => hex(`a1${text('events')}81a2${text('type')}${text(type)}${text('data')}${data}`)

describe('CBOR tags in data (node)', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node', { env: { LOG_LEVEL: 'error' } })
  })
  after(async () => {
    await server?.stop()
  })

  const post = (stream: string, payload: Uint8Array<ArrayBuffer>) =>
    fetch(`${server.baseUrl}/v1/streams/${stream}`, { method: 'POST', body: payload, headers: { 'content-type': 'application/cbor' } })
  let run = 0

  it('a tagged item is stored as sent and every reader decodes its page, or it is a 400 that wrote nothing; no 5xx', async () => {
    await checkProperty(
      fc.asyncProperty(dataItem, fc.integer({ min: 1, max: 8 }), async (data, typeLength) => {
        const stream = `tags-${++run}`
        const before = await post(stream, body('Before', 'f5'))
        assert.equal(before.status, 201)
        const first = ((await before.json()) as { firstPosition: number }).firstPosition
        const res = await post(stream, body('T'.repeat(typeLength), data))
        const reply = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as any) : await res.text()
        assert.ok(res.status === 201 || res.status === 400, `${data}: ${res.status} ${JSON.stringify(reply)}`)
        assert.equal((await post(stream, body('After', 'f4'))).status, 201)

        const cbor = new Uint8Array(await (await fetch(`${server.baseUrl}/v1/all?from=${first}&limit=3`, { headers: { accept: 'application/cbor' } })).arrayBuffer())
        const json = await (await fetch(`${server.baseUrl}/v1/all?from=${first}&limit=3`)).text()
        const pageOf = (decode: (b: Uint8Array) => unknown, by: string) => {
          try {
            return decode(cbor) as { events: Array<{ type: string }> }
          } catch (e) {
            throw new Error(`${by} cannot decode the page holding ${data} (append ${res.status}): ${(e as Error).message}`)
          }
        }
        const types = pageOf(cbor2Decode, 'cbor2').events.map((e) => e.type)
        assert.equal(pageOf(cborxDecode, 'cbor-x').events.length, types.length)
        assert.deepEqual(
          (JSON.parse(json) as { events: Array<{ type: string }> }).events.map((e) => e.type),
          types,
        )
        if (res.status === 201) {
          assert.deepEqual(types, ['Before', 'T'.repeat(typeLength), 'After'])
          assert.ok(toHex(cbor).includes(`${text('data')}${data}`), `${data} is stored byte for byte`)
        } else {
          assert.equal(reply.type, 'https://edgelog.dev/problems/invalid-request', JSON.stringify(reply))
          assert.match(reply.errors?.[0]?.path ?? '', /^events\.0\.data/, JSON.stringify(reply))
          assert.deepEqual(types, ['Before', 'After'], 'a refused append wrote nothing')
        }
      }),
      300,
    )
  })
})

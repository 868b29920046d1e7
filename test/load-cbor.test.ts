// The k6 scripts' CBOR encoder (load/lib/cbor.js) must produce exactly the bytes cbor-x
// produces with { useRecords: false } (what edgelog itself uses), and both decoders must
// read each other's output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Decoder, Encoder } from 'cbor-x'

// load/lib is plain JS type-checked by load/tsconfig.json; imported untyped here.
const lib = (p: string): Promise<any> => import(new URL(`../load/lib/${p}`, import.meta.url).href)
const cbor = await lib('cbor.js')
const workloads = await lib('workloads.js')

const cborx = new Encoder({ useRecords: false })
const cborxDecoder = new Decoder({ useRecords: false })
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))

const table: [string, unknown][] = [
  ['empty map', {}],
  ['empty array', []],
  ['0', 0],
  ['1', 1],
  ['23', 23],
  ['24', 24],
  ['255', 255],
  ['256', 256],
  ['65535', 65535],
  ['65536', 65536],
  ['2^32-1', 2 ** 32 - 1],
  ['2^32', 2 ** 32],
  ['2^32+1', 2 ** 32 + 1],
  ['2^53', 2 ** 53],
  ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ['-1', -1],
  ['-24', -24],
  ['-25', -25],
  ['-256', -256],
  ['-257', -257],
  ['-65536', -65536],
  ['-65537', -65537],
  ['-2^31', -(2 ** 31)],
  ['-2^31-1', -(2 ** 31) - 1],
  ['-2^32', -(2 ** 32)],
  ['-2^32-1', -(2 ** 32) - 1],
  ['-2^53', -(2 ** 53)],
  ['-0', -0],
  ['1.5 (float32-exact, still float64)', 1.5],
  ['0.1', 0.1],
  ['-0.5', -0.5],
  ['123.456', 123.456],
  ['float32 max', 3.4028234663852886e38],
  ['1e300', 1e300],
  ['smallest subnormal', 5e-324],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['empty string', ''],
  ['a', 'a'],
  ['23 chars', 'x'.repeat(23)],
  ['24 chars', 'x'.repeat(24)],
  ['31 chars', 'x'.repeat(31)],
  ['32 chars', 'x'.repeat(32)],
  ['64 chars', 'y'.repeat(64)],
  ['255 chars', 'x'.repeat(255)],
  ['256 chars', 'x'.repeat(256)],
  ['65535 chars', 'z'.repeat(65535)],
  ['65536 chars', 'z'.repeat(65536)],
  ['2-byte utf8', 'é'],
  ['2-byte utf8 x 20 (length crosses 24 in bytes)', 'é'.repeat(20)],
  ['3-byte utf8', '€'],
  ['4-byte utf8 (surrogate pair)', '😀 ok'],
  ['mixed long utf8', 'Grüße, 世界 😀 '.repeat(40)],
  ['lone high surrogate', '\ud800x'],
  ['lone low surrogate', 'x\udc00'],
  ['true', true],
  ['false', false],
  ['null', null],
  ['undefined', undefined],
  ['nested arrays', [1, [2, [3, []]]]],
  ['array of 23', Array.from({ length: 23 }, (_, i) => i)],
  ['array of 24', Array.from({ length: 24 }, (_, i) => i)],
  ['array of 256', Array.from({ length: 256 }, (_, i) => i * 1000)],
  ['array of 65536', Array.from({ length: 65536 }, (_, i) => i % 3)],
  ['map of 1', { a: 1 }],
  ['map of 24', manyKeys(24)],
  ['map of 300', manyKeys(300)],
  ['map of 65536 (map32)', manyKeys(65536)],
  ['map with undefined value', { a: undefined, b: null }],
  ['map with numeric-looking keys', { '1': 'one', '0': 'zero', b: 2 }],
  ['nested objects', { a: { b: { c: { d: [1, { e: 'f' }] } } } }],
  ['bytes (ArrayBuffer)', new Uint8Array([1, 2, 3, 255]).buffer],
  ['bytes (Uint8Array, tag 64)', new Uint8Array([0, 1, 2])],
  ['S1 append body', { events: [{ type: 'Withdrawn', data: { amount: 125, balance: 9875 } }], expectedRevision: 7 }],
  ['S1 append body with id', { events: [{ id: '01890a5d-ac96-774b-bcce-b302099a8057', type: 'TransferSent', data: { amount: 1, balance: 0, to: 42 } }], expectedRevision: 0 }],
  ['S2 order body', workloads.buildOrderAppend({
    orderStream: 'order-x.1.2',
    customerStream: 'customer-x.3',
    customerRevision: null,
    productStream: (p: number) => `product-x.${p}`,
    productRevisions: { 4: 10, 9: 0 },
    reservations: [{ product: 4, qty: 2, stock: 19998 }, { product: 9, qty: 1, stock: 0 }],
  })],
  ['S3 batch of 100 x 200 B', workloads.makeBatch({ batchSize: 100, streams: 5, eventSize: 200, stream: (j: number) => `batch-x.${j}`, seq: 0 })],
  ['S3 batch of 2 x 10 KB', workloads.makeBatch({ batchSize: 2, streams: 5, eventSize: 10240, stream: (j: number) => `batch-x.${j}`, seq: 5 })],
  ['checkpoint', { position: 4294967297 }],
  ['expectedRevision strings', [{ expectedRevision: 'any' }, { expectedRevision: 'no_stream' }, { expectedRevision: 'stream_exists' }]],
]

for (const [name, value] of table) {
  test(`cbor: ${name} encodes like cbor-x`, () => {
    const ours = cbor.encode(value)
    assert.ok(ours instanceof Uint8Array)
    assert.equal(ours.byteOffset, 0)
    assert.equal(ours.buffer.byteLength, ours.length, 'result owns its buffer exactly (k6 sends .buffer)')
    assert.equal(hex(ours), hex(cborx.encode(value)))
  })

  // Lone surrogates have no UTF-8 form: both encoders write the same replacement bytes,
  // but no decoder can give the original string back. -0 is written as integer 0 (as cbor-x does).
  if (typeof value === 'string' && /[\ud800-\udfff]/.test(value.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) continue
  test(`cbor: ${name} round-trips through cbor-x and our decoder`, () => {
    const ours = cbor.encode(value)
    const expected = Object.is(value, -0) ? 0 : value
    const viaCborx = cborxDecoder.decode(Buffer.from(ours))
    const viaOurs = cbor.decode(cborx.encode(value))
    if (value instanceof ArrayBuffer || value instanceof Uint8Array) {
      const bytes = new Uint8Array(value instanceof ArrayBuffer ? value : value)
      assert.deepEqual(new Uint8Array(viaCborx), bytes)
      assert.deepEqual(new Uint8Array(viaOurs), bytes)
    } else {
      assert.deepStrictEqual(viaCborx, expected)
      assert.deepStrictEqual(viaOurs, expected)
    }
  })
}

test('cbor: random nested values match cbor-x byte for byte', () => {
  const rng = workloads.createRng(42)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]
  const strings = ['', 'a', 'account-17', 'é€😀', 'x'.repeat(40), 'key with spaces']
  const gen = (depth: number): unknown => {
    const kind = Math.floor(rng() * (depth > 3 ? 5 : 7))
    switch (kind) {
      case 0: return Math.floor((rng() - 0.5) * 2 ** (1 + Math.floor(rng() * 60)))
      case 1: return (rng() - 0.5) * 10 ** Math.floor(rng() * 20)
      case 2: return pick(strings) + Math.floor(rng() * 100)
      case 3: return pick([true, false, null, undefined])
      case 4: return pick([0, -1, 24, -25, 2 ** 32, -(2 ** 32) - 1, 0.5])
      case 5: return Array.from({ length: Math.floor(rng() * 30) }, () => gen(depth + 1))
      default: {
        const o: Record<string, unknown> = {}
        const n = Math.floor(rng() * 30)
        for (let i = 0; i < n; i++) o[pick(strings) + i] = gen(depth + 1)
        return o
      }
    }
  }
  for (let i = 0; i < 500; i++) {
    const v = gen(0)
    const ours = cbor.encode(v)
    assert.equal(hex(ours), hex(cborx.encode(v)), `value #${i}: ${JSON.stringify(v)}`)
    assert.deepStrictEqual(cborxDecoder.decode(Buffer.from(ours)), v)
    assert.deepStrictEqual(cbor.decode(ours), v)
  }
})

test('cbor: decoder reads standard encodings cbor-x does not emit', () => {
  // half float 1.5, float32 1.5, uint64, indefinite array/map/string, tag 1 (epoch time)
  assert.equal(cbor.decode(new Uint8Array([0xf9, 0x3e, 0x00])), 1.5)
  assert.equal(cbor.decode(new Uint8Array([0xf9, 0x7c, 0x00])), Infinity)
  assert.equal(cbor.decode(new Uint8Array([0xfa, 0x3f, 0xc0, 0x00, 0x00])), 1.5)
  assert.equal(cbor.decode(new Uint8Array([0x1b, 0, 0, 0, 1, 0, 0, 0, 0])), 2 ** 32)
  assert.deepEqual(cbor.decode(new Uint8Array([0x9f, 0x01, 0x02, 0xff])), [1, 2])
  assert.deepEqual(cbor.decode(new Uint8Array([0xbf, 0x61, 0x61, 0x01, 0xff])), { a: 1 })
  assert.equal(cbor.decode(new Uint8Array([0x7f, 0x61, 0x61, 0x61, 0x62, 0xff])), 'ab')
  assert.equal(cbor.decode(new Uint8Array([0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0])), 1363896240)
  assert.deepEqual(cbor.decode(new Uint8Array([0xa1, 0x01, 0x02])), { '1': 2 })
})

test('cbor: truncated input and unsupported values are errors', () => {
  assert.throws(() => cbor.decode(new Uint8Array([0x62, 0x61])), /end of input/)
  assert.throws(() => cbor.decode(new Uint8Array([])), /end of input/)
  assert.throws(() => cbor.encode(() => 1), /cannot encode/)
  assert.throws(() => cbor.encode(Symbol('x')), /cannot encode/)
})

test('cbor: utf8 helpers agree with Buffer', () => {
  for (const s of ['', 'abc', 'é€😀', 'Grüße 世界'.repeat(10)]) {
    assert.equal(hex(cbor.utf8Encode(s)), Buffer.from(s, 'utf8').toString('hex'))
    assert.equal(cbor.utf8Decode(Buffer.from(s, 'utf8')), s)
  }
})

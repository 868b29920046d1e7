// The CBOR -> JSON renderer on its own: the transcoder (slow path) agrees with the fast
// path on plain JSON data, and renders the items a JSON value lacks as docs/api.md says.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { isPlain, jsonAsIs, payloadJson, transcode, VERBATIM_MIN_BYTES } from '../src/http/render/jsonValue.ts'
import { eventJson, eventJsonParts } from '../src/http/render/events.ts'
import type { StoredEvent } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16))

/** A small deterministic PRNG (mulberry32), so a failure is reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function jsonValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 8))
  switch (k) {
    case 0:
      return Math.floor(r() * 2 ** 32) - 2 ** 31
    case 1:
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20)
    case 2:
      return ['', 'a', 'é', '"\\\n\t\u0001', '日本語', '😀', 'x'.repeat(30)][Math.floor(r() * 7)]
    case 3:
      return [true, false, null][Math.floor(r() * 3)]
    case 4:
      return Math.floor(r() * 300)
    case 5:
      return -Math.floor(r() * 300)
    case 6:
      return Array.from({ length: Math.floor(r() * 5) }, () => jsonValue(r, depth + 1))
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, (_, i) => [`k${i}${'é'.repeat(i % 2)}`, jsonValue(r, depth + 1)]))
  }
}

describe('payloadJson', () => {
  it('the transcoder writes what JSON.stringify of the decoded value writes, for plain JSON data', () => {
    const r = rng(42)
    for (let i = 0; i < 2000; i++) {
      const value = jsonValue(r, 0)
      const bytes = codec.encode(value)
      assert.equal(isPlain(bytes), true, JSON.stringify(value))
      assert.equal(transcode(bytes), JSON.stringify(value), JSON.stringify(value))
      assert.equal(payloadJson(bytes, codec), JSON.stringify(value))
    }
  })

  const cases: Array<[string, string, string]> = [
    ['indefinite-length array', '9f0102ff', '[1,2]'],
    ['indefinite-length map', 'bf6161f5ff', '{"a":true}'],
    ['indefinite-length text', '7f616162c3a9ff', '"aé"'],
    ['indefinite-length bytes', '5f42010243030405ff', '{"$bytes":"AQIDBAU"}'],
    ['integer keys at the top level: their text', 'a201616120f6', '{"1":"a","-1":null}'],
    ['a text key after an integer key', 'a2616101020f', '{"a":1,"2":15}'],
    ['an indefinite map with an integer key', 'bf01f4ff', '{"1":false}'],
    ['float, boolean and 64-bit integer keys: their text', 'a3f93e0001f5021bffffffffffffffff03', '{"1.5":1,"true":2,"18446744073709551615":3}'],
    ['keys 1 and "1": pairs', 'a201f46131f5', '{"$map":[[1,false],["1",true]]}'],
    ['an indefinite map with keys 1 and "1": pairs', 'bf01f46131f5ff', '{"$map":[[1,false],["1",true]]}'],
    ['a null key: pairs', 'a1f601', '{"$map":[[null,1]]}'],
    ['a NaN key: pairs', 'a1f97e0001', '{"$map":[[{"$float":"NaN"},1]]}'],
    ['a byte-string key: pairs', 'a1420102f5', '{"$map":[[{"$bytes":"AQI"},true]]}'],
    ['a map in tag 259 keeps typed keys', 'd90103a10102', '{"$tag":259,"value":{"$map":[[1,2]]}}'],
    ['a Uint8Array (tag 64): bytes', 'd84043010203', '{"$bytes":"AQID"}'],
    ['simple values', '83f0f820f7', '[{"$simple":16},{"$simple":32},null]'],
    ['float16 subnormal and -0', '82f90001f98000', '[5.960464477539063e-8,0]'],
    ['a huge tag number', 'dbffffffffffffffff00', '{"$tag":18446744073709551615,"value":0}'],
    ['a bignum whose content is not bytes', 'c201', '{"$tag":2,"value":1}'],
    ['a ragged typed array', 'd8474401020304', '{"$tag":71,"value":{"$bytes":"AQIDBA"}}'],
    ['a float128 array', `d85350${'00'.repeat(16)}`, `{"$tag":83,"value":{"$bytes":"${'A'.repeat(22)}"}}`],
    ['a big-endian uint16 array', 'd84144000102ff', '[1,767]'],
    ['self-described CBOR', 'd9d9f7a0', '{}'],
    ['a key "__proto__"', `a169${Buffer.from('__proto__').toString('hex')}01`, '{"__proto__":1}'],
  ]
  for (const [name, cbor, json] of cases) {
    it(`${name}: ${json}`, () => {
      assert.equal(payloadJson(hex(cbor), codec), json)
      JSON.parse(json)
    })
  }

  it('what cannot be rendered falls back to $cbor with the stored bytes, and never throws', () => {
    for (const bad of ['1b0000', '9f01', 'ff', '1c', '5f4101', '62c3', 'a1', '0101']) {
      assert.equal(payloadJson(hex(bad), codec), `{"$cbor":"${Buffer.from(hex(bad)).toString('base64url')}"}`, bad)
    }
    const deep = new Uint8Array(10_000).fill(0x81)
    assert.match(payloadJson(Uint8Array.from([...deep, 0]), codec), /^\{"\$cbor":"/)
  })
})

describe('payloadJson of simple payloads (written from the bytes, without decoding)', () => {
  // What payloadJson wrote before it rendered simple payloads itself: the decoded value
  // through JSON.stringify for plain data, the transcoder for anything else.
  const before = (bytes: Uint8Array) => {
    try {
      if (isPlain(bytes)) return JSON.stringify(codec.decode(bytes)) ?? 'null'
    } catch {
      // as payloadJson: the transcoder reads what the codec does not
    }
    try {
      return transcode(bytes)
    } catch {
      return `{"$cbor":"${Buffer.from(bytes).toString('base64url')}"}`
    }
  }
  const head = (major: number, n: number) => (n < 24 ? [(major << 5) | n] : n < 256 ? [(major << 5) | 24, n] : [(major << 5) | 25, n >> 8, n & 0xff])
  const text = (s: string) => {
    const b = new TextEncoder().encode(s)
    return [...head(3, b.length), ...b]
  }
  /** A CBOR map of these pairs as written, repeated keys and all (an encoder would not write them). */
  const map = (pairs: Array<[string, number[]]>) => Uint8Array.from([...head(5, pairs.length), ...pairs.flatMap(([k, v]) => [...text(k), ...v])])

  it('writes what JSON.stringify of the decoded value writes, for any value', () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '1', '01', '4294967294', '4294967295', '1e3', '-1', 'a"b', 'a\\b', '\u007f', '__proto__', ''))
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.string({ maxLength: 40, unit: 'binary' }),
        fc.constantFrom('x'.repeat(15), 'y'.repeat(16), 'z'.repeat(300), 'q"'.repeat(20)),
        fc.double(),
        fc.float(),
        fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
        fc.bigInt({ min: -(1n << 65n), max: 1n << 65n }),
        fc.uint8Array({ maxLength: 4 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 12 }),
      ),
    })).v
    fc.assert(
      fc.property(value, (v) => {
        const bytes = codec.encode(v)
        assert.equal(payloadJson(bytes, codec), before(bytes))
      }),
      { numRuns: 3000, seed: 12 },
    )
  })

  it('every half-precision float, and maps with repeated, index-like or renamed keys', () => {
    for (let h = 0; h < 0x10000; h++) {
      const bytes = Uint8Array.from([0xf9, h >> 8, h & 0xff])
      assert.equal(payloadJson(bytes, codec), before(bytes), h.toString(16))
    }
    const one = [0x01]
    for (const pairs of [
      [['a', one], ['b', [0x02]], ['a', [0x03]]],
      Array.from({ length: 12 }, (_, i) => [`k${i % 10}`, one]),
      [['b', one], ['1', one]],
      [['b', one], ['4294967294', one], ['4294967295', one]],
      [['__proto__', one], ['a', one]],
      [['', one]],
      [['a\u007f', one]],
    ] as Array<Array<[string, number[]]>>) {
      const bytes = map(pairs)
      assert.equal(payloadJson(bytes, codec), before(bytes), JSON.stringify(pairs))
    }
  })
})

describe('eventJsonParts (long texts copied from the stored bytes)', () => {
  const te = new TextEncoder()
  const join = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)))
  const event = (data: Uint8Array | null, metadata: Uint8Array | null = null): StoredEvent => ({
    id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    stream: 'blob-1',
    type: 'Blob',
    revision: 3,
    position: 17,
    time: 1_700_000_000_000,
    data,
    metadata,
    tags: ['a'],
  })
  const same = (e: StoredEvent, prefix = ',') => {
    const parts = eventJsonParts(e, codec, prefix)
    assert.deepEqual(join(parts), Buffer.from(te.encode(prefix + eventJson(e, codec))))
    return parts
  }
  const long = (c: string) => c.repeat(VERBATIM_MIN_BYTES)

  it('a long ASCII text is the stored bytes themselves, and the event renders as eventJson does', () => {
    const data = codec.encode(long('b'))
    const parts = same(event(data))
    const text = parts.find((p) => p.length === VERBATIM_MIN_BYTES)
    assert.ok(text && text.buffer === data.buffer, 'the text is a view of the stored payload, not a copy')
  })

  it('texts that need escaping, non-ASCII or short texts render as eventJson does', () => {
    for (const value of [long('"'), long('\\'), long('\n'), long('é'), long('a') + '\u0001', 'short', { a: long('x'), b: [long('y'), 'z', long('q"')] }]) {
      same(event(codec.encode(value), codec.encode({ m: value })))
    }
  })

  it('long texts before a key that starts a map over, inside tags and in keys, and before a fault', () => {
    const t = Buffer.from(long('k')).toString('hex')
    const key = `79${VERBATIM_MIN_BYTES.toString(16).padStart(4, '0')}${t}`
    for (const h of [
      `a2${key}0101f5`, // a long text key, then an integer key: the map is rendered again
      `bf${key}01f5f4ff`, // indefinite, with a boolean key
      `a2${key}0142${'0102'}${'f6'}`, // a byte-string key: pairs
      `c1${key}`, // a tag around a long text
      `82${key}1b0000`, // a long text, then a truncated integer: $cbor for the whole payload
    ]) {
      same(event(hex(h)))
    }
  })

  it('random payloads with long texts: the parts join to eventJson', () => {
    const r = rng(7)
    for (let i = 0; i < 300; i++) {
      const pick = () => [long('a'), long('é'), long('"'), 'x', long('ab') + 'é'][Math.floor(r() * 5)]
      const value = r() < 0.3 ? pick() : { k: jsonValue(r, 2), t: pick(), l: [pick(), jsonValue(r, 3)] }
      same(event(codec.encode(value), r() < 0.5 ? codec.encode({ m: pick() }) : null), i % 2 ? ',' : '')
    }
  })
})

describe('jsonAsIs: text that stands in a JSON string as it is, four bytes at a time', () => {
  const byByte = (b: Uint8Array, from: number, to: number, del: boolean) => {
    for (let i = from; i < to; i++) {
      const c = b[i]
      if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c || (c === 0x7f && !del)) return false
    }
    return true
  }
  // mostly printable runs with a few bytes of every kind anywhere, at every alignment
  const printable = fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x5c)
  const anyByte = fc.integer({ min: 0, max: 255 })
  const text = fc.array(fc.oneof({ weight: 30, arbitrary: printable }, { weight: 1, arbitrary: anyByte }, { weight: 1, arbitrary: fc.constantFrom(0x1f, 0x20, 0x22, 0x5c, 0x7e, 0x7f, 0x80, 0xff, 0) }), { maxLength: 300 })

  it('agrees with a byte loop on any bytes, offsets and alignments', () => {
    fc.assert(
      fc.property(text, fc.nat(7), fc.nat(7), fc.nat(7), fc.boolean(), (bytes, shift, cutFrom, cutTo, del) => {
        const buffer = new Uint8Array(bytes.length + 8)
        buffer.set(bytes, shift)
        const b = buffer.subarray(shift, shift + bytes.length)
        const from = Math.min(cutFrom, b.length)
        const to = Math.max(from, b.length - cutTo)
        assert.equal(jsonAsIs(b, from, to, del), byByte(b, from, to, del))
      }),
      { numRuns: 20_000 },
    )
  })

  it('finds one byte that must be escaped anywhere in a long text', () => {
    const b = new Uint8Array(1000).fill(0x61)
    assert.equal(jsonAsIs(b, 0, b.length, true), true)
    for (const bad of [0, 0x1f, 0x22, 0x5c, 0x80, 0xff]) {
      for (let at = 0; at < b.length; at += 37) {
        b[at] = bad
        assert.equal(jsonAsIs(b, 0, b.length, true), false, `0x${bad.toString(16)} at ${at}`)
        b[at] = 0x61
      }
    }
    b[500] = 0x7f
    assert.equal(jsonAsIs(b, 0, b.length, true), true)
    assert.equal(jsonAsIs(b, 0, b.length, false), false)
  })
})

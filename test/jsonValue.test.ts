// The CBOR -> JSON renderer on its own: the transcoder (slow path) agrees with the fast
// path on plain JSON data, and renders the items a JSON value lacks as docs/api.md says.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isPlain, payloadJson, transcode } from '../src/http/render/jsonValue.ts'
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

// The checks behind the 400s of docs/api.md "Bad input", on inputs too many to send over
// HTTP: no valid input refused, and agreement with the platform's own UTF-8 decoder.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Encoder } from 'cbor-x'
import { nameProblem, unicodeProblem, valueProblem } from '../src/core/values.ts'
import { cborBodyProblem } from '../src/http/cborCheck.ts'
import { invalidUtf8At } from '../src/http/utf8.ts'

const encoder = new Encoder({ useRecords: false, tagUint8Array: false })
const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)))

// A deterministic PRNG (mulberry32): failures reproduce.
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next()
  if (depth <= 0 || r < 0.35) {
    const pick = Math.floor(next() * 8)
    return [0, -1 - Math.floor(next() * 1e6), next() * 1e9, 'ascii', 'Grüße 😀 名前', true, null, new Uint8Array([1, 2, 3])][pick]
  }
  const n = Math.floor(next() * 4)
  if (r < 0.65) return Array.from({ length: n }, () => randomValue(next, depth - 1))
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}€`, randomValue(next, depth - 1)]))
}

describe('cborBodyProblem', () => {
  it('lets through every value cbor-x encodes, and the forms other encoders use (indefinite lengths, tags, floats)', () => {
    const next = random(1)
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(next, 6)
      assert.equal(cborBodyProblem(encoder.encode(value), 64), undefined, JSON.stringify(value))
    }
    for (const bytes of [
      'bf 61 61 9f 01 02 ff 61 62 bf ff ff', // {_ "a": [_ 1, 2], "b": {_ }}
      '9f 9f ff 80 a0 ff', // [_ [_ ], [], {}]
      'c1 1a 5f 5e 10 00', // tag 1 (epoch time)
      'c2 49 01 00 00 00 00 00 00 00 00', // tag 2 bignum
      'f9 3c 00 fa 3f c0 00 00 fb 3f f8 00 00 00 00 00 00', // three floats: only the first is read
      'f4 f5 f6 f7 f8 20', // simple values
      '1b 00 00 01 8b cf e5 68 00', // 8-byte integer
      '5a 00 00 00 02 01 02', // byte string with a 4-byte length
      'a1 01 02', // an integer key
    ]) {
      assert.equal(cborBodyProblem(hex(bytes), 64), undefined, bytes)
    }
  })

  it('names the path of text that is not UTF-8, in values and keys', () => {
    assert.deepEqual(cborBodyProblem(hex('a1 61 61 82 01 62 c3 28'), 64)?.path, ['a', 1])
    assert.match(cborBodyProblem(hex('a1 61 61 a1 63 ed a0 80 01'), 64)!.message, /map key .*UTF-8/)
    assert.deepEqual(cborBodyProblem(hex('a1 61 61 a1 63 ed a0 80 01'), 64)?.path, ['a'])
    assert.deepEqual(cborBodyProblem(hex('bf 61 78 9f 61 ff ff ff'), 64)?.path, ['x', 0])
  })

  it('counts arrays, maps and tags as levels, and refuses tags 28 and 29', () => {
    assert.equal(cborBodyProblem(hex('81 81 81 00'), 3), undefined)
    assert.match(cborBodyProblem(hex('81 81 81 81 00'), 3)!.message, /deeper than 3/)
    assert.match(cborBodyProblem(hex('c6 c6 c6 c6 00'), 3)!.message, /deeper than 3/)
    assert.deepEqual(cborBodyProblem(hex('a1 61 64 82 01 d8 1d 00'), 64)?.path, ['d', 1])
    assert.match(cborBodyProblem(hex('d8 1c 81 d8 1d 00'), 64)!.message, /tag 28/)
  })

  it('refuses a text key twice in one map, in small and large maps, at its path; other keys may repeat across maps', () => {
    assert.deepEqual(cborBodyProblem(hex('a1 61 61 a2 61 62 01 61 62 02'), 64)?.path, ['a'])
    assert.match(cborBodyProblem(hex('bf 61 62 01 61 62 02 ff'), 64)!.message, /key "b" twice/)
    assert.equal(cborBodyProblem(hex('82 a2 61 61 01 61 62 02 a2 61 61 01 61 62 02'), 64), undefined)
    assert.equal(cborBodyProblem(hex('a2 61 61 01 78 01 62 02'), 64), undefined) // "a" and "b"
    assert.match(cborBodyProblem(hex('a2 61 61 01 78 01 61 02'), 64)!.message, /key "a" twice/) // "a" in another head
    const many = (n: number) => Array.from({ length: n }, (_, i) => `${Buffer.from(encoder.encode(`k${i}`)).toString('hex')}01`)
    const big = (keys: string[]) => hex(`b9${keys.length.toString(16).padStart(4, '0')}${keys.join('')}`)
    assert.equal(cborBodyProblem(big(many(100)), 64), undefined)
    assert.match(cborBodyProblem(big([...many(99), many(1)[0]]), 64)!.message, /key "k0" twice/)
    assert.match(cborBodyProblem(big([...many(10), many(1)[0]]), 64)!.message, /key "k0" twice/)
  })

  it('refuses a simple value below 32 in two bytes (not well-formed)', () => {
    assert.match(cborBodyProblem(hex('81 f8 10'), 64)!.message, /simple value 16 in two bytes/)
    assert.equal(cborBodyProblem(hex('81 f8 20'), 64), undefined)
  })

  it('collects the data and metadata of each event, by path, as the bytes sent', () => {
    const ev = (data: string, metadata?: string) => `a${metadata ? 3 : 2} 64 74797065 61 54 64 64617461 ${data}${metadata ? ` 68 6d65746164617461 ${metadata}` : ''}`
    const body = hex(`a2 67 73747265616d73 81 a1 66 6576656e7473 82 ${ev('f9 80 00')} ${ev('a1 01 f9 3c 00', 'a0')} 66 6576656e7473 81 ${ev('bf 61 61 9f 01 ff ff')}`)
    const payloads = new Map<string, Uint8Array>()
    assert.equal(cborBodyProblem(body, 64, payloads), undefined)
    const got = Object.fromEntries([...payloads].map(([k, v]) => [k, Buffer.from(v).toString('hex')]))
    assert.deepEqual(got, {
      'streams.0.events.0.data': 'f98000',
      'streams.0.events.1.data': 'a101f93c00',
      'streams.0.events.1.metadata': 'a0',
      'events.0.data': 'bf61619f01ffff',
    })
  })

  it('leaves malformed input to the decoder (no problem of its own, no exception)', () => {
    for (const bytes of ['a2 66 65 76', 'ff', '9f 01', '1c', '7f 61 41 ff', 'bf 01 ff', 'a1 61', '5b ff ff ff ff ff ff ff ff']) {
      assert.equal(cborBodyProblem(hex(bytes), 64), undefined, bytes)
    }
  })
})

describe('invalidUtf8At', () => {
  it('agrees with TextDecoder({ fatal: true }) on random byte strings', () => {
    const next = random(2)
    const strict = new TextDecoder('utf-8', { fatal: true })
    for (let i = 0; i < 20_000; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(next() * 6) }, () => (next() < 0.3 ? Math.floor(next() * 128) : 0x80 + Math.floor(next() * 128)))
      let valid = true
      try {
        strict.decode(bytes)
      } catch {
        valid = false
      }
      assert.equal(invalidUtf8At(bytes) === -1, valid, Buffer.from(bytes).toString('hex'))
    }
    assert.equal(invalidUtf8At(new TextEncoder().encode('aé€😀')), -1)
    assert.equal(invalidUtf8At(hex('41 ed a0 80')), 1)
  })
})

describe('valueProblem', () => {
  it('finds lone surrogates in strings and keys at any depth, and passes surrogate pairs', () => {
    assert.equal(valueProblem({ a: ['😀', { 'ключ😀': 'x' }] }, 64), undefined)
    assert.deepEqual(valueProblem({ a: ['ok', { b: 'x\udc00' }] }, 64)?.path, ['a', 1, 'b'])
    assert.deepEqual(valueProblem({ a: { 'k\ud800': 1 } }, 64)?.path, ['a'])
    assert.deepEqual(valueProblem(new Map([['m', ['\ud800']]]), 64)?.path, ['m', 0])
    assert.deepEqual(valueProblem('\ud800', 64)?.path, [])
  })

  it('bounds depth without recursion, which also ends a cycle', () => {
    let deep: unknown = 1
    for (let i = 0; i < 1_000_000; i++) deep = [deep]
    assert.match(valueProblem(deep, 64)!.message, /deeper than 64/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    assert.match(valueProblem(cyclic, 64)!.message, /deeper than 64/)
    assert.equal(valueProblem([[1]], 2), undefined)
    assert.ok(valueProblem([[[1]]], 2))
    assert.equal(valueProblem({ bytes: new Uint8Array(3), at: new Date() }, 1), undefined)
  })

  it('names: control characters (C0, DEL, C1) and lone surrogates, not other text', () => {
    for (const bad of ['a\u0000', '\t', '\u007f', '\u0085', 'x\ud800']) assert.ok(nameProblem(bad), JSON.stringify(bad))
    for (const ok of ['Überwiesen €', 'account:17', '名前', '😀', '\u00a0']) assert.equal(nameProblem(ok), undefined, ok)
    assert.equal(unicodeProblem('a\u0000b'), undefined)
  })
})

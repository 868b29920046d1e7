// 'cbor-x/encode' is cbor-x's pure-JS build on every runtime: the main entry loads the
// native cbor-extract add-on on Node-compatible runtimes, and that add-on crashes Bun
// and Deno when decoding non-ASCII strings. Workers pass cbor-x's no-eval build to makeCodec.
import { addExtension, Encoder } from 'cbor-x/encode'
import type { Codec } from '../core/types.ts'

/** One cbor-x build (the Worker passes its no-eval build): its Encoder and its tag registry. */
export interface CborX {
  Encoder: typeof Encoder
  addExtension: typeof addExtension
}

/**
 * Date/time tags (RFC 8949 §3.4.1/§3.4.2) kept as sent. cbor-x decodes both to a Date,
 * which it encodes back as tag 1: a tag 0 string would lose its text (and UTC offset) and
 * a tag 1 float would be rounded to milliseconds. Stored payloads keep the client's item.
 */
class DateTimeText {
  value: unknown
  constructor(value: unknown) {
    this.value = value
  }
}
class EpochTime {
  value: unknown
  constructor(value: unknown) {
    this.value = value
  }
}
const installed = new WeakSet<object>()

/**
 * Standard CBOR (RFC 8949) for stored payloads: no cbor-x record extension (useRecords:
 * false) and byte strings without the typed-array tag, so any CBOR decoder reads them.
 * What a client's CBOR body decodes to is encoded back to an equivalent item: 64-bit
 * integers and bignums (BigInt), floats, byte strings, typed arrays and other tags.
 */
export function makeCodec(cborx: CborX): Codec {
  if (!installed.has(cborx.Encoder)) {
    installed.add(cborx.Encoder)
    const keep = (Class: typeof DateTimeText, tag: number) =>
      cborx.addExtension({ Class, tag, encode: (t: DateTimeText, encode: (v: unknown) => Uint8Array) => encode(t.value), decode: (v: unknown) => new Class(v) })
    keep(DateTimeText, 0)
    keep(EpochTime, 1)
  }
  const cbor = new cborx.Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
  // cbor-x renames a `__proto__` key to `__proto_` when it builds objects (a prototype
  // pollution guard), so such a body is decoded to Maps and turned into objects that keep
  // the key as an own property, as JSON.parse does (ECMA-262 §25.5.1). Only bodies: JSON
  // readers render such a payload by the transcoder (src/http/render/jsonValue.ts), never through decode.
  const asMaps = new cborx.Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })
  return {
    encode: (value) => cbor.encode(value) as Uint8Array<ArrayBuffer>,
    decode: (bytes) => cbor.decode(bytes),
    decodeBody: (bytes) => (hasProtoKey(bytes) ? ownKeys(asMaps.decode(bytes)) : cbor.decode(bytes)),
  }
}

// The text string "__proto__" as CBOR: a head of 0x69 (text, 9 bytes), then the bytes.
const PROTO_KEY = [0x69, 0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]
function hasProtoKey(bytes: Uint8Array): boolean {
  outer: for (let i = bytes.indexOf(0x69); i !== -1 && i + PROTO_KEY.length <= bytes.length; i = bytes.indexOf(0x69, i + 1)) {
    for (let k = 1; k < PROTO_KEY.length; k++) if (bytes[i + k] !== PROTO_KEY[k]) continue outer
    return true
  }
  return false
}

/** Maps (from a decoder with mapsAsObjects: false) as plain objects with own-property keys. */
function ownKeys(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of value) {
      // as mapsAsObjects does: text and number keys only (numbers by their decimal text)
      if (typeof k !== 'string' && typeof k !== 'number') throw new Error('a map key must be text or a number')
      Object.defineProperty(out, String(k), { value: ownKeys(v), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  if (Array.isArray(value)) return value.map(ownKeys)
  return value
}

export const codec: Codec = makeCodec({ Encoder, addExtension })

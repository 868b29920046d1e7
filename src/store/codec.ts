// 'cbor-x/encode' is cbor-x's pure-JS build on every runtime: the main entry loads the
// native cbor-extract add-on on Node-compatible runtimes, and that add-on crashes Bun
// and Deno when decoding non-ASCII strings. The decoder probes for eval and falls back
// without it, so the same build runs on Workers.
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
  return {
    encode: (value) => cbor.encode(value) as Uint8Array<ArrayBuffer>,
    decode: (bytes) => cbor.decode(bytes),
  }
}

export const codec: Codec = makeCodec({ Encoder, addExtension })

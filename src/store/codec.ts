// 'cbor-x/encode' is cbor-x's pure-JS build on every runtime: the main entry loads the
// native cbor-extract add-on on Node-compatible runtimes, and that add-on crashes Bun
// and Deno when decoding non-ASCII strings. The decoder probes for eval and falls back
// without it, so the same build runs on Workers.
import { Encoder } from 'cbor-x/encode'
import type { Codec } from '../core/types.ts'

export type EncoderClass = typeof Encoder

/**
 * Standard CBOR (RFC 8949) for stored payloads: no cbor-x record extension (useRecords:
 * false) and byte strings without the typed-array tag, so any CBOR decoder reads them.
 */
export function makeCodec(EncoderImpl: EncoderClass): Codec {
  const cbor = new EncoderImpl({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
  return {
    encode: (value) => cbor.encode(value) as Uint8Array<ArrayBuffer>,
    decode: (bytes) => cbor.decode(bytes),
  }
}

export const codec: Codec = makeCodec(Encoder)

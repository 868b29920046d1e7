import { Encoder } from 'cbor-x'
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

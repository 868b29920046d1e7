import type { Codec, StoredEvent } from '../../core/types.ts'
import { isoTime } from './isoTime.ts'

/**
 * Event pages for CBOR clients, written directly: each event's `data` and `metadata` are
 * stored as standard CBOR items already, so their bytes are copied into the response
 * instead of decoded and encoded again (RFC 8949 §3: a data item is self-delimiting, so a
 * stored item can stand wherever a value goes). Everything else is the same map a JSON
 * client gets, in the same key order as renderEvent.
 */
const utf8 = new TextEncoder()

/** A growing byte buffer that CBOR data items are written into. */
class CborBuffer {
  buf = new Uint8Array(4096)
  view = new DataView(this.buf.buffer)
  pos = 0

  private room(n: number) {
    if (this.pos + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** Initial byte and argument of a data item (RFC 8949 §3). */
  head(major: number, n: number) {
    this.room(9)
    const m = major << 5
    if (n < 24) this.buf[this.pos++] = m | n
    else if (n < 0x100) {
      this.buf[this.pos++] = m | 24
      this.buf[this.pos++] = n
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25
      this.buf[this.pos++] = n >> 8
      this.buf[this.pos++] = n & 0xff
    } else {
      // lengths and integers here stay below 2^32 (see int)
      this.buf[this.pos++] = m | 26
      this.view.setUint32(this.pos, n)
      this.pos += 4
    }
  }

  int(n: number) {
    if (n >= 0x100000000 || n < -0x100000000) {
      // beyond 32 bits, a float64 like cbor-x writes: decoders give a plain number, not a
      // 64-bit integer (BigInt in JavaScript), and positions stay exact up to 2^53
      this.room(9)
      this.buf[this.pos++] = 0xfb
      this.view.setFloat64(this.pos, n)
      this.pos += 8
    } else if (n >= 0) this.head(0, n)
    else this.head(1, -1 - n)
  }

  str(s: string) {
    // ids, types, stream names and times are ASCII: one byte per character
    let ascii = true
    for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80
    if (!ascii) {
      const bytes = utf8.encode(s)
      this.head(3, bytes.length)
      return this.raw(bytes)
    }
    this.head(3, s.length)
    this.room(s.length)
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i)
  }

  raw(bytes: Uint8Array) {
    this.room(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  nil() {
    this.room(1)
    this.buf[this.pos++] = 0xf6
  }

  done(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.pos)
  }
}

/** The event map's keys, encoded once: renderEvent's keys, in its order. */
const KEYS = (() => {
  const w = new CborBuffer()
  const at = (k: string) => {
    const start = w.pos
    w.str(k)
    return [start, w.pos] as const
  }
  const spans = ['id', 'stream', 'type', 'revision', 'position', 'time', 'data', 'metadata', 'tags', 'erased'].map(at)
  const bytes = w.done()
  return spans.map(([a, b]) => bytes.slice(a, b))
})()
const [K_ID, K_STREAM, K_TYPE, K_REVISION, K_POSITION, K_TIME, K_DATA, K_METADATA, K_TAGS, K_ERASED] = KEYS
const TRUE = new Uint8Array([0xf5]) // RFC 8949 §3.3: simple value 21

function writeEvent(w: CborBuffer, e: StoredEvent, time: string) {
  w.head(5, e.erased ? 10 : 9)
  w.raw(K_ID)
  w.str(e.id)
  w.raw(K_STREAM)
  if (e.stream === null) w.nil()
  else w.str(e.stream)
  w.raw(K_TYPE)
  w.str(e.type)
  w.raw(K_REVISION)
  if (e.revision === null) w.nil()
  else w.int(e.revision)
  w.raw(K_POSITION)
  w.int(e.position)
  w.raw(K_TIME)
  w.str(time)
  w.raw(K_DATA)
  if (e.data) w.raw(e.data)
  else w.nil()
  w.raw(K_METADATA)
  if (e.metadata) w.raw(e.metadata)
  else w.nil()
  w.raw(K_TAGS)
  w.head(4, e.tags.length)
  for (const t of e.tags) w.str(t)
  if (e.erased) {
    w.raw(K_ERASED)
    w.raw(TRUE)
  }
}

/** A page `{ ...fields, events }` as CBOR; other field values go through the codec. */
export function encodeEventPage(fields: Record<string, unknown>, events: StoredEvent[], codec: Codec): Uint8Array<ArrayBuffer> {
  const w = new CborBuffer()
  const keys = Object.keys(fields)
  w.head(5, keys.length + 1)
  for (const k of keys) {
    w.str(k)
    w.raw(codec.encode(fields[k]))
  }
  w.str('events')
  w.head(4, events.length)
  for (const e of events) writeEvent(w, e, isoTime(e.time))
  return w.done()
}

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
  buf: Uint8Array<ArrayBuffer>
  view: DataView
  pos = 0

  constructor(size = 64) {
    this.buf = new Uint8Array(size)
    this.view = new DataView(this.buf.buffer)
  }

  /** Makes room for `n` more bytes. */
  room(n: number) {
    if (this.pos + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** Initial byte and argument of a data item (RFC 8949 §3); room for 5 bytes is made by the caller. */
  head(major: number, n: number) {
    const m = major << 5
    const buf = this.buf
    if (n < 24) buf[this.pos++] = m | n
    else if (n < 0x100) {
      buf[this.pos++] = m | 24
      buf[this.pos++] = n
    } else if (n < 0x10000) {
      buf[this.pos++] = m | 25
      buf[this.pos++] = n >> 8
      buf[this.pos++] = n & 0xff
    } else {
      // lengths and integers here stay below 2^32 (see int)
      buf[this.pos++] = m | 26
      this.view.setUint32(this.pos, n)
      this.pos += 4
    }
  }

  /** An integer; room for 9 bytes is made by the caller. */
  int(n: number) {
    if (n >= 0x100000000 || n < -0x100000000) {
      // beyond 32 bits, a float64 like cbor-x writes: decoders give a plain number, not a
      // 64-bit integer (BigInt in JavaScript), and positions stay exact up to 2^53
      this.buf[this.pos++] = 0xfb
      this.view.setFloat64(this.pos, n)
      this.pos += 8
    } else if (n >= 0) this.head(0, n)
    else this.head(1, -1 - n)
  }

  /** A text string; room for 5 + 3 * s.length bytes is made by the caller. */
  str(s: string) {
    // ids, types, stream names and times are ASCII: copied a byte per character, behind a
    // head written for that length, while checking; other text is encoded (UTF-8) instead
    const n = s.length
    const start = this.pos
    this.head(3, n)
    const buf = this.buf
    let at = this.pos
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) {
        this.pos = start
        return this.utf8(s)
      }
      buf[at++] = c
    }
    this.pos = at
  }

  private utf8(s: string) {
    const bytes = utf8.encode(s)
    this.head(3, bytes.length)
    this.raw(bytes)
  }

  /** Bytes as they are; room is made by the caller. */
  raw(bytes: Uint8Array) {
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  /** A short constant (a map key): a loop costs less than set() for a few bytes. */
  key(bytes: Uint8Array) {
    const buf = this.buf
    let at = this.pos
    for (let i = 0; i < bytes.length; i++) buf[at++] = bytes[i]
    this.pos = at
  }

  nil() {
    this.buf[this.pos++] = 0xf6
  }

  /** What was written: a view, not a copy (the buffer is not written again). */
  done(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.pos)
  }
}

/** The event map's keys, encoded once: renderEvent's keys, in its order. */
const KEYS = ['id', 'stream', 'type', 'revision', 'position', 'time', 'data', 'metadata', 'tags', 'erased'].map((k) => {
  const w = new CborBuffer()
  w.room(5 + 3 * k.length)
  w.str(k)
  return w.done()
})
const [K_ID, K_STREAM, K_TYPE, K_REVISION, K_POSITION, K_TIME, K_DATA, K_METADATA, K_TAGS, K_ERASED] = KEYS
/** The keys' bytes, plus a head of at most 9 bytes for each of an event's ten values. */
const EVENT_FIXED = KEYS.reduce((n, k) => n + k.length, 0) + 10 * 9 + 1

/** UTF-16 units of an event's text (id, type, stream, tags; the time is at most 27). */
function textLength(e: StoredEvent): number {
  let n = e.id.length + e.type.length + 27 + (e.stream?.length ?? 0)
  for (const t of e.tags) n += 5 + t.length
  return n
}

function writeEvent(w: CborBuffer, e: StoredEvent, time: string) {
  // One room() per event, for its text at 3 bytes per UTF-16 unit at most, its payloads
  // and its fixed part; then every write goes straight to the buffer.
  w.room(EVENT_FIXED + 3 * textLength(e) + (e.data?.length ?? 0) + (e.metadata?.length ?? 0))
  w.head(5, e.erased ? 10 : 9)
  w.key(K_ID)
  w.str(e.id)
  w.key(K_STREAM)
  if (e.stream === null) w.nil()
  else w.str(e.stream)
  w.key(K_TYPE)
  w.str(e.type)
  w.key(K_REVISION)
  if (e.revision === null) w.nil()
  else w.int(e.revision)
  w.key(K_POSITION)
  w.int(e.position)
  w.key(K_TIME)
  w.str(time)
  w.key(K_DATA)
  if (e.data) w.raw(e.data)
  else w.nil()
  w.key(K_METADATA)
  if (e.metadata) w.raw(e.metadata)
  else w.nil()
  w.key(K_TAGS)
  w.head(4, e.tags.length)
  for (const t of e.tags) w.str(t)
  if (e.erased) {
    w.key(K_ERASED)
    w.buf[w.pos++] = 0xf5 // RFC 8949 §3.3: simple value 21, true
  }
}

/** A page `{ ...fields, events }` as CBOR; other field values go through the codec. */
export function encodeEventPage(fields: Record<string, unknown>, events: StoredEvent[], codec: Codec): Uint8Array<ArrayBuffer> {
  // Sized for ASCII text (ids, times, names: nearly always) plus one event's worst case,
  // so the buffer is allocated once and the page is not copied; room() grows it otherwise.
  let size = 256
  let most = 0
  for (const e of events) {
    const text = textLength(e)
    if (text > most) most = text
    size += EVENT_FIXED + text + (e.data?.length ?? 0) + (e.metadata?.length ?? 0)
  }
  const w = new CborBuffer(size + 2 * most)
  const keys = Object.keys(fields)
  w.room(5)
  w.head(5, keys.length + 1)
  for (const k of keys) {
    const value = codec.encode(fields[k])
    w.room(5 + 3 * k.length + value.length)
    w.str(k)
    w.raw(value)
  }
  w.room(5 + 6 + 5)
  w.str('events')
  w.head(4, events.length)
  for (const e of events) writeEvent(w, e, isoTime(e.time))
  return w.done()
}

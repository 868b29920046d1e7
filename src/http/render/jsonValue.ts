import { hex } from '../../core/hex.ts'
import type { Codec } from '../../core/types.ts'

/**
 * JSON text of a stored CBOR payload (RFC 8949 item), for JSON readers. See docs/api.md,
 * "JSON rendering of CBOR values".
 *
 * Fast paths: the usual payload (JSON's types, ASCII text, ordinary keys) is written
 * straight from the bytes as JSON.stringify would write its value (`simpleJson`); a
 * payload made only of what JSON has (text-keyed maps, arrays, text, ints up to 32 bits,
 * finite floats, true/false/null) is decoded by the codec and stringified. `isPlain`
 * decides that by walking the bytes without building anything.
 * Anything else (64-bit integers, bignums, byte strings, tags, undefined, NaN/±Infinity,
 * other keys) is transcoded straight from the bytes by `transcode`, which keeps integers
 * exact (the digits are written, never rounded through a double) and gives each type JSON
 * lacks a documented form. Never throws: what cannot be rendered becomes `{"$cbor": ...}`.
 */
export function payloadJson(bytes: Uint8Array | null, codec: Codec): string {
  if (!bytes) return 'null'
  // with verbatim text on, a payload that may hold a long text is transcoded (see below)
  if (!verbatim || bytes.length < VERBATIM_MIN_BYTES) {
    const simple = simpleJson(bytes)
    if (simple !== undefined) return simple
    try {
      if (isPlain(bytes)) return JSON.stringify(codec.decode(bytes)) ?? 'null'
    } catch {
      // fall through: the transcoder reads what the codec does not
    }
  }
  const kept = verbatim?.length ?? 0
  try {
    return transcode(bytes)
  } catch {
    if (verbatim) verbatim.length = kept
    return `{"$cbor":"${base64url(bytes)}"}`
  }
}

// --- verbatim text ----------------------------------------------------------------

/** Texts at least this long may be copied as bytes (withVerbatimText). */
export const VERBATIM_MIN_BYTES = 4096
let verbatim: Uint8Array[] | undefined

/**
 * Runs `render` (which calls payloadJson) so that a long text of printable ASCII other
 * than `"` and `\` (bytes 0x20-0x7F: JSON text as it is, RFC 8259 §7) is not decoded
 * and encoded again: its JSON string comes out as `"`, one U+0000 character, `"`, and
 * its bytes go in `texts`, in order. U+0000 appears nowhere else in rendered JSON, where it is
 * always escaped. A 255 KB text cost 4-5 ms decoded, stringified and encoded; as bytes,
 * a scan and a copy (~0.6 ms). See eventJsonBytes.
 */
export function withVerbatimText(render: () => string): { text: string; texts: Uint8Array[] } {
  const texts: Uint8Array[] = []
  verbatim = texts
  try {
    return { text: render(), texts }
  } finally {
    verbatim = undefined
  }
}

/** Can a text item's bytes stand in a JSON string as they are? */
const isVerbatim = (b: Uint8Array): boolean => jsonAsIs(b, 0, b.length, true)

/** One byte of jsonAsIs's rule. */
const asIsByte = (c: number, del: boolean) => c >= 0x20 && c <= 0x7f && c !== 0x22 && c !== 0x5c && (c !== 0x7f || del)

/**
 * Whether `b[from, to)` is all bytes 0x20-0x7E other than `"` and `\` (with `del`, 0x7F
 * too): text that stands in a JSON string as it is (RFC 8259 §7). Four bytes at a time
 * where the bytes are aligned for a Uint32Array view: a word holds such a byte when its
 * high bit is set, when a byte is below 0x20 (`(x - 0x20202020) & ~x & 0x80808080`, exact
 * once no high bit is set), or when a byte equals `"`, `\` or DEL (a zero byte of `x ^`
 * that byte repeated: `(y - 0x01010101) & ~y & 0x80808080`). A 255 KB text: ~0.55 ms a
 * byte at a time, ~0.1 ms a word at a time. exported for its test (the byte loop's twin).
 */
export function jsonAsIs(b: Uint8Array, from: number, to: number, del: boolean): boolean {
  let i = from
  // the bytes before the first aligned word, and short runs, one at a time
  const head = to - i < 32 ? to : Math.min(to, i + ((4 - ((b.byteOffset + i) & 3)) & 3))
  for (; i < head; i++) if (!asIsByte(b[i], del)) return false
  if (i === to) return true
  const words = (to - i) >> 2
  const w = new Uint32Array(b.buffer, b.byteOffset + i, words)
  for (let k = 0; k < words; k++) {
    const x = w[k]
    if (x & 0x80808080) return false
    if ((x - 0x20202020) & ~x & 0x80808080) return false
    let y = x ^ 0x22222222
    if ((y - 0x01010101) & ~y & 0x80808080) return false
    y = x ^ 0x5c5c5c5c
    if ((y - 0x01010101) & ~y & 0x80808080) return false
    if (!del) {
      y = x ^ 0x7f7f7f7f
      if ((y - 0x01010101) & ~y & 0x80808080) return false
    }
  }
  for (i += words << 2; i < to; i++) if (!asIsByte(b[i], del)) return false
  return true
}

/** Deeper than this is not rendered (the fallback is): a bound on recursion, not a write limit. */
export const MAX_RENDER_DEPTH = 4096

// --- the fast-path check ------------------------------------------------------------

let src: Uint8Array = new Uint8Array(0)
let view = new DataView(src.buffer)
let pos = 0

function use(bytes: Uint8Array) {
  src = bytes
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  pos = 0
}

/** The argument of a head whose low 5 bits are `ai` (RFC 8949 §3): up to 4 bytes, else -1. */
function arg32(ai: number): number {
  if (ai < 24) return ai
  if (ai === 24) return src[pos++]
  if (ai === 25) return (pos += 2), view.getUint16(pos - 2)
  if (ai === 26) return (pos += 4), view.getUint32(pos - 4)
  return -1
}

/** `__proto__`: the codec renames such a key (prototype pollution guard); the transcoder does not. */
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]
const isProtoKey = (n: number) => {
  if (n !== 9) return false
  for (let i = 0; i < 9; i++) if (src[pos + i] !== PROTO[i]) return false
  return true
}

/** True when the whole payload is one item of JSON's types only (see payloadJson). */
export function isPlain(bytes: Uint8Array): boolean {
  // no DataView here: this runs for every payload a JSON reader gets
  src = bytes
  pos = 0
  return plainItem(0, false) && pos === src.length
}

const u16 = (at: number) => (src[at] << 8) | src[at + 1]
const u32 = (at: number) => ((src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3]) >>> 0

function plainItem(depth: number, key: boolean): boolean {
  if (pos >= src.length || depth > MAX_RENDER_DEPTH) return false
  const ib = src[pos++]
  const major = ib >> 5
  const ai = ib & 31
  if (key && major !== 3) return false
  if (major === 7) {
    if (ai === 20 || ai === 21 || ai === 22) return true
    // floats: finite only (an exponent of all ones is NaN or ±Infinity)
    if (ai === 25) return (pos += 2) <= src.length && (src[pos - 2] & 0x7c) !== 0x7c
    if (ai === 26) return (pos += 4) <= src.length && (u16(pos - 4) & 0x7f80) !== 0x7f80
    if (ai === 27) return (pos += 8) <= src.length && (u16(pos - 8) & 0x7ff0) !== 0x7ff0
    return false // undefined, simple values, break
  }
  if (major === 2 || major === 6) return false
  // a 64-bit argument (the codec gives a BigInt) or an indefinite length: not plain
  let n = ai
  if (ai >= 24) {
    if (ai === 24) n = src[pos++]
    else if (ai === 25) (n = u16(pos)), (pos += 2)
    else if (ai === 26) (n = u32(pos)), (pos += 4)
    else return false
    if (pos > src.length) return false
  }
  if (major <= 1) return true
  if (major === 3) {
    if (key && isProtoKey(n)) return false
    return (pos += n) <= src.length
  }
  if (major === 4) {
    for (let i = 0; i < n; i++) if (!plainItem(depth + 1, false)) return false
    return true
  }
  for (let i = 0; i < n; i++) if (!plainItem(depth + 1, true) || !plainItem(depth + 1, false)) return false
  return true
}

// --- the simple case, written straight from the bytes ----------------------------------

const ascii = new TextDecoder()
// floats are read through this scratch: simpleJson makes no DataView per payload
const scratch = new DataView(new ArrayBuffer(8))
const float = (size: 4 | 8) => {
  for (let i = 0; i < size; i++) scratch.setUint8(i, src[pos + i])
  pos += size
  return size === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0)
}

/**
 * The JSON text of a payload that JSON.stringify of its decoded value gives without any
 * choice: JSON's types only (as isPlain), every text printable ASCII other than `"` and `\`
 * (JSON text as it is, RFC 8259 §7), and no map key that an object would reorder (an
 * array index: JSON.stringify writes those first, ECMA-262 §10.1.11) or merge (a repeated
 * key). The common payload, rendered without building its value; anything else is
 * undefined, for decode-and-stringify or the transcoder.
 */
function simpleJson(bytes: Uint8Array): string | undefined {
  src = bytes
  pos = 0
  const out = simpleItem(0)
  return out !== undefined && pos === src.length ? out : undefined
}

/** A text item's bytes as a JSON string, when they are JSON text as they are; else undefined. */
function simpleText(n: number): string | undefined {
  const end = pos + n
  if (end > src.length || !jsonAsIs(src, pos, end, false)) return undefined
  // short texts (keys, codes) by char codes: a TextDecoder call costs more below ~16 bytes
  let text = '"'
  if (n < 16) for (let i = pos; i < end; i++) text += String.fromCharCode(src[i])
  else text += ascii.decode(src.subarray(pos, end))
  pos = end
  return text + '"'
}

function simpleItem(depth: number): string | undefined {
  if (pos >= src.length || depth > MAX_RENDER_DEPTH) return undefined
  const ib = src[pos++]
  const major = ib >> 5
  const ai = ib & 31
  if (major === 7) {
    if (ai === 20) return 'false'
    if (ai === 21) return 'true'
    if (ai === 22) return 'null'
    // finite floats only (as isPlain); String() writes a number as JSON.stringify does
    let v: number
    if (ai === 25 && pos + 2 <= src.length) (v = half(u16(pos))), (pos += 2)
    else if (ai === 26 && pos + 4 <= src.length) v = float(4)
    else if (ai === 27 && pos + 8 <= src.length) v = float(8)
    else return undefined
    return Number.isFinite(v) ? String(v) : undefined
  }
  // arguments up to 32 bits (a 64-bit one decodes to a BigInt), definite lengths only
  let n = ai
  if (ai >= 24) {
    if (ai === 24) n = src[pos++]
    else if (ai === 25) (n = u16(pos)), (pos += 2)
    else if (ai === 26) (n = u32(pos)), (pos += 4)
    else return undefined
    if (pos > src.length) return undefined
  }
  if (major === 0) return String(n)
  if (major === 1) return String(-1 - n)
  if (major === 3) return simpleText(n)
  if (major === 4) {
    let out = '['
    for (let i = 0; i < n; i++) {
      const item = simpleItem(depth + 1)
      if (item === undefined) return undefined
      out += i ? ',' + item : item
    }
    return out + ']'
  }
  if (major !== 5) return undefined // byte strings, tags
  let out = '{'
  // the keys so far, to find a repeated one: a list for the usual few, a set for many
  const keys: string[] | Set<string> = n > 8 ? new Set() : []
  for (let i = 0; i < n; i++) {
    if (pos >= src.length || src[pos] >> 5 !== 3) return undefined
    const head = src[pos++] & 31
    const len = head < 24 ? head : head === 24 ? src[pos++] : -1
    // a key that starts with a digit may be an array index; __proto__ is renamed by the codec
    if (len < 1 || pos >= src.length || (src[pos] >= 0x30 && src[pos] <= 0x39) || isProtoKey(len)) return undefined
    const key = simpleText(len)
    if (key === undefined) return undefined
    if (Array.isArray(keys)) {
      if (keys.includes(key)) return undefined
      keys.push(key)
    } else {
      if (keys.has(key)) return undefined
      keys.add(key)
    }
    const value = simpleItem(depth + 1)
    if (value === undefined) return undefined
    out += (i ? ',' : '') + key + ':' + value
  }
  return out + '}'
}

// --- the transcoder -----------------------------------------------------------------

const utf8 = new TextDecoder()
const TWO_32 = 0x100000000
const BIG_32 = BigInt(32)

/** A head's argument as a number when it fits in 2^53, else as a BigInt. */
function arg(ai: number): number | bigint {
  if (ai < 27) {
    const n = arg32(ai)
    if (n < 0 || pos > src.length) throw new Error('truncated')
    return n
  }
  if (ai === 27) {
    if (pos + 8 > src.length) throw new Error('truncated')
    const hi = view.getUint32(pos)
    const lo = view.getUint32(pos + 4)
    pos += 8
    return hi < 0x200000 ? hi * TWO_32 + lo : (BigInt(hi) << BIG_32) | BigInt(lo)
  }
  throw new Error(`reserved additional information ${ai}`)
}

const length = (n: number | bigint) => {
  if (typeof n === 'bigint' || n > src.length - pos) throw new Error('length beyond the payload')
  return n
}

function bytesOf(ai: number, major: number): Uint8Array {
  if (ai !== 31) {
    const n = length(arg(ai))
    pos += n
    return src.subarray(pos - n, pos)
  }
  // indefinite length: definite chunks of the same major type until a break (RFC 8949 §3.2.3)
  const chunks: Uint8Array[] = []
  for (;;) {
    if (pos >= src.length) throw new Error('truncated')
    const ib = src[pos++]
    if (ib === 0xff) break
    if (ib >> 5 !== major || (ib & 31) === 31) throw new Error('bad chunk')
    const n = length(arg(ib & 31))
    chunks.push(src.subarray(pos, (pos += n)))
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0))
  let at = 0
  for (const c of chunks) out.set(c, at), (at += c.length)
  return out
}

/** Transcodes one whole payload; throws on malformed or too deep input. */
export function transcode(bytes: Uint8Array): string {
  use(bytes)
  const out = item(0)
  if (pos !== src.length) throw new Error('bytes after the item')
  return out
}

const number = (n: number) => (Number.isFinite(n) ? String(n) : `{"$float":"${n}"}`)

function item(depth: number): string {
  if (depth > MAX_RENDER_DEPTH) throw new Error('too deep')
  if (pos >= src.length) throw new Error('truncated')
  const ib = src[pos++]
  const major = ib >> 5
  const ai = ib & 31
  switch (major) {
    case 0:
      return String(arg(ai))
    case 1: {
      const n = arg(ai)
      return typeof n === 'number' ? String(-1 - n) : String(BigInt(-1) - n)
    }
    case 2:
      return `{"$bytes":"${base64url(bytesOf(ai, 2))}"}`
    case 3: {
      const b = bytesOf(ai, 3)
      if (verbatim && b.length >= VERBATIM_MIN_BYTES && isVerbatim(b)) {
        verbatim.push(b)
        return '"\u0000"'
      }
      return JSON.stringify(utf8.decode(b))
    }
    case 4: {
      let out = '['
      if (ai === 31) {
        for (let i = 0; !isBreak(); i++) out += (i ? ',' : '') + item(depth + 1)
      } else {
        const n = length(arg(ai))
        for (let i = 0; i < n; i++) out += (i ? ',' : '') + item(depth + 1)
      }
      return out + ']'
    }
    case 5:
      return map(ai, depth)
    case 6:
      return tag(arg(ai), depth)
    default:
      return simple(ai)
  }
}

function isBreak(): boolean {
  if (pos >= src.length) throw new Error('truncated')
  if (src[pos] !== 0xff) return false
  pos++
  return true
}

/**
 * Text keys: a JSON object. Keys that are integers, finite floats or booleans as well: an
 * object whose keys are their text (`{1: "a"}` is `{"1":"a"}`), as a JavaScript object
 * holds them, unless two keys have the same text. Any other map, and a map in tag 259
 * (whose keys are typed on purpose): `{"$map":[[key,value],...]}`, nothing converted.
 */
function map(ai: number, depth: number, pairs = false): string {
  const start = pos
  const n = ai === 31 ? -1 : length(arg(ai))
  const more = (i: number) => (n < 0 ? !isBreak() : i < n)
  const kept = verbatim?.length ?? 0
  const restart = () => {
    pos = start
    if (n >= 0) arg(ai)
    if (verbatim) verbatim.length = kept // texts the abandoned pass set aside
  }
  if (!pairs) {
    let out = '{'
    let mixed = false
    for (let i = 0; more(i); i++) {
      if (pos < src.length && src[pos] >> 5 !== 3) {
        mixed = true // a key that is not text: start over
        break
      }
      out += (i ? ',' : '') + item(depth + 1) + ':' + item(depth + 1)
    }
    if (!mixed) return out + '}'
    restart()
    const keyed = keysAsText(n, more, depth)
    if (keyed !== undefined) return keyed
    restart()
  }
  let out = '{"$map":['
  for (let j = 0; more(j); j++) out += (j ? ',' : '') + '[' + item(depth + 2) + ',' + item(depth + 2) + ']'
  return out + ']}'
}

/** The map as a JSON object keyed by the text of its keys (see map), or undefined. */
function keysAsText(n: number, more: (i: number) => boolean, depth: number): string | undefined {
  const seen = new Set<string>()
  let out = '{'
  for (let i = 0; more(i); i++) {
    if (pos >= src.length) throw new Error('truncated')
    const major = src[pos] >> 5
    let key: string
    if (major === 3) key = utf8.decode(bytesOf(src[pos++] & 31, 3))
    else if (major === 0 || major === 1 || major === 7) {
      key = item(depth + 1)
      if (major === 7 && (key === 'null' || key.startsWith('{'))) return undefined // null, undefined, non-finite, simple
    } else return undefined
    if (seen.has(key)) return undefined
    seen.add(key)
    out += (i ? ',' : '') + JSON.stringify(key) + ':' + item(depth + 1)
  }
  return n < 0 || seen.size === n ? out + '}' : undefined
}

function simple(ai: number): string {
  switch (ai) {
    case 20:
      return 'false'
    case 21:
      return 'true'
    case 22:
    case 23: // undefined: null, as RFC 8949 §6.1 suggests
      return 'null'
    case 24: {
      if (pos >= src.length) throw new Error('truncated')
      return `{"$simple":${src[pos++]}}`
    }
    case 25: {
      if (pos + 2 > src.length) throw new Error('truncated')
      pos += 2
      return number(half(view.getUint16(pos - 2)))
    }
    case 26:
      if (pos + 4 > src.length) throw new Error('truncated')
      pos += 4
      return number(view.getFloat32(pos - 4))
    case 27:
      if (pos + 8 > src.length) throw new Error('truncated')
      pos += 8
      return number(view.getFloat64(pos - 8))
    default:
      if (ai < 20) return `{"$simple":${ai}}`
      throw new Error(ai === 31 ? 'unexpected break' : `reserved additional information ${ai}`)
  }
}

/** IEEE 754 binary16 (RFC 8949 Appendix D). */
function half(h: number): number {
  const exp = (h >> 10) & 0x1f
  const mant = h & 0x3ff
  const v = exp === 0 ? mant * 2 ** -24 : exp !== 31 ? (mant + 1024) * 2 ** (exp - 25) : mant === 0 ? Infinity : NaN
  return h & 0x8000 ? -v : v
}

/** RFC 8746 typed arrays: [bytes per element, kind] by tag - 64 (`ll` = size, `f`, `s`, `e` bits). */
function typedArray(t: number, content: Uint8Array): string | undefined {
  const f = (t >> 4) & 1
  const s = (t >> 3) & 1
  const little = ((t >> 2) & 1) === 1
  const ll = t & 3
  const size = f ? 2 << ll : 1 << ll
  if ((f && ll === 3) || (!f && s && ll === 0 && little) || content.length % size) return undefined // float128, tag 76, ragged
  const dv = new DataView(content.buffer, content.byteOffset, content.byteLength)
  const get: (at: number) => number | bigint = f
    ? size === 2
      ? (at) => half(dv.getUint16(at, little))
      : size === 4
        ? (at) => dv.getFloat32(at, little)
        : (at) => dv.getFloat64(at, little)
    : size === 1
      ? s
        ? (at) => dv.getInt8(at)
        : (at) => dv.getUint8(at)
      : size === 2
        ? s
          ? (at) => dv.getInt16(at, little)
          : (at) => dv.getUint16(at, little)
        : size === 4
          ? s
            ? (at) => dv.getInt32(at, little)
            : (at) => dv.getUint32(at, little)
          : s
            ? (at) => dv.getBigInt64(at, little)
            : (at) => dv.getBigUint64(at, little)
  let out = '['
  for (let at = 0; at < content.length; at += size) {
    const v = get(at)
    out += (at ? ',' : '') + (typeof v === 'bigint' ? String(v) : number(v))
  }
  return out + ']'
}

function tag(t: number | bigint, depth: number): string {
  const next = pos < src.length ? src[pos] : -1
  const major = next >> 5
  // bignums (RFC 8949 §3.4.3): the integer's digits
  if ((t === 2 || t === 3) && major === 2) {
    // through hex: shifting in a byte at a time is quadratic (a 128 KiB bignum took 2 s)
    const n = BigInt(`0x0${hex(bytesOf(src[pos++] & 31, 2))}`)
    return String(t === 3 ? BigInt(-1) - n : n)
  }
  // a Uint8Array (RFC 8746 tag 64) is a byte string
  if (t === 64 && major === 2) return item(depth + 1)
  // RFC 8746 typed arrays: their elements
  if (typeof t === 'number' && t >= 64 && t <= 87 && major === 2) {
    const start = pos
    const rendered = typedArray(t - 64, bytesOf(src[pos++] & 31, 2))
    if (rendered !== undefined) return rendered
    pos = start
  }
  // a Map (tag 259): its keys are typed on purpose, and stay so
  if (t === 259 && major === 5) {
    if (depth + 1 > MAX_RENDER_DEPTH) throw new Error('too deep')
    return `{"$tag":259,"value":${map(src[pos++] & 31, depth + 1, true)}}`
  }
  // self-described CBOR (RFC 8949 §3.4.6) is only a magic number
  if (t === 55799) return item(depth + 1)
  return `{"$tag":${String(t)},"value":${item(depth + 1)}}`
}

// --- base64url (RFC 4648 §5), without padding ---------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export function base64url(b: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2]
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63]
  }
  if (i + 1 === b.length) {
    const n = b[i] << 16
    out += B64[n >> 18] + B64[(n >> 12) & 63]
  } else if (i + 2 === b.length) {
    const n = (b[i] << 16) | (b[i + 1] << 8)
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63]
  }
  return out
}

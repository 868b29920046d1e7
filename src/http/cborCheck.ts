import type { ValueProblem } from '../core/values.ts'

const ARRAY = 0
const MAP = 1
const TAG = 2

interface Frame {
  kind: typeof ARRAY | typeof MAP | typeof TAG
  /** items this container holds (a map: keys and values), Infinity when indefinite */
  length: number
  /** items read so far */
  items: number
  /** the current map key, when it is a text string: its bytes */
  keyStart: number
  keyEnd: number
  /** a map of several entries: where its text keys so far are (start, end, ...), or them as text */
  keys?: number[]
  keySet?: Set<string>
  /** a tag's number */
  tag?: number
}

/** Text keys compared byte for byte up to this many; then as a set of strings. */
const KEYS_SCANNED = 16

const utf8 = new TextEncoder()
const EVENTS = utf8.encode('events')
const STREAMS = utf8.encode('streams')
const DATA = utf8.encode('data')
const METADATA = utf8.encode('metadata')

/** Tag 55799, self-described CBOR (RFC 8949 §3.4.6): may prefix the whole body. */
const SELF_DESCRIBED = 55799

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const looseUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start
  while (i < end && bytes[i] < 0x80) i++
  if (i === end) return true
  try {
    strictUtf8.decode(bytes.subarray(i, end))
    return true
  } catch {
    return false
  }
}

/** The longest bignum (tags 2 and 3) a body may hold, in bytes. */
export const MAX_BIGNUM_BYTES = 256

const TEXT = 'a text string'
const BYTES = 'a byte string'
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/
const BASE64URL = /^[A-Za-z0-9_-]*$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const parses = (f: () => unknown) => {
  try {
    f()
    return true
  } catch {
    return false
  }
}
/** What a text in these tags must be (RFC 8949 §3.4, IANA's registry), as decoders check it. */
const TEXT_TAGS: Record<number, [string, (t: string) => boolean]> = {
  0: ['an RFC 3339 date/time', (t) => RFC3339.test(t)],
  32: ['an absolute URI', (t) => parses(() => new URL(t))],
  33: ['base64url without padding', (t) => BASE64URL.test(t)],
  34: ['base64', (t) => BASE64.test(t)],
  35: ['a regular expression', (t) => parses(() => new RegExp(t))],
  36: ['a MIME message', () => true],
  262: ['JSON text', (t) => parses(() => JSON.parse(t))],
  1004: ['an RFC 3339 full-date', (t) => FULL_DATE.test(t)],
  21065: ['an I-Regexp', (t) => parses(() => new RegExp(`^(?:${t})$`, 'u'))],
}

/**
 * Whether a tag's content is of the kind the tag is defined for (RFC 8949 §3.4 and §5.3.2,
 * RFC 8746 typed arrays, RFC 8943 dates, IANA's registry): other decoders refuse a page
 * holding one that is not (cbor2 throws "Expected Uint8Array" for tag 2 around an integer).
 * `at` is where a string's bytes start (`arg` of them). Unknown tags may hold anything.
 */
function tagContentProblem(tag: number, major: number, info: number, arg: number, bytes: Uint8Array, at: number): string | undefined {
  const isText = major === 3
  const isBytes = major === 2
  const kind = (want: string) => `is tag ${tag} around ${major === 0 || major === 1 ? 'an integer' : major === 2 ? BYTES : major === 3 ? TEXT : major === 4 ? 'an array' : major === 5 ? 'a map' : major === 6 ? 'a tag' : 'a simple value or float'}: tag ${tag} holds ${want} (RFC 8949 §3.4)`
  const text = () => looseUtf8.decode(bytes.subarray(at, at + arg))
  if (tag in TEXT_TAGS) {
    if (!isText) return kind(TEXT)
    if (arg > bytes.length - at) return undefined // malformed: the decoder says so
    const [what, ok] = TEXT_TAGS[tag]
    return ok(text()) ? undefined : `is tag ${tag} around a text that is not ${what}`
  }
  if (tag >= 64 && tag <= 87) {
    // RFC 8746 §2: 0b010_f_s_e_ll; elements of 2^ll bytes (floats 2^(ll+1))
    const size = (tag >> 4) & 1 ? 2 << (tag & 3) : 1 << (tag & 3)
    if (!isBytes) return kind(BYTES)
    return arg % size === 0 ? undefined : `is typed array tag ${tag} around ${arg} bytes: its elements are ${size} bytes each (RFC 8746)`
  }
  switch (tag) {
    case 1:
    case 100:
      return major === 0 || major === 1 || (major === 7 && info >= 25 && info <= 27) ? undefined : kind('a number')
    case 2:
    case 3:
      // a decoder builds a bignum in time quadratic in its length (cbor-x: 2 s for 128 KiB)
      if (isBytes && arg > MAX_BIGNUM_BYTES) return `is a bignum of ${arg} bytes: at most ${MAX_BIGNUM_BYTES} (${MAX_BIGNUM_BYTES * 8} bits); send a larger number as a byte string or text`
      return isBytes ? undefined : kind(BYTES)
    case 24:
    case 273:
      return isBytes ? undefined : kind(BYTES)
    case 37:
      return isBytes && arg === 16 ? undefined : isBytes ? `is tag 37 (UUID) around ${arg} bytes: a UUID is 16` : kind('16 bytes')
    case 4:
    case 5:
      return major === 4 && arg === 2 ? undefined : kind('an array of exponent and mantissa')
    case 258:
      return major === 4 ? undefined : kind('an array')
    case 259:
      return major === 5 ? undefined : kind('a map')
    case 280:
      return (isText && arg > 0) || (major === 4 && arg === 1) ? undefined : kind('a non-empty text')
    case 21066:
      return major === 4 && (arg === 1 || arg === 2) ? undefined : kind('an array of a pattern and its flags')
  }
  return undefined
}

/**
 * The items of the arrays in tags 21066 (a regular expression: pattern, flags) and 280 (a
 * symbol: its name), which decoders build at once. `list` remembers the pattern's bytes.
 */
function tagItemProblem(tag: number, list: Frame, major: number, arg: number, bytes: Uint8Array, at: number): string | undefined {
  if (major !== 3) return `is an item of tag ${tag} that is not text`
  if (arg > bytes.length - at) return undefined
  const text = looseUtf8.decode(bytes.subarray(at, at + arg))
  if (tag === 280) return text ? undefined : 'is an empty symbol name (tag 280)'
  if (list.items === 0) {
    list.keyStart = at
    list.keyEnd = at + arg
  }
  const pattern = list.items === 0 ? text : looseUtf8.decode(bytes.subarray(list.keyStart, list.keyEnd))
  return parses(() => new RegExp(pattern, list.items === 0 ? '' : text)) ? undefined : `is not a regular expression JavaScript reads (tag 21066)`
}

/**
 * One pass over a CBOR request body (RFC 8949 §3) before cbor-x decodes it, for what the
 * decoder would let through or fail on with a 500:
 * - text strings must be valid UTF-8 (§3.1, RFC 3629; ED A0 80, an encoded surrogate, is
 *   not): cbor-x replaces bad bytes with U+FFFD, which would store other text than was sent;
 * - tags 28/29 (shareable/sharedref, IANA CBOR tags) decode to shared or cyclic objects;
 * - arrays, maps and tags nest at most `maxDepth` levels: cbor-x decodes recursively;
 * - a simple value below 32 in two bytes is not well-formed (§3.3);
 * - a map may not hold the same text key twice (§5.6): cbor-x keeps the last, and the
 *   stored bytes (kept as sent) would say otherwise to other readers.
 * Iterative; it allocates only a list of the text keys of each map of several entries. Malformed input is left to the decoder,
 * which reports it. Paths are as in validation errors (`events.0.data.k`).
 *
 * With `payloads`, it also collects each event's data and metadata item as the bytes sent,
 * by path (`events.0.data`, `streams.1.events.0.metadata`), to be stored as they are.
 */
export function cborBodyProblem(bytes: Uint8Array, maxDepth: number, payloads?: Map<string, Uint8Array>): ValueProblem | undefined {
  const stack: Frame[] = []
  const n = bytes.length
  let pos = 0
  // the data or metadata item being read (for `payloads`): where it starts, its depth, its path
  let payloadStart = -1
  let payloadDepth = -1
  let payloadPath = ''

  /** Was this text key in the map before? (Remembers it.) */
  const seenKey = (f: Frame, start: number, end: number): boolean => {
    if (f.keySet) {
      const key = looseUtf8.decode(bytes.subarray(start, end))
      return f.keySet.has(key) || (f.keySet.add(key), false)
    }
    const keys = (f.keys ??= [])
    outer: for (let j = 0; j < keys.length; j += 2) {
      if (keys[j + 1] - keys[j] !== end - start) continue
      for (let k = 0; k < end - start; k++) if (bytes[keys[j] + k] !== bytes[start + k]) continue outer
      return true
    }
    keys.push(start, end)
    if (keys.length > 2 * KEYS_SCANNED) {
      f.keySet = new Set()
      for (let j = 0; j < keys.length; j += 2) f.keySet.add(looseUtf8.decode(bytes.subarray(keys[j], keys[j + 1])))
    }
    return false
  }
  const keyIs = (f: Frame, key: Uint8Array) => {
    if (f.kind !== MAP || f.keyEnd - f.keyStart !== key.length) return false
    for (let i = 0; i < key.length; i++) if (bytes[f.keyStart + i] !== key[i]) return false
    return true
  }
  /**
   * An item starts at `at`: is it an event's data or metadata (`events.N.data`,
   * `streams.N.events.M.metadata`)? Then remember where. (No key is there twice: that is
   * refused below.)
   */
  const payloadStarts = (at: number) => {
    const depth = stack.length
    if (depth !== 3 && depth !== 5) return
    const top = stack[depth - 1]
    if (top.kind !== MAP || top.items % 2 === 0) return
    const field = keyIs(top, DATA) ? 'data' : keyIs(top, METADATA) ? 'metadata' : undefined
    if (!field || stack[depth - 2].kind !== ARRAY) return
    if (depth === 3 && keyIs(stack[0], EVENTS)) payloadPath = `events.${stack[1].items}.${field}`
    else if (depth === 5 && keyIs(stack[0], STREAMS) && stack[1].kind === ARRAY && keyIs(stack[2], EVENTS)) {
      payloadPath = `streams.${stack[1].items}.events.${stack[3].items}.${field}`
    } else return
    payloadStart = at
    payloadDepth = depth
  }

  const path = (): (string | number)[] => {
    const p: (string | number)[] = []
    for (const f of stack) {
      if (f.kind === ARRAY) p.push(f.items)
      else if (f.kind === MAP && f.items % 2 === 1) p.push(f.keyStart < 0 ? '(key)' : looseUtf8.decode(bytes.subarray(f.keyStart, f.keyEnd)))
    }
    return p
  }
  /** An item ended: count it in its container, and end the containers it completes. */
  const itemDone = (): boolean => {
    for (let top = stack[stack.length - 1]; top; top = stack[stack.length - 1]) {
      if (stack.length === payloadDepth) {
        payloads!.set(payloadPath, bytes.slice(payloadStart, pos))
        payloadDepth = -1
      }
      if (++top.items < top.length) return false
      stack.pop()
    }
    return true // the body's top-level item is complete
  }

  while (pos < n) {
    if (payloads && stack.length && bytes[pos] !== 0xff && payloadDepth === -1) payloadStarts(pos)
    const initial = bytes[pos++]
    const major = initial >> 5
    const info = initial & 31
    const top = stack[stack.length - 1]
    const atKey = top?.kind === MAP && top.items % 2 === 0
    if (initial === 0xff) {
      // "break" ends an indefinite-length array or map
      if (!top || top.length !== Infinity || top.kind === TAG || (top.kind === MAP && !atKey)) return undefined
      stack.pop()
      if (itemDone()) return undefined
      continue
    }
    if (atKey) top.keyStart = top.keyEnd = -1
    let arg = info
    if (info >= 24 && info <= 27) {
      const size = 1 << (info - 24)
      if (pos + size > n) return undefined
      arg = 0
      for (let i = 0; i < size; i++) arg = arg * 256 + bytes[pos + i]
      pos += size
    } else if (info === 31 && (major === 4 || major === 5)) arg = Infinity
    else if (info >= 24) return undefined // reserved, or an indefinite string (cbor-x refuses those)

    if (top?.kind === TAG && top.items === 0) {
      const problem = tagContentProblem(top.tag!, major, info, arg, bytes, pos)
      if (problem) return { path: path(), message: problem }
    } else if (top?.kind === ARRAY && (stack[stack.length - 2]?.tag === 21066 || stack[stack.length - 2]?.tag === 280)) {
      const problem = tagItemProblem(stack[stack.length - 2].tag!, top, major, arg, bytes, pos)
      if (problem) return { path: path(), message: problem }
    }

    if (major === 2 || major === 3) {
      if (arg > n - pos) return undefined
      if (major === 3) {
        if (!isUtf8(bytes, pos, pos + arg)) {
          return { path: path(), message: atKey ? 'has a map key that is not valid UTF-8 text' : 'is a CBOR text string that is not valid UTF-8' }
        }
        if (atKey) {
          if (top.length > 2 && seenKey(top, pos, pos + arg)) {
            return { path: path(), message: `has the key ${JSON.stringify(looseUtf8.decode(bytes.subarray(pos, pos + arg)))} twice in one map: CBOR maps have unique keys (RFC 8949 §5.6)` }
          }
          top.keyStart = pos
          top.keyEnd = pos + arg
        }
      }
      pos += arg
      if (itemDone()) return undefined
    } else if (major === 4 || major === 5 || major === 6) {
      if (major === 6 && (arg === 28 || arg === 29)) {
        return { path: path(), message: `is a CBOR shared value or reference (tag ${arg}): send the value itself where it appears` }
      }
      if (major === 6 && (arg === 0xffff || arg === 0xffffffff || (info === 27 && bytes.subarray(pos - 8, pos).every((b) => b === 0xff)))) {
        return { path: path(), message: `is tag ${info === 27 ? '18446744073709551615' : arg}, which is invalid wherever it appears (RFC 8949 §9.2)` }
      }
      if (major === 6 && payloads && payloadDepth === -1) {
        // Outside data and metadata. A decoder unwraps 55799 anywhere, so a tagged key or
        // list would be read by other rules than these checks (or the payloads found here).
        if (arg === SELF_DESCRIBED && stack.length === 0) continue // the prefix of the whole body
        return {
          path: path(),
          message: `is a CBOR tag (${arg}): outside data and metadata a body holds no tags (tag 55799, self-described CBOR, may only prefix the whole body)`,
        }
      }
      if (stack.length >= maxDepth) {
        return { path: path(), message: `nests deeper than ${maxDepth} levels of arrays, maps and tags (data and metadata may nest MAX_DEPTH levels)` }
      }
      const length = major === 4 ? arg : major === 5 ? arg * 2 : 1
      if (length === 0) {
        if (itemDone()) return undefined
      } else stack.push({ kind: major === 4 ? ARRAY : major === 5 ? MAP : TAG, length, items: 0, keyStart: -1, keyEnd: -1, tag: major === 6 ? arg : undefined })
    } else if (major === 7 && info === 24 && arg < 32) {
      return { path: path(), message: `is not well-formed CBOR: simple value ${arg} in two bytes (RFC 8949 §3.3)` }
    } else if (itemDone()) return undefined // integers, simple values, floats
  }
  return undefined
}

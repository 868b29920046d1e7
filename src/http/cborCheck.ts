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
}

/** Text keys compared byte for byte up to this many; then as a set of strings. */
const KEYS_SCANNED = 16

const utf8 = new TextEncoder()
const EVENTS = utf8.encode('events')
const STREAMS = utf8.encode('streams')
const DATA = utf8.encode('data')
const METADATA = utf8.encode('metadata')

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
    if (payloads && stack.length && bytes[pos] !== 0xff) payloadStarts(pos)
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
      if (stack.length >= maxDepth) {
        return { path: path(), message: `nests deeper than ${maxDepth} levels of arrays, maps and tags (data and metadata may nest MAX_DEPTH levels)` }
      }
      const length = major === 4 ? arg : major === 5 ? arg * 2 : 1
      if (length === 0) {
        if (itemDone()) return undefined
      } else stack.push({ kind: major === 4 ? ARRAY : major === 5 ? MAP : TAG, length, items: 0, keyStart: -1, keyEnd: -1 })
    } else if (major === 7 && info === 24 && arg < 32) {
      return { path: path(), message: `is not well-formed CBOR: simple value ${arg} in two bytes (RFC 8949 §3.3)` }
    } else if (itemDone()) return undefined // integers, simple values, floats
  }
  return undefined
}

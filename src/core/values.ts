/**
 * What every reader can read back: text that is well-formed Unicode, names without control
 * characters, and payloads of bounded depth. Checked before anything is encoded or queued.
 */

/** A problem below a checked value: the path to it (`['items', 0]`) and what is wrong. */
export interface ValueProblem {
  path: (string | number)[]
  message: string
}

// In a `u` regex a paired surrogate is one code point, so \p{Cs} matches only lone halves.
const LONE_SURROGATE = /\p{Cs}/u
// Unicode category Cc: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F).
const CONTROL = /\p{Cc}/u

const hex = (s: string, index: number) => `U+${s.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`

/**
 * Why a string is not valid Unicode text, or undefined. A lone UTF-16 surrogate (JSON
 * `"\ud800"`) has no UTF-8 form (RFC 3629 §3): stored, it would be invalid CBOR text.
 */
export function unicodeProblem(s: string): string | undefined {
  if (wellFormed(s)) return undefined
  const m = LONE_SURROGATE.exec(s)
  return m ? `is not valid Unicode: it holds a lone UTF-16 surrogate (${hex(s, m.index)} at index ${m.index})` : undefined
}

// String.prototype.isWellFormed (ES2024: Node 20, Bun, Deno, workerd) answers the common
// case without a regex scan; the regex above only locates the fault for the message.
const isWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed
const wellFormed: (s: string) => boolean = isWellFormed ? (s) => isWellFormed.call(s) : (s) => !LONE_SURROGATE.test(s)

/** The longest type or tag, in UTF-16 units. */
export const MAX_NAME_LENGTH = 200

/**
 * What is wrong with a type or tag as the HTTP schema and the store API both take them
 * (1-200 characters, then `nameProblem`), as the end of a sentence; undefined when nothing.
 */
export function nameInputProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_NAME_LENGTH) return `is a string of 1-${MAX_NAME_LENGTH} characters`
  return nameProblem(value)
}

/** As `unicodeProblem`, and names (types, tags) may not hold control characters either. */
export function nameProblem(s: string): string | undefined {
  const bad = unicodeProblem(s)
  if (bad) return bad
  const m = CONTROL.exec(s)
  return m ? `may not hold control characters (U+0000-U+001F, U+007F-U+009F): ${hex(s, m.index)} at index ${m.index}` : undefined
}

interface Frame {
  value: unknown
  /** containers around this value */
  depth: number
  key: string | number
  parent: Frame | undefined
}

const pathOf = (frame: Frame | undefined): (string | number)[] => {
  const path: (string | number)[] = []
  for (let f = frame; f?.parent; f = f.parent) path.push(f.key)
  return path.reverse()
}

/**
 * The first reason `value` (an event's data or metadata) cannot be stored, or undefined:
 * a string or object key that is not valid Unicode, or arrays and objects nested more
 * than `maxDepth` levels (`[[1]]` is 2; a cyclic value is infinitely deep). Iterative, so
 * a body of tens of thousands of levels costs a loop, not the stack.
 */
export function valueProblem(value: unknown, maxDepth: number): ValueProblem | undefined {
  // Strings are checked where they are met; containers wait on the stack (last child first).
  if (typeof value === 'string') {
    const bad = unicodeProblem(value)
    return bad ? { path: [], message: bad } : undefined
  }
  if (!isContainer(value)) return undefined
  const stack: Frame[] = [{ value, depth: 0, key: '', parent: undefined }]
  while (stack.length) {
    const frame = stack.pop()!
    const v = frame.value as object
    if (frame.depth >= maxDepth) {
      return { path: pathOf(frame), message: `nests deeper than ${maxDepth} levels of arrays and objects (MAX_DEPTH)` }
    }
    const depth = frame.depth + 1
    let problem: ValueProblem | undefined
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !problem; i++) problem = visit(v[i], i, frame, depth, stack)
    } else if (v instanceof Map || v instanceof Set) {
      for (const [k, child] of v instanceof Map ? v : [...v].entries()) {
        problem = keyProblem(k, frame, depth, stack) ?? visit(child, typeof k === 'number' ? k : String(k), frame, depth, stack)
        if (problem) break
      }
    } else {
      // a plain object's keys are strings: no entries array, no tuple per key
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue
        const bad = unicodeProblem(k)
        problem = bad ? { path: pathOf(frame), message: `has a key that ${bad}` } : visit((v as Record<string, unknown>)[k], k, frame, depth, stack)
        if (problem) break
      }
    }
    if (problem) return problem
  }
  return undefined
}

const isContainer = (v: unknown): v is object =>
  v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && !(v instanceof Date)

function visit(child: unknown, key: string | number, parent: Frame, depth: number, stack: Frame[]): ValueProblem | undefined {
  if (typeof child === 'string') {
    const bad = unicodeProblem(child)
    return bad ? { path: [...pathOf(parent), key], message: bad } : undefined
  }
  if (isContainer(child)) stack.push({ value: child, depth, key, parent })
  return undefined
}

function keyProblem(k: unknown, frame: Frame, depth: number, stack: Frame[]): ValueProblem | undefined {
  if (typeof k === 'string') {
    const bad = unicodeProblem(k)
    return bad ? { path: pathOf(frame), message: `has a key that ${bad}` } : undefined
  }
  return k !== null && typeof k === 'object' ? visit(k, '(key)', frame, depth, stack) : undefined
}

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
  const m = LONE_SURROGATE.exec(s)
  return m ? `is not valid Unicode: it holds a lone UTF-16 surrogate (${hex(s, m.index)} at index ${m.index})` : undefined
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
  const root: Frame = { value, depth: 0, key: '', parent: undefined }
  const stack: Frame[] = []
  // Strings are checked where they are met; containers wait on the stack (last child first).
  const visit = (child: unknown, key: string | number, parent: Frame | undefined, depth: number): ValueProblem | undefined => {
    if (typeof child === 'string') {
      const bad = unicodeProblem(child)
      return bad ? { path: parent ? [...pathOf(parent), key] : [], message: bad } : undefined
    }
    if (child !== null && typeof child === 'object' && !ArrayBuffer.isView(child) && !(child instanceof ArrayBuffer) && !(child instanceof Date)) {
      stack.push(parent ? { value: child, depth, key, parent } : root)
    }
    return undefined
  }
  let problem = visit(value, '', undefined, 0)
  while (!problem && stack.length) {
    const frame = stack.pop()!
    const v = frame.value as object
    if (frame.depth >= maxDepth) {
      return { path: pathOf(frame), message: `nests deeper than ${maxDepth} levels of arrays and objects (MAX_DEPTH)` }
    }
    const depth = frame.depth + 1
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !problem; i++) problem = visit(v[i], i, frame, depth)
      continue
    }
    const entries: Iterable<[unknown, unknown]> = v instanceof Map ? v : v instanceof Set ? [...v].entries() : Object.entries(v)
    for (const [k, child] of entries) {
      if (typeof k === 'string') {
        const bad = unicodeProblem(k)
        if (bad) return { path: pathOf(frame), message: `has a key that ${bad}` }
      } else if (k !== null && typeof k === 'object') problem ??= visit(k, '(key)', frame, depth)
      problem ??= visit(child, typeof k === 'number' ? k : String(k), frame, depth)
      if (problem) break
    }
  }
  return problem
}

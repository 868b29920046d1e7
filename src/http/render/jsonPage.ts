import type { StoredEvent } from '../../core/types.ts'

const utf8 = new TextEncoder()
const CHUNK = 64 * 1024
// Room kept for `],"next":…}` and the other fields after the events.
const TAIL_ROOM = 512

/** Rendered eagerly up to this many UTF-16 units; a page that is all in by then is sent as one body. */
const EAGER_CHARS = 64 * 1024

/**
 * Rendering time after which a page stream lets the event loop run before rendering more.
 * Node's adapter pulls again from a promise callback while the socket takes the bytes, so
 * without this a 4 MiB page renders in one go, and 4 such pages held /health for ~0.5 s.
 */
const SLICE_MS = 4
const nextTurn: (resume: () => void) => void = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => setTimeout(f, 0))

/**
 * A JSON page `{"events":[…], ...fields}`: a small page (the usual one: a read of the last
 * event, a 100-event page) as one string, rendered at once; a larger one as a byte stream
 * (jsonPageStream), carrying on from what was rendered. A string body costs Node's adapter
 * (and Bun's and Deno's) far less than a ReadableStream: the last event of a stream went
 * from 0.31 to 0.73 of a head read measured in the same run (npm run bench:http, Node).
 * A UTF-16 unit is at most 3 UTF-8 bytes, so a page whose string is within a third of the
 * budget is within the budget without counting bytes.
 */
export function jsonPage(
  events: StoredEvent[],
  render: (e: StoredEvent) => string,
  fields: (shown: StoredEvent[]) => Record<string, unknown>,
  maxBytes: number,
  /** `prefix + render(e)` as UTF-8, in parts, for the streamed part (default: TextEncoder of it) */
  renderBytes?: (e: StoredEvent, prefix: string) => Uint8Array[],
): string | ReadableStream<Uint8Array> {
  const budget = Math.max(0, maxBytes - TAIL_ROOM)
  const rendered: string[] = []
  let chars = 0
  while (rendered.length < events.length && chars < EAGER_CHARS) {
    const text = render(events[rendered.length])
    rendered.push(text)
    chars += text.length + 1
  }
  if (rendered.length === events.length && chars * 3 <= budget) {
    const tail = JSON.stringify(fields(events))
    return `{"events":[${rendered.join(',')}${tail === '{}' ? ']}' : `],${tail.slice(1)}`}`
  }
  return jsonPageStream(events, render, fields, maxBytes, rendered, renderBytes)
}

/**
 * A JSON page `{"events":[…], ...fields}` as a byte stream, rendered an event at a time as
 * the runtime pulls (so a slow client holds back rendering instead of a page of strings
 * piling up). Stops before the bytes pass `maxBytes` (always one event); `fields` is called
 * with the events that made it, so `next` names the first one left out. Fields come after
 * the events because only then is it known where the page stopped (JSON objects are
 * unordered, RFC 8259 §4).
 */
export function jsonPageStream(
  events: StoredEvent[],
  render: (e: StoredEvent) => string,
  fields: (shown: StoredEvent[]) => Record<string, unknown>,
  maxBytes: number,
  /** the first events, already rendered (jsonPage) */
  rendered: string[] = [],
  renderBytes: (e: StoredEvent, prefix: string) => Uint8Array[] = (e, prefix) => [utf8.encode(prefix + render(e))],
): ReadableStream<Uint8Array> {
  const budget = Math.max(0, maxBytes - TAIL_ROOM)
  let i = 0
  let bytes = 0
  let done = false
  let sliceStart = performance.now()
  const pull = (controller: ReadableStreamDefaultController<Uint8Array>): void | Promise<void> => {
    if (done) return
    if (performance.now() - sliceStart >= SLICE_MS) {
      return new Promise<void>((resume) =>
        nextTurn(() => {
          sliceStart = performance.now()
          resume()
        }),
      ).then(() => pull(controller))
    }
    const chunk = new Uint8Array(CHUNK)
    let at = 0
    const put = (b: Uint8Array) => {
      if (at + b.length > CHUNK) {
        if (at) controller.enqueue(chunk.slice(0, at))
        at = 0
        if (b.length > CHUNK) return controller.enqueue(b)
      }
      chunk.set(b, at)
      at += b.length
    }
    if (i === 0) put(utf8.encode('{"events":['))
    // One chunk's worth per pull: backpressure decides when the next is rendered.
    let full = false
    while (i < events.length && at < CHUNK / 2) {
      const parts = i < rendered.length ? [utf8.encode((i ? ',' : '') + rendered[i])] : renderBytes(events[i], i ? ',' : '')
      let size = 0
      for (const b of parts) size += b.length
      if (i > 0 && bytes + size > budget) {
        full = true
        break
      }
      bytes += size
      for (const b of parts) put(b)
      i++
    }
    if (full || i === events.length) {
      const tail = JSON.stringify(fields(i === events.length ? events : events.slice(0, i)))
      put(utf8.encode(tail === '{}' ? ']}' : `],${tail.slice(1)}`))
      done = true
    }
    if (at) controller.enqueue(chunk.slice(0, at))
    if (done) controller.close()
  }
  return new ReadableStream<Uint8Array>({ pull }, { highWaterMark: 0 })
}

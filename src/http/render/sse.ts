import type { Codec, StoredEvent } from '../../core/types.ts'
import { eventJson } from './events.ts'

/**
 * A response body for an event stream: one ReadableStream that hands over a chunk only
 * when the runtime asks for one (highWaterMark 0), so a write resolves once the chunk was
 * taken, and a slow client slows its writer instead of growing a buffer.
 *
 * Hono's streamSSE stacks three streams (a TransformStream and a ReadableStream that
 * re-reads it), a TextEncoder and several promises per chunk for every subscriber; at a
 * thousand subscribers that was most of an idle subscriber's memory and of a live one's CPU.
 * Chunks may be shared: the same bytes are written to every subscriber (never modified).
 *
 * @example
 *   const body = sseBody({ abort: () => stop() })   // told once if the client goes away
 *   await body.write(bytes)   // false: the client went away
 *   return new Response(body.readable, { headers: { 'content-type': 'text/event-stream' } })
 */
export interface SseBody {
  readonly readable: ReadableStream<Uint8Array>
  /** true once the runtime took the chunk; false when the stream is closed or gone */
  write(chunk: Uint8Array): Promise<boolean>
  /** the end of the stream (after the last write) */
  close(): void
  /** cuts the stream: the runtime drops the connection */
  abort(): void
  /** the client went away or abort() was called */
  readonly aborted: boolean
}

/**
 * A runtime's own response, for an event stream written to it directly instead of through
 * a web stream (Node's `http.ServerResponse`: see writeEventStream).
 */
export interface DirectSink {
  writeHead(status: number, headers: Record<string, string>): unknown
  /** false: buffered above the high-water mark, wait for 'drain' */
  write(chunk: Uint8Array): boolean
  end(): unknown
  destroy(): unknown
  once(event: 'drain', listener: () => void): unknown
  on(event: 'close' | 'error', listener: () => void): unknown
}

/** Resolved once: a write the runtime took at once (shared: no promise per write). */
const TAKEN = Promise.resolve(true)
/** The body of each event stream, by its readable (writeEventStream) and by its sink (the sink's events). */
const byReadable = new WeakMap<ReadableStream<Uint8Array>, PullBody>()
const bySink = new WeakMap<DirectSink, PullBody>()
// Listeners shared by every sink (`this` is the sink): no closures per subscriber.
function onSinkDrain(this: DirectSink) {
  bySink.get(this)?.drained()
}
function onSinkGone(this: DirectSink) {
  bySink.get(this)?.clientGone()
}

/** Told once when the client goes away (the runtime cancels the body). */
export interface OnCancel {
  abort(): void
}

// A class, not closures: a thousand idle subscribers each hold one of these, and per-instance
// closures cost their own memory (more under tsx, whose keepNames gives each a property store).
class PullBody implements SseBody {
  readonly readable: ReadableStream<Uint8Array>
  private controller!: ReadableStreamDefaultController<Uint8Array>
  private pendingChunk: Uint8Array | undefined
  private pendingResolve: ((taken: boolean) => void) | undefined
  // The runtime asked for a chunk and got none yet: the next write goes straight to it.
  private wanted = false
  private done = false
  private cut = false
  private readonly owner: OnCancel | undefined
  // writeEventStream: chunks go to the runtime's response itself, not through `readable`
  private sink: DirectSink | undefined

  constructor(owner?: OnCancel) {
    this.owner = owner
    this.readable = new ReadableStream<Uint8Array>(this, { highWaterMark: 0 })
    byReadable.set(this.readable, this)
  }

  // the underlying source (ReadableStream calls these with `this` = the source)
  start(c: ReadableStreamDefaultController<Uint8Array>) {
    this.controller = c
  }
  pull() {
    const resolve = this.pendingResolve
    if (!resolve) return void (this.wanted = true)
    this.controller.enqueue(this.pendingChunk!)
    this.pendingChunk = this.pendingResolve = undefined
    resolve(true)
  }
  cancel() {
    this.gone()
    if (this.cut) return
    this.cut = true
    this.owner?.abort()
  }
  private gone() {
    this.done = true
    const resolve = this.pendingResolve
    this.pendingChunk = this.pendingResolve = undefined
    resolve?.(false)
  }

  /** From now on chunks go to `sink` (the head is written already); a write waiting for a pull goes first. */
  attach(sink: DirectSink) {
    this.sink = sink
    bySink.set(sink, this)
    sink.on('close', onSinkGone) // the client went away (also after our end: then done already)
    sink.on('error', onSinkGone)
    if (this.done) return void (this.cut ? sink.destroy() : sink.end())
    const chunk = this.pendingChunk
    const resolve = this.pendingResolve
    this.pendingChunk = this.pendingResolve = undefined
    if (resolve) void this.write(chunk!).then(resolve)
  }
  /** The sink closed or failed: as a cancel of `readable`, unless the stream had ended already. */
  clientGone() {
    if (!this.done) this.cancel()
  }
  /** The sink took what it had buffered: the write that waited for it is taken. */
  drained() {
    const resolve = this.pendingResolve
    this.pendingResolve = undefined
    resolve?.(true)
  }

  write(chunk: Uint8Array): Promise<boolean> {
    if (this.done) return Promise.resolve(false)
    if (this.sink) {
      if (this.sink.write(chunk)) return TAKEN
      this.sink.once('drain', onSinkDrain)
      return new Promise<boolean>((resolve) => (this.pendingResolve = resolve))
    }
    if (this.wanted) {
      this.wanted = false
      this.controller.enqueue(chunk)
      return TAKEN
    }
    return new Promise<boolean>((resolve) => {
      this.pendingChunk = chunk
      this.pendingResolve = resolve
    })
  }
  close() {
    if (this.done) return
    this.gone()
    if (this.sink) this.sink.end()
    else this.controller.close()
  }
  abort() {
    this.cut = true
    if (this.done) return
    this.gone()
    if (this.sink) this.sink.destroy()
    else this.controller.error(new Error('event stream cut'))
  }
  get aborted() {
    return this.cut
  }
}

export function sseBody(owner?: OnCancel): SseBody {
  return new PullBody(owner)
}

/**
 * When `response` is an event stream of sseBody, writes its status and headers (as every
 * middleware left them) to `sink` and hands it the stream's chunks from now on, and returns
 * true; otherwise false. On Node a chunk then costs one `write` on the response instead of
 * a web stream read, the adapter's reader loop and its promises: about a third of the CPU
 * of a delivery to a live subscriber (docs/subscriptions.md).
 */
export function writeEventStream(response: Response, sink: DirectSink): boolean {
  const body = response.body ? byReadable.get(response.body) : undefined
  if (!body) return false
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => (headers[name] = value))
  sink.writeHead(response.status, headers)
  body.attach(sink)
  return true
}

/**
 * One SSE message per event: id = global position, data = the event as pages render it
 * (eventJson). No `event:` line: every event dispatches as "message", so EventSource's
 * onmessage sees them all and no user type (`error`, `open`, `message`) collides with
 * EventSource's own events.
 */
export const sseMessage = (e: StoredEvent, codec: Codec) => `id: ${e.position}\ndata: ${eventJson(e, codec)}\n\n`

const utf8 = new TextEncoder()
export const HEARTBEAT = utf8.encode(': heartbeat\n\n')

/** The messages of `events` as one chunk: the one message's own bytes, or a copy of them all. */
export function joined(events: StoredEvent[], i: number, k: number, bytesOf: (e: StoredEvent) => Uint8Array): Uint8Array {
  if (k - i === 1) return bytesOf(events[i])
  let length = 0
  for (let j = i; j < k; j++) length += bytesOf(events[j]).length
  const out = new Uint8Array(length)
  for (let j = i, at = 0; j < k; j++) {
    const b = bytesOf(events[j])
    out.set(b, at)
    at += b.length
  }
  return out
}

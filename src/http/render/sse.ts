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

  constructor(owner?: OnCancel) {
    this.owner = owner
    this.readable = new ReadableStream<Uint8Array>(this, { highWaterMark: 0 })
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

  write(chunk: Uint8Array): Promise<boolean> {
    if (this.done) return Promise.resolve(false)
    if (this.wanted) {
      this.wanted = false
      this.controller.enqueue(chunk)
      return Promise.resolve(true)
    }
    return new Promise<boolean>((resolve) => {
      this.pendingChunk = chunk
      this.pendingResolve = resolve
    })
  }
  close() {
    if (this.done) return
    this.gone()
    this.controller.close()
  }
  abort() {
    this.cut = true
    if (this.done) return
    this.gone()
    this.controller.error(new Error('event stream cut'))
  }
  get aborted() {
    return this.cut
  }
}

export function sseBody(owner?: OnCancel): SseBody {
  return new PullBody(owner)
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

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { checkpointsNotSupported, EdgelogError, forbidden } from '../../core/errors.ts'
import { resumeFrom, type ConsumerOptions } from '../../core/checkpoints.ts'
import type { StopSignal, SubscriptionFilter } from '../../core/subscription.ts'
import type { StoredEvent } from '../../core/types.ts'
import type { AppDeps } from '../deps.ts'
import { problemBody, toEdgelogError } from '../problem.ts'
import type { Env } from '../media.ts'
import { HEARTBEAT, joined, sseBody, sseMessage, type SseBody } from '../render/sse.ts'
import { END_COMMENT } from '../../client/types.ts'
import * as S from '../schemas.ts'
import { problems, V1 } from '../openapi.ts'
import { openapiRoute } from '../route.ts'

const utf8 = new TextEncoder()
/** The last line of a stream that ended as asked (live=false, max): a comment, which EventSource ignores. */
export const END = `: ${END_COMMENT}\n\n`

export const DEFAULT_HEARTBEAT_MS = 15_000
export const DEFAULT_STALL_TIMEOUT_MS = 60_000

const SubscribeQuery = (maxPage: number) =>
  z
    .object({
      from: S.Cursor('from').optional().openapi({ description: 'first position to deliver (inclusive); default 0, the start' }),
      consumer: S.ConsumerName.optional().openapi({ description: "start after this consumer's checkpoint (when it has one)" }),
      stream: S.StreamName.optional(),
      category: S.CategoryName.optional(),
      member: S.GroupMember.optional(),
      size: S.GroupSize.optional(),
      types: S.csvTerms('types').optional().openapi({ description: 'comma-separated event types (at most 32)' }),
      tags: S.csvTerms('tags').optional().openapi({ description: 'comma-separated tags, at most 32; an event must carry all' }),
      limit: S.pageLimit(maxPage).optional().openapi({ description: 'events per read (the most held in memory for this subscriber)' }),
      checkpointEvery: S.positiveInt('checkpointEvery').optional().openapi({ description: "save the consumer's checkpoint every N delivered events" }),
      checkpointMs: S.positiveInt('checkpointMs').optional().openapi({ description: "save the consumer's checkpoint at most this many ms after a delivery" }),
      max: S.positiveInt('max').optional().openapi({ description: 'end the stream after this many events (for clients that read a response whole, such as k6)' }),
      live: z.enum(['true', 'false'], { error: 'live is true or false' }).optional().openapi({ description: 'false: end the stream once caught up instead of waiting for new events' }),
    })
    .refine((q) => q.stream === undefined || q.category === undefined, { message: 'filter by stream or by category, not both', path: ['stream'] })
    .superRefine(S.groupChecks(true))
    .refine((q) => q.consumer !== undefined || (q.checkpointEvery === undefined && q.checkpointMs === undefined), {
      message: 'checkpointEvery / checkpointMs save a named consumer: add consumer',
      path: ['consumer'],
    })

/**
 * `GET /v1/subscribe`: Server-Sent Events. Catch up from a position, then live.
 * Backpressure is the transport's: each write waits until the runtime has taken the bytes,
 * so a slow client slows its own reads and never grows a buffer here.
 */
export function registerSubscribeRoute(app: OpenAPIHono<Env>, deps: AppDeps) {
  const { log } = deps
  const { codec, limits, subscriptions: subs } = log
  const heartbeatMs = deps.sse?.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const stallTimeoutMs = deps.sse?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS
  // Live subscribers get the same event objects from the shared tail: render and encode
  // each once, and write the same bytes to every subscriber.
  const messages = new WeakMap<StoredEvent, Uint8Array>()
  const rendered = (e: StoredEvent) => {
    let m = messages.get(e)
    if (m === undefined) messages.set(e, (m = utf8.encode(sseMessage(e, codec))))
    return m
  }
  // A batch's messages go out as one chunk. Subscribers handed out in the same turn often
  // hold the very same events (a live subscriber of a category is often handed the shared
  // tail's own page, the same array for all of them): the last chunk is reused for them
  // (chunks and batches are never modified) instead of a copy per subscriber.
  // null: more than one write's worth (MAX_PAGE_BYTES), written in parts below.
  let last: { batch: StoredEvent[]; bytes: Uint8Array } | undefined
  const same = (a: StoredEvent[], b: StoredEvent[]) => {
    if (a === b) return true
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  const whole = (batch: StoredEvent[]): Uint8Array | null => {
    if (batch.length === 1) return rendered(batch[0])
    if (last && same(last.batch, batch)) return last.bytes
    let length = 0
    for (const e of batch) length += rendered(e).length
    if (length > limits.maxPageBytes) return null
    const bytes = joined(batch, 0, batch.length, rendered)
    last = { batch, bytes }
    return bytes
  }

  // The open subscriptions, for shutdown: one listener for all of them.
  const open = new Set<Subscriber>()
  subs.onClose(() => {
    for (const sub of open) sub.cutIn(1000)
  })

  // openapiRoute: one synchronous check of the named parts; zod-openapi's validator chain
  // copies every request header into a Headers object, which lives as long as the stream.
  openapiRoute(
    app,
    createRoute({
      method: 'get',
      path: '/v1/subscribe',
      operationId: 'subscribe',
      summary: 'Subscribe (Server-Sent Events)',
      description:
        'Catches up from a position (or after a consumer checkpoint, or after Last-Event-ID), then stays live. Each message: `id:` the position and `data:` the event as JSON, with no `event:` line (every event is a plain "message": the `onmessage` of an EventSource sees them all; the type is in the data). Heartbeat comments every 15 s.',
      request: {
        query: SubscribeQuery(limits.maxPageSize),
        headers: z.object({ 'last-event-id': S.LastEventId.openapi({ description: 'resume after this position (the id: of the last event received)', example: '42' }) }),
      },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problems(400, 403, 501, 503, ...V1),
      },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const lastEventId = c.req.valid('header')['last-event-id']
      const consumers = log.consumers
      const every = q.checkpointEvery
      const everyMs = q.checkpointMs
      if (q.consumer !== undefined && !consumers) throw checkpointsNotSupported()
      // Saving a checkpoint is a write, as PUT /v1/consumers/:name is.
      if ((every || everyMs) && c.get('role') === 'ro') {
        throw forbidden('checkpointEvery / checkpointMs save a checkpoint; use a read-write token (or save it yourself with one).')
      }
      // Last-Event-ID (a reconnect) wins over the consumer's checkpoint.
      const from =
        lastEventId !== undefined ? lastEventId + 1 : q.consumer !== undefined ? await resumeFrom(consumers!, q.consumer, q.from ?? 0) : (q.from ?? 0)
      const filter: SubscriptionFilter = { stream: q.stream, category: q.category, member: q.member, size: q.size, types: q.types, tags: q.tags }
      const consumer: ConsumerOptions | undefined = q.consumer !== undefined ? { store: consumers!, name: q.consumer, resume: false, every, everyMs } : undefined

      // A 503 problem before any byte of the stream when MAX_SUBSCRIPTIONS are open.
      const slot = subs.acquire()
      const sub = new Subscriber(stallTimeoutMs, subs)
      const { stream } = sub
      // The writer below outlives this handler: it keeps what an error message needs, not
      // the request's Context (with its response and headers) or the parsed query.
      const requestId = c.get('requestId')
      const path = c.req.path
      const options = { from, filter, pageSize: q.limit, idleMs: heartbeatMs, signal: sub, untilCaughtUp: q.live === 'false', max: q.max, consumer }
      void (async () => {
        // Shutdown: the subscription ends after its current page; a client that is not
        // reading at all gets a second to take it before the stream is cut.
        if (subs.closed) sub.cutIn(1000)
        else open.add(sub)

        try {
          // A first comment sends the headers at once, so the client knows it is subscribed.
          if (!(await sub.write(`: edgelog subscription from position ${from}\n\n`))) return
          // The subscription saves the consumer's checkpoint once a batch is written: never
          // ahead of what was handed to the connection.
          const batches = subs.subscribe(options)
          for await (const batch of batches) {
            if (!batch.length) {
              if (!(await sub.write(HEARTBEAT))) return
              continue
            }
            const all = whole(batch)
            if (all) {
              if (!(await sub.write(all))) return
              continue
            }
            // One write per MAX_PAGE_BYTES of messages at most (payloads render larger as JSON).
            for (let i = 0; i < batch.length; ) {
              let bytes = 0
              let k = i
              while (k < batch.length && (k === i || bytes < limits.maxPageBytes)) bytes += rendered(batch[k++]).length
              if (!(await sub.write(joined(batch, i, k, rendered)))) return
              i = k
            }
          }
          if (subs.closed) await sub.write(': server shutting down; reconnect with Last-Event-ID\nretry: 1000\n\n')
          // The planned end (live=false caught up, or max events): said, so a client can tell
          // it from a server that went away mid-stream (then it reconnects with Last-Event-ID).
          else if (!sub.aborted) await sub.write(END)
        } catch (err) {
          // The cause goes to the log; the client gets a problem document as HTTP errors
          // carry it (RFC 9457 §5: no internals), then reconnects with Last-Event-ID.
          const errorContext = { req: { path }, get: () => requestId } as unknown as Context<Env>
          const problem = problemBody(errorContext, toEdgelogError(err, errorContext))
          const cause = (err as { cause?: unknown })?.cause ?? err
          if (problem.status >= 500) deps.logger?.({ level: 'error', msg: 'subscription failed', requestId, error: String((cause as Error)?.stack ?? cause) })
          await stream.write(utf8.encode(`event: error\ndata: ${JSON.stringify({ ...problem, requestId })}\n\n`))
        } finally {
          slot.release()
          open.delete(sub)
          sub.cutIn(undefined)
          sub.unwatch()
          stream.close()
        }
      })()
      return c.body(stream.readable, 200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        // An event stream never shares its connection: when it ends (shutdown), the runtime
        // closes the socket instead of keeping it idle, so Node's server.close need not wait
        // out the keep-alive timeout (RFC 9112 §9.6).
        Connection: 'close',
      })
    },
  )
}

/**
 * One subscriber's connection: its event stream, and its StopSignal (the client went away,
 * it stalled, or the server shuts down). One object with its methods on the prototype, and
 * timers that take it as their argument, instead of an AbortController and a closure per
 * callback: a thousand idle subscribers each hold one.
 */
class Subscriber implements StopSignal {
  aborted = false
  readonly stream: SseBody = sseBody(this)
  // the subscription's listener; any more in a list (there is one)
  private listener: (() => void) | undefined
  private more: Array<() => void> | undefined
  private cut: ReturnType<typeof setTimeout> | undefined
  // when the write in flight began (0: none), and the stall check: armed by a write, not
  // held by an idle subscriber (nothing to check while nothing is being written)
  private writingSince = 0
  private watchdog: ReturnType<typeof setTimeout> | undefined
  private readonly stallTimeoutMs: number
  private readonly subs: { note(kind: 'stalled'): void }

  constructor(stallTimeoutMs: number, subs: { note(kind: 'stalled'): void }) {
    this.stallTimeoutMs = stallTimeoutMs
    this.subs = subs
  }

  addEventListener(_type: 'abort', listener: () => void) {
    if (this.listener === undefined) this.listener = listener
    else (this.more ??= []).push(listener)
  }
  removeEventListener(_type: 'abort', listener: () => void) {
    if (this.listener === listener) this.listener = undefined
    else if (this.more?.includes(listener)) this.more.splice(this.more.indexOf(listener), 1)
  }
  /** Ends the subscription (every runtime cancels the body when the client goes away). */
  abort() {
    if (this.aborted) return
    this.aborted = true
    const first = this.listener
    const more = this.more
    this.listener = this.more = undefined
    first?.()
    for (const l of more ?? []) l()
  }
  /** Ends the subscription and drops the connection. */
  cutNow() {
    this.abort()
    this.stream.abort()
  }
  /** Cuts the stream in `ms` (undefined: not any more). */
  cutIn(ms: number | undefined) {
    clearTimeout(this.cut)
    this.cut = ms === undefined ? undefined : setTimeout(cutNow, ms, this)
  }
  /** Writes `chunk`; false when the client is gone or the subscription ended. */
  async write(chunk: Uint8Array | string) {
    this.writingSince = Date.now()
    if (this.watchdog === undefined) this.watchdog = setTimeout(checkStall, this.stallTimeoutMs, this)
    const taken = await this.stream.write(typeof chunk === 'string' ? utf8.encode(chunk) : chunk)
    this.writingSince = 0
    return taken && !this.aborted && !this.stream.aborted
  }
  /**
   * The stall check: a client that has taken nothing for stallTimeoutMs is cut (it resumes
   * with Last-Event-ID); one still within it is checked again when its time is up.
   */
  checkStall() {
    this.watchdog = undefined
    if (!this.writingSince) return
    const left = this.writingSince + this.stallTimeoutMs - Date.now()
    if (left > 0) {
      this.watchdog = setTimeout(checkStall, left, this)
      return
    }
    this.subs.note('stalled')
    this.cutNow()
  }
  /** The end: no more stall checks. */
  unwatch() {
    clearTimeout(this.watchdog)
    this.watchdog = undefined
  }
}

const cutNow = (sub: Subscriber) => sub.cutNow()
const checkStall = (sub: Subscriber) => sub.checkStall()

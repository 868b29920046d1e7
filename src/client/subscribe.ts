import { createParser } from 'eventsource-parser'
import { EdgelogProblem, problemFrom } from './errors.ts'
import { END_COMMENT, type RecordedEvent } from './types.ts'

export interface SubscribeOptions {
  /** first position to deliver (inclusive); default 0 */
  from?: number
  /** resume after this position (what `Last-Event-ID` says); wins over `from` and `consumer` */
  lastEventId?: number
  /** start after this consumer's checkpoint (when it has one) */
  consumer?: string
  /** with `consumer`: the server saves the checkpoint every N delivered events / at most T ms after one */
  checkpointEvery?: number
  checkpointMs?: number
  stream?: string
  category?: string
  /** consumer group: this member of `size` members of the category */
  member?: number
  size?: number
  types?: string[]
  tags?: string[]
  /** events per server read */
  limit?: number
  /** false: end once caught up */
  live?: boolean
  /** end after this many events */
  max?: number
  /** no byte (event or heartbeat) for this long: the connection is dead, reconnect. Default 45 s (3 server heartbeats) */
  heartbeatTimeoutMs?: number
  /** reconnect after a dropped connection (default true), waiting `retryMs` (default 1 s, or the server's `retry:`), doubling up to 30 s */
  reconnect?: boolean
  retryMs?: number
  signal?: AbortSignal
  /** called before each reconnect */
  onReconnect?: (info: { attempt: number; lastEventId: number | undefined; error: unknown }) => void
}

export interface Subscription<D = unknown> extends AsyncIterable<RecordedEvent<D>> {
  /** the position of the last event delivered */
  readonly lastEventId: number | undefined
  /** ends the subscription (the iteration finishes) */
  close(): void
}

type Request = (path: string, init: RequestInit) => Promise<Response>

const MAX_RETRY_MS = 30_000
const RETRYABLE = new Set([408, 429])

class HeartbeatTimeout extends Error {}

function query(o: SubscribeOptions): string {
  const q = new URLSearchParams()
  const set = (k: string, v: unknown) => v !== undefined && q.set(k, Array.isArray(v) ? terms(k, v) : String(v))
  set('from', o.from)
  set('consumer', o.consumer)
  set('checkpointEvery', o.checkpointEvery)
  set('checkpointMs', o.checkpointMs)
  set('stream', o.stream)
  set('category', o.category)
  set('member', o.member)
  set('size', o.size)
  set('types', o.types)
  set('tags', o.tags)
  set('limit', o.limit)
  set('live', o.live === false ? 'false' : undefined)
  set('max', o.max)
  const text = q.toString()
  return text ? `?${text}` : ''
}

/**
 * A list of types or tags as the GET routes take it: joined by commas, so a term holding a
 * comma cannot be said there (it would filter on two other terms): a query item of
 * `POST /v1/query` can.
 */
export function terms(name: string, values: unknown[]): string {
  for (const v of values) {
    if (String(v).includes(',')) throw new TypeError(`${name}: '${v}' holds a comma, which ${name}= of a GET cannot carry (it separates terms); use query() / queryAll() (POST /v1/query) for it`)
  }
  return values.join(',')
}

/** `ms`, or less when `signal` aborts; leaves no listener behind. */
const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })

/**
 * GET /v1/subscribe over fetch: Server-Sent Events parsed by eventsource-parser, so it
 * works where EventSource does not (Node, Workers) and can send Authorization. Reconnects
 * with Last-Event-ID after a drop or a missed heartbeat: no gap, no duplicate.
 */
export function subscribe<D>(request: Request, options: SubscribeOptions = {}): Subscription<D> {
  const closer = new AbortController()
  const close = () => closer.abort()
  // the caller's signal is listened to only while the subscription runs (events() removes it)
  if (options.signal) options.signal.aborted ? closer.abort() : options.signal.addEventListener('abort', close, { once: true })
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 45_000
  let lastEventId = options.lastEventId
  // with `max`: what is left to deliver (a reconnect asks the server for that many only)
  let left = options.max

  async function* events(): AsyncGenerator<RecordedEvent<D>> {
    try {
      yield* connections()
    } finally {
      options.signal?.removeEventListener('abort', close)
    }
  }

  async function* connections(): AsyncGenerator<RecordedEvent<D>> {
    // options no server can take (a comma in a type or tag) are thrown, not retried
    query(options)
    let retryMs = options.retryMs ?? 1000
    // a 503's Retry-After (too many subscriptions): the next attempt waits at least that
    let retryAfterMs = 0
    for (let attempt = 0; !closer.signal.aborted; attempt++) {
      const connection = new AbortController()
      let reader: ReadableStreamDefaultReader<string> | undefined
      // Aborting the fetch ends a body fetch gave; cancelling the reader ends any body.
      const cut = (reason?: unknown) => {
        connection.abort(reason)
        reader?.cancel().catch(() => {})
      }
      const onClose = () => cut()
      closer.signal.addEventListener('abort', onClose, { once: true })
      let timer: ReturnType<typeof setTimeout> | undefined
      const arm = () => {
        clearTimeout(timer)
        timer = setTimeout(() => cut(new HeartbeatTimeout(`no event or heartbeat for ${heartbeatTimeoutMs} ms`)), heartbeatTimeoutMs)
      }
      let error: unknown
      retryAfterMs = 0
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' }
        if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId)
        arm()
        const res = await request(`/v1/subscribe${query({ ...options, max: left })}`, { headers, signal: connection.signal })
        if (!res.ok) throw await problemFrom(res)
        const queue: RecordedEvent<D>[] = []
        let failure: string | undefined
        // the server's comment for a stream that ended as asked (live=false, max)
        let ended = false
        const parser = createParser({
          onComment: (comment) => {
            if (comment.trim() === END_COMMENT) ended = true
          },
          onEvent: (m) => {
            // Events are plain messages; the one named event is the server's failure notice.
            if (m.event && m.event !== 'message') {
              if (m.event === 'error') failure = m.data
              return
            }
            queue.push(JSON.parse(m.data))
          },
          onRetry: (ms) => (retryMs = ms),
        })
        reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
        try {
          for (;;) {
            const { done, value } = await reader.read()
            if (done) break
            arm()
            parser.feed(value)
            while (queue.length) {
              // closed (close(), the caller's signal) while events of a chunk wait: none more
              if (closer.signal.aborted) return
              const event = queue.shift()!
              lastEventId = event.position
              if (left !== undefined) left--
              // the consumer's time with an event is not the server's silence
              clearTimeout(timer)
              yield event
              if (closer.signal.aborted) return
              if (left === 0) {
                // The server ends the stream right after the last event asked for, once it
                // has saved a consumer's checkpoint (checkpointEvery): the loop ends with
                // that end, so the checkpoint reads back (a few seconds at most).
                const bound = setTimeout(() => reader?.cancel().catch(() => {}), 5_000)
                try {
                  while (!ended && !closer.signal.aborted) {
                    const next = await reader.read()
                    if (next.done) break
                    parser.feed(next.value)
                  }
                } catch {
                  // cut: the events asked for were delivered all the same
                } finally {
                  clearTimeout(bound)
                }
                return
              }
              arm()
            }
            attempt = 0
          }
        } finally {
          reader.cancel().catch(() => {})
        }
        if (closer.signal.aborted) return
        if (connection.signal.aborted) throw connection.signal.reason
        // The planned end (live=false, max), as the server says: done. Otherwise the server
        // failed or went away (a restart) before it: reconnect after the last event delivered.
        if (ended && !failure) return
        error = new Error(failure ? `subscription failed on the server: ${failure}` : 'the server ended the stream')
      } catch (e) {
        if (closer.signal.aborted) return
        // A 4xx will fail the same way again: throw it. 5xx (503: too many subscriptions) and network errors: reconnect.
        if (e instanceof EdgelogProblem && e.status < 500 && !RETRYABLE.has(e.status)) throw e
        retryAfterMs = e instanceof EdgelogProblem && e.retryAfter !== undefined ? e.retryAfter * 1000 : 0
        error = connection.signal.reason instanceof HeartbeatTimeout ? connection.signal.reason : e
      } finally {
        clearTimeout(timer)
        closer.signal.removeEventListener('abort', onClose)
        connection.abort()
      }
      if (options.reconnect === false) throw error
      options.onReconnect?.({ attempt: attempt + 1, lastEventId, error })
      await wait(Math.max(retryAfterMs, Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(attempt, 5))), closer.signal)
    }
  }

  const iterable = events()
  return {
    get lastEventId() {
      return lastEventId
    },
    close,
    [Symbol.asyncIterator]: () => iterable,
  }
}

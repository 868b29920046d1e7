/**
 * edgelog/client: a typed client for the edgelog HTTP API on Web APIs only (fetch, streams,
 * TextDecoderStream, AbortController), so the same code runs in browsers, Node, Bun, Deno
 * and Workers.
 *
 * @example
 *   const log = createClient({ baseUrl: 'http://localhost:3000' })
 *   await log.append('account-17', [{ type: 'Opened', data: { owner: 'ann' } }], { expectedRevision: 'no_stream' })
 *   for await (const event of log.subscribe({ category: 'account' })) console.log(event.type)
 */
import { runDecision, runStreamCommand, type CommandOptions, type CommandPorts, type Decider } from './commands.ts'
import { EdgelogProblem, problemFrom } from './errors.ts'
import { subscribe, terms, type SubscribeOptions, type Subscription } from './subscribe.ts'
import type {
  AppendCondition,
  Checkpoint,
  ExpectedRevision,
  LogPage,
  MultiAppend,
  MultiAppendResult,
  NewEvent,
  QueryItem,
  QueryPage,
  RecordedEvent,
  StreamAppendResult,
  StreamEvent,
  StreamHead,
  StreamPage,
} from './types.ts'

export * from './types.ts'
export { EdgelogProblem, type Problem, type ProblemKind, type ProblemExtensions } from './errors.ts'
export type { SubscribeOptions, Subscription } from './subscribe.ts'
export type { CommandOptions, CommandResult, Decider } from './commands.ts'

export interface ClientOptions {
  /** e.g. http://localhost:3000 (no trailing /v1) */
  baseUrl: string
  /** a bearer token (AUTH_TOKENS / AUTH_READ_TOKENS) */
  token?: string
  /** headers for every request */
  headers?: Record<string, string>
  /** a fetch to use instead of the global one (a Workers service binding's, a test's) */
  fetch?: (request: Request) => Promise<Response>
  /**
   * Each request (not a subscription, not a long poll's wait) fails with a TimeoutError
   * when it has no answer within this; default 30 s. Every call also takes a `signal`.
   */
  timeoutMs?: number
}

/** What every call takes besides its own options. */
export interface CallOptions {
  /** aborts the call (its requests), e.g. AbortSignal.timeout(5_000) */
  signal?: AbortSignal
}

const path = (stream: string) => `/v1/streams/${encodeURIComponent(stream)}`

function search(params: object): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && k !== 'signal') q.set(k, Array.isArray(v) ? terms(k, v) : String(v))
  // toString, not `size` (missing in Safari < 17, Firefox < 112, Node < 18.16: every parameter was dropped)
  const text = q.toString()
  return text ? `?${text}` : ''
}

/**
 * Where `value` holds what JSON.stringify would change or drop (so another value would be
 * stored than the one given), and what it is; undefined when JSON carries it exactly. A
 * Date is sent as its ISO text (toJSON) and an object member that is undefined as absent,
 * as JSON always has them.
 */
export function notJson(value: unknown, at: string, seen: object[] = []): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${at} is ${value}`
    case 'bigint':
      return `${at} is a BigInt`
    case 'function':
    case 'symbol':
      return `${at} is a ${typeof value}`
  }
  if (value === null || value instanceof Date) return undefined
  const o = value as object
  if (seen.includes(o)) return `${at} refers back to itself`
  const inner = [...seen, o]
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const found = o[i] === undefined ? `${at}[${i}] is undefined` : notJson(o[i], `${at}[${i}]`, inner)
      if (found) return found
    }
    return undefined
  }
  const proto = Object.getPrototypeOf(o)
  if (proto !== Object.prototype && proto !== null) return `${at} is a ${(o as { constructor?: { name?: string } }).constructor?.name || 'object with a prototype'}`
  for (const [k, v] of Object.entries(o)) {
    const found = notJson(v, `${at}.${k}`, inner)
    if (found) return found
  }
  return undefined
}

/** Refuses, before anything is sent, events whose data or metadata JSON would store as other values. */
function checkEvents(events: NewEvent[] | undefined, where: string) {
  events?.forEach((e, i) => {
    for (const field of ['data', 'metadata'] as const) {
      const found = notJson(e[field], field)
      if (found) {
        throw new TypeError(
          `${where}event ${i}: ${found}, which JSON cannot carry: it would be stored as another value. Send bytes as base64 text, big integers as strings, Maps and Sets as objects and arrays; or send the event as CBOR (Content-Type: application/cbor), which keeps them.`,
        )
      }
    }
  })
}

/** AbortSignal.any, where a runtime lacks it (Node < 20.3, older browsers): aborts with the first. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals)
  const both = new AbortController()
  for (const s of signals) {
    if (s.aborted) both.abort(s.reason)
    else s.addEventListener('abort', () => both.abort(s.reason), { once: true, signal: both.signal })
  }
  return both.signal
}

export class EdgelogClient {
  readonly #base: string
  readonly #headers: Record<string, string>
  readonly #fetch: (request: Request) => Promise<Response>
  readonly #timeoutMs: number

  constructor(options: ClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '')
    this.#headers = { ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) }
    this.#fetch = options.fetch ?? ((request) => fetch(request))
    this.#timeoutMs = options.timeoutMs ?? 30_000
  }

  /**
   * One request; a non-2xx answer is thrown as an EdgelogProblem. `bounded` (all but a
   * subscription and a long poll): it also ends after timeoutMs.
   */
  async #request(p: string, init: RequestInit = {}, bounded = true): Promise<Response> {
    const headers = new Headers(init.headers)
    for (const [k, v] of Object.entries(this.#headers)) if (!headers.has(k)) headers.set(k, v)
    const signals = [init.signal, bounded ? AbortSignal.timeout(this.#timeoutMs) : undefined].filter((x): x is AbortSignal => !!x)
    const signal = signals.length > 1 ? anySignal(signals) : signals[0]
    const res = await this.#fetch(new Request(this.#base + p, { ...init, headers, signal }))
    if (!res.ok) throw await problemFrom(res)
    return res
  }

  async #json<T>(p: string, init?: RequestInit, bounded?: boolean): Promise<T> {
    return (await this.#request(p, init, bounded)).json() as Promise<T>
  }

  #send(method: string, body: unknown, signal?: AbortSignal): RequestInit {
    return { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal }
  }

  /** POST /v1/streams/:stream: append events atomically (409 wrong-expected-revision when `expectedRevision` does not hold). */
  async append(stream: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } & CallOptions = {}): Promise<StreamAppendResult> {
    checkEvents(events, '')
    const body = options.expectedRevision === undefined ? { events } : { events, expectedRevision: options.expectedRevision }
    const res = await this.#request(path(stream), this.#send('POST', body, options.signal))
    return { ...(await res.json()), replayed: res.headers.get('idempotent-replayed') === 'true' }
  }

  /** GET /v1/streams/:stream: one page. Throws EdgelogProblem 'stream-not-found' for a stream with no events. */
  read<D = unknown>(stream: string, options: { from?: number; limit?: number; direction?: 'forward' | 'backward' } & CallOptions = {}): Promise<StreamPage<D>> {
    return this.#json(`${path(stream)}${search(options)}`, { signal: options.signal })
  }

  /**
   * Every event of a stream (following `next`) and its revision (the ETag: a stream whose
   * events were all truncated or expired keeps its revision); null when it has none or was
   * deleted (soft: an append with expectedRevision 'no_stream' recreates it).
   */
  async readStream<D = unknown>(stream: string, options: CallOptions = {}): Promise<{ events: StreamEvent<D>[]; revision: number } | null> {
    const events: StreamEvent<D>[] = []
    let revision = -1
    try {
      for (let from: number | null = 0; from !== null; ) {
        const res = await this.#request(`${path(stream)}${search({ from })}`, { signal: options.signal })
        const page: StreamPage<D> = await res.json()
        events.push(...page.events)
        const etag = /^(?:W\/)?"(\d+)"$/.exec(res.headers.get('etag') ?? '')
        revision = etag ? Number(etag[1]) : events.length ? events[events.length - 1].revision : revision
        from = page.next
      }
    } catch (e) {
      if (EdgelogProblem.is(e, 'stream-not-found', 'stream-deleted')) return null
      throw e
    }
    return { events, revision }
  }

  /** GET /v1/streams/:stream/head: revision and position, or null when the stream has no events or was deleted (soft). */
  async head(stream: string, options: CallOptions = {}): Promise<StreamHead | null> {
    try {
      return await this.#json<StreamHead>(`${path(stream)}/head`, { signal: options.signal })
    } catch (e) {
      if (EdgelogProblem.is(e, 'stream-not-found', 'stream-deleted')) return null
      throw e
    }
  }

  /** POST /v1/append: several streams (each with its expected revision) and stream-less events, all or nothing. */
  async appendMulti(body: MultiAppend, options: CallOptions = {}): Promise<MultiAppendResult> {
    checkEvents(body.events, '')
    body.streams?.forEach((s) => checkEvents(s.events, `stream ${s.stream}: `))
    const res = await this.#request('/v1/append', this.#send('POST', body, options.signal))
    return { ...(await res.json()), replayed: res.headers.get('idempotent-replayed') === 'true' }
  }

  /** Conditional (DCB) append of stream-less events: 409 condition-failed if events matching the condition came after `after`. */
  appendIf(events: NewEvent[], condition: AppendCondition, options: CallOptions = {}): Promise<MultiAppendResult> {
    return this.appendMulti({ events, condition }, options)
  }

  /** GET /v1/all: the global log from a position; `wait` (e.g. '30s') long-polls an empty page. */
  readAll<D = unknown>(options: { from?: number; limit?: number; types?: string[]; tags?: string[]; wait?: string } & CallOptions = {}): Promise<LogPage<D>> {
    // a long poll answers when its wait is over: not bounded by timeoutMs
    return this.#json(`/v1/all${search(options)}`, { signal: options.signal }, options.wait === undefined)
  }

  /** GET /v1/categories/:category, optionally one consumer-group member's share. */
  readCategory<D = unknown>(category: string, options: { from?: number; limit?: number; member?: number; size?: number } & CallOptions = {}): Promise<LogPage<D>> {
    return this.#json(`/v1/categories/${encodeURIComponent(category)}${search(options)}`, { signal: options.signal })
  }

  /** POST /v1/query: one page of a DCB query, with the position it is consistent with. */
  query<D = unknown>(items: QueryItem[], options: { from?: number; limit?: number } & CallOptions = {}): Promise<QueryPage<D>> {
    const { signal, ...page } = options
    return this.#json('/v1/query', this.#send('POST', { items, ...page }, signal))
  }

  /** Every event matching a DCB query (following `next`) and the position of the last page. */
  async queryAll<D = unknown>(items: QueryItem[], options: CallOptions = {}): Promise<{ events: RecordedEvent<D>[]; position: number }> {
    const events: RecordedEvent<D>[] = []
    for (let from = 0; ; ) {
      const page: QueryPage<D> = await this.query<D>(items, { from, signal: options.signal })
      events.push(...page.events)
      if (page.next === null) return { events, position: page.position }
      from = page.next
    }
  }

  /** GET /v1/consumers/:name: the checkpoint, or null when the consumer has none. */
  async getCheckpoint(name: string, options: CallOptions = {}): Promise<Checkpoint | null> {
    try {
      return await this.#json<Checkpoint>(`/v1/consumers/${encodeURIComponent(name)}`, { signal: options.signal })
    } catch (e) {
      if (EdgelogProblem.is(e, 'consumer-not-found')) return null
      throw e
    }
  }

  /** PUT /v1/consumers/:name: save the last handled position (409 checkpoint-behind when lower than the stored one). */
  saveCheckpoint(name: string, position: number, options: CallOptions = {}): Promise<Checkpoint> {
    return this.#json(`/v1/consumers/${encodeURIComponent(name)}`, this.#send('PUT', { position }, options.signal))
  }

  /**
   * GET /v1/subscribe: an async iterable of events that reconnects with Last-Event-ID.
   * @example
   *   const sub = log.subscribe({ category: 'account', consumer: 'balances', checkpointEvery: 100 })
   *   for await (const e of sub) apply(e)
   */
  subscribe<D = unknown>(options: SubscribeOptions = {}): Subscription<D> {
    return subscribe<D>((p, init) => this.#request(p, init, false), options)
  }

  #ports(signal?: AbortSignal): CommandPorts {
    return {
      readStream: (s) => this.readStream(s, { signal }),
      append: (s, events, o) => this.append(s, events, { ...o, signal }),
      queryAll: (items) => this.queryAll(items, { signal }),
      appendMulti: (body) => this.appendMulti(body, { signal }),
    }
  }

  /**
   * The stream command pattern: read `stream`, fold it, decide, append with the expected
   * revision; retried on 409 wrong-expected-revision.
   * @example
   *   await log.streamCommand('account-17', { amount: 30 }, {
   *     initialState: 0,
   *     evolve: (balance, e) => balance + (e.data as { amount: number }).amount,
   *     decide: (cmd, balance) => (balance >= cmd.amount ? [{ type: 'Withdrawn', data: { amount: -cmd.amount } }] : []),
   *   })
   */
  streamCommand<S, C, D = unknown>(stream: string, command: C, decider: Decider<S, D, C>, options?: CommandOptions) {
    return runStreamCommand(this.#ports(options?.signal), stream, command, decider, options)
  }

  /**
   * The DCB decision pattern: query, fold, decide, append with `condition` (the same query,
   * after the read's position); retried on 409 condition-failed.
   */
  decide<S, C, D = unknown>(query: QueryItem[], command: C, decider: Decider<S, D, C>, options?: CommandOptions) {
    return runDecision(this.#ports(options?.signal), query, command, decider, options)
  }
}

/** A client for the edgelog server at `baseUrl`. */
export function createClient(options: ClientOptions): EdgelogClient {
  return new EdgelogClient(options)
}

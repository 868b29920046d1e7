/**
 * Small fetch helpers shared by the black-box tests: one `call` that encodes JSON or CBOR
 * bodies and decodes the answer by its Content-Type, and the problem+json assertion.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Decoder, Encoder } from 'cbor-x'

// Plain RFC 8949 CBOR: no cbor-x record extensions, so any decoder could read it.
const encoder = new Encoder({ useRecords: false })
const decoder = new Decoder({ mapsAsObjects: true })

export const cbor = {
  encode: (value: unknown): Uint8Array<ArrayBuffer> => new Uint8Array(encoder.encode(value)),
  decode: (bytes: Uint8Array): any => decoder.decode(bytes),
}

export const PROBLEM = 'https://edgelog.dev/problems/'

export interface CallOptions {
  /** Sent as `application/json`. */
  json?: unknown
  /** Sent as `application/cbor`. */
  cbor?: unknown
  /** Sent as is (set Content-Type yourself). */
  body?: BodyInit
  headers?: Record<string, string>
  /** Shorthand for the Accept header. */
  accept?: string
  signal?: AbortSignal
}

export interface Reply {
  method: string
  url: string
  status: number
  headers: Headers
  contentType: string
  /** Parsed JSON, decoded CBOR, or text for anything else. */
  body: any
  /** The raw body as text (for assertion messages). */
  text: string
  /** The body's length in bytes, as received. */
  size: number
}

/** One request; never throws on an HTTP error status. */
export async function call(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers }
  let body: BodyInit | undefined = opts.body
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.cbor !== undefined) {
    headers['content-type'] ??= 'application/cbor'
    body = cbor.encode(opts.cbor)
  }
  if (opts.accept !== undefined) headers.accept = opts.accept
  const url = baseUrl + path
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body, signal: opts.signal }
  // Node's fetch requires duplex: 'half' for a streamed request body (no Content-Length).
  if (body instanceof ReadableStream) init.duplex = 'half'
  const res = await fetch(url, init)
  const bytes = new Uint8Array(await res.arrayBuffer())
  const contentType = res.headers.get('content-type') ?? ''
  const text = new TextDecoder().decode(bytes)
  let parsed: any = text
  if (/^application\/cbor\b/i.test(contentType)) {
    parsed = bytes.length ? cbor.decode(bytes) : undefined
  } else if (/json/i.test(contentType)) {
    parsed = text ? JSON.parse(text) : undefined
  }
  return { method, url, status: res.status, headers: res.headers, contentType, body: parsed, text, size: bytes.length }
}

/** `METHOD url -> status body` for assertion messages. */
export function show(reply: Reply): string {
  const body = /cbor/.test(reply.contentType) ? JSON.stringify(reply.body) : reply.text
  return `${reply.method} ${reply.url} -> ${reply.status} ${reply.contentType}\n${body.slice(0, 2000)}`
}

/** Assert an RFC 9457 problem of the documented `kind` and status; returns the document. */
export function expectProblem(reply: Reply, status: number, kind: string): any {
  assert.equal(reply.status, status, show(reply))
  assert.match(reply.contentType, /^application\/problem\+json/i, show(reply))
  const problem = reply.body
  assert.equal(problem.type, PROBLEM + kind, show(reply))
  assert.equal(problem.status, status, show(reply))
  assert.equal(typeof problem.title, 'string', show(reply))
  assert.ok(problem.title.length > 0, show(reply))
  assert.equal(typeof problem.detail, 'string', show(reply))
  assert.ok(problem.detail.trim().length > 0, `empty detail: ${show(reply)}`)
  assert.ok(!/\n\s+at /.test(reply.text), `stack trace in body: ${show(reply)}`)
  return problem
}

/** Assert a status, showing the whole answer when it differs. */
export function expectStatus(reply: Reply, status: number): any {
  assert.equal(reply.status, status, show(reply))
  return reply.body
}

/** A stream name of its own category, e.g. `t1a2b3c4d-order`. */
export function uniqueStream(label = 's'): string {
  return `t${randomUUID().slice(0, 8)}-${label}`
}

/** An event as appended, with a client-chosen id. */
export function newEvent(type = 'Tested', data: unknown = { n: 1 }): { id: string; type: string; data: unknown } {
  return { id: randomUUID(), type, data }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

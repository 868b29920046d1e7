import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodType } from 'zod'
import { EdgelogError, invalidRequest, malformedBody } from '../core/errors.ts'
import type { Codec, StoredEvent } from '../core/types.ts'
import { keepSentBytes, type EventInput } from '../core/events.ts'
import { MAX_DEPTH_CEILING } from '../core/limits.ts'
import { cborBodyProblem } from './cborCheck.ts'
import { encodeEventPage } from './render/cborPage.ts'
import { eventJson, eventJsonParts } from './render/events.ts'
import { jsonPage } from './render/jsonPage.ts'
import { issuesOf } from './problem.ts'
import { respond } from './respond.ts'
import { invalidUtf8At } from './utf8.ts'

export const JSON_TYPE = 'application/json'
export const CBOR_TYPE = 'application/cbor'
const CBOR_RE = /^application\/cbor\s*(;|$)/i
const JSON_RE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

export type Format = 'json' | 'cbor'

export type Env = { Variables: { format: Format; body: unknown; requestId: string; role: 'rw' | 'ro'; tenants: Set<string> | undefined } }

/**
 * The q-value an Accept header gives a media type, from its most specific matching range
 * (RFC 9110 §12.5.1): `type/subtype` over `type/*` over `*\/*`.
 */
export function quality(accept: string, mediaType: string): number {
  const [type] = mediaType.split('/')
  let best = -1
  let q = 0
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';')
    const specificity = range === mediaType ? 3 : range === `${type}/*` ? 2 : range === '*/*' ? 1 : 0
    if (specificity <= best || specificity === 0) continue
    best = specificity
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    q = qp ? Number(qp.slice(2)) || 0 : 1
  }
  return q
}

const unsupportedMedia = (detail: string, headers?: Record<string, string>) =>
  new EdgelogError({ status: 415, kind: 'unsupported-media-type', title: 'Unsupported media type', detail, headers })

/**
 * Content negotiation (RFC 9110 §12.5.1), before any work: a request whose Accept allows
 * neither JSON nor CBOR is a 406 and writes nothing; a body that is neither is a 415.
 * Sets `format`; throws the problem.
 */
export function negotiateRequest(c: Context<Env>): void {
  const accept = c.req.header('accept')
  let format: Format = 'json'
  // the common Accept values answered without parsing (`*/*`: curl, autocannon, fetch's default)
  if (accept && accept !== '*/*' && accept !== JSON_TYPE) {
    const json = Math.max(quality(accept, JSON_TYPE), quality(accept, 'application/problem+json'))
    const cbor = quality(accept, CBOR_TYPE)
    // EventSource sends Accept: text/event-stream (WHATWG HTML §9.2.2); only /v1/subscribe answers it.
    const sse = c.req.path === '/v1/subscribe' && quality(accept, 'text/event-stream') > 0
    if (json <= 0 && cbor <= 0 && !sse) {
      throw new EdgelogError({ status: 406, kind: 'not-acceptable', title: 'Not acceptable', detail: `Accept '${accept}' allows neither ${JSON_TYPE} nor ${CBOR_TYPE}.` })
    }
    format = cbor > json ? 'cbor' : 'json'
  }
  c.set('format', format)
  if (c.req.method === 'POST' || c.req.method === 'PUT') {
    // No runtime here decodes a compressed request body: a gzip body would be parsed as
    // its compressed bytes (a 400 that names a byte, or worse). RFC 9110 §15.5.16: a 415
    // that says which codings are taken.
    const coding = c.req.header('content-encoding')?.trim()
    if (coding && coding.toLowerCase() !== 'identity') {
      throw unsupportedMedia(`Content-Encoding '${coding.slice(0, 40)}' is not taken: send the body uncompressed.`, { 'Accept-Encoding': 'identity' })
    }
    const type = c.req.header('content-type') ?? ''
    if (!JSON_RE.test(type) && !CBOR_RE.test(type)) {
      throw unsupportedMedia(`Send the body as ${JSON_TYPE} or ${CBOR_TYPE}${type ? `, not '${type}'` : ' with a Content-Type header'}.`)
    }
  }
}

/**
 * A Content-Type with white space before a `;`, an empty parameter or trailing white space
 * (`application/json ; charset=utf-8`, `application/json;`), in the form Hono's and
 * @hono/zod-openapi's media type tests take, or undefined when it needs no rewriting.
 * RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ).
 */
export function canonicalContentType(type: string): string | undefined {
  if (!/\s;|;\s*(;|$)|\s$/.test(type)) return undefined
  return type
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .join('; ')
}

/** negotiateRequest as a middleware. */
export const negotiate: MiddlewareHandler<Env> = async (c, next) => {
  negotiateRequest(c)
  await next()
}

// ignoreBOM: false strips a leading BOM, as Request.text() does (RFC 8259 §8.1 lets a parser ignore it)
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** Does this request carry a JSON body that strictJson must decode? */
export const hasJsonBody = (c: Context<Env>) => (c.req.method === 'POST' || c.req.method === 'PUT') && JSON_RE.test(c.req.header('content-type') ?? '')

/**
 * A JSON body must be UTF-8 (RFC 8259 §8.1). `Request.text()` would replace bad bytes with
 * U+FFFD, and an event would store other text than was sent: the body is decoded strictly
 * here and handed to Hono's JSON validator through its body cache (still one decode and
 * one parse per request). Call it for a request where hasJsonBody holds.
 */
export async function decodeStrictJson(c: Context<Env>): Promise<void> {
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  let text: string
  try {
    text = strictUtf8.decode(bytes)
  } catch {
    throw malformedBody(`The JSON body is not valid UTF-8 (RFC 8259 §8.1): byte ${invalidUtf8At(bytes)} starts an invalid sequence.`)
  }
  // A 16-digit run or a 3-digit exponent is rare in bodies: only then look for numbers JSON.parse would change.
  if (/\d{16}|[eE][+-]?\d{3}/.test(text)) {
    const unsafe = unsafeNumber(text)
    if (unsafe?.overflows) {
      throw invalidRequest(
        `The JSON body holds the number ${unsafe.literal.slice(0, 40)}, beyond the range of a double (±1.8e308): it would be stored as Infinity, which JSON cannot write. Send it as CBOR or as a string.`,
        [{ path: '(body)', message: `number ${unsafe.literal.slice(0, 40)} is beyond the range of a double` }],
      )
    }
    if (unsafe) {
      throw invalidRequest(
        `The JSON body holds the integer ${unsafe.literal.slice(0, 40)}, beyond ±2^53: a JSON number is read as a double here and would be stored rounded. Send it as CBOR (an exact 64-bit integer or bignum) or as a string.`,
        [{ path: '(body)', message: `integer ${unsafe.literal.slice(0, 40)} is beyond ±2^53 (9007199254740991)` }],
      )
    }
  }
  // HonoRequest.json() parses the cached text when there is one.
  ;(c.req.bodyCache as Record<string, Promise<unknown>>).text = Promise.resolve(text)
}

/** decodeStrictJson as a middleware. */
export const strictJsonBody: MiddlewareHandler<Env> = async (c, next) => {
  if (hasJsonBody(c)) await decodeStrictJson(c)
  await next()
}

/**
 * The first number literal of a JSON text (outside strings) that would not read back as
 * written, or undefined: an integer a double cannot hold (e.g. 12345678901234567890 reads
 * back as 12345678901234567000, and 9223372036854775808, 2^63 exactly, as
 * 9223372036854776000), or any number beyond a double's range (`1e400`, which would be
 * Infinity). Other fractions and exponents are doubles by intent (RFC 8259 §6).
 */
export function unsafeNumber(text: string): { literal: string; overflows: boolean } | undefined {
  // Exactly the digits sent, or a double's own shortest form (how a large double is written,
  // e.g. -36045629436969420000): either way a reader gets the text that was sent.
  const readsBack = (digits: string) => {
    const n = Number(digits)
    return Number.isSafeInteger(n) || String(n) === digits
  }
  const n = text.length
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 0x22) {
      // a string: skip to its closing quote, past escapes
      for (i++; i < n && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++
      continue
    }
    if (ch !== 0x2d && (ch < 0x30 || ch > 0x39)) continue
    const start = i
    if (ch === 0x2d) i++
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++
    const next = text.charCodeAt(i)
    if (next === 0x2e || next === 0x65 || next === 0x45) {
      // a fraction or an exponent: a double, if it is one
      while (i < n && /[0-9eE+.-]/.test(text[i])) i++
      const literal = text.slice(start, i)
      // (not a number at all, e.g. `1e5-3`: left to the parser, a malformed body)
      if (Math.abs(Number(literal)) === Infinity) return { literal, overflows: true }
    } else {
      const digits = text.slice(start, i)
      if (digits.replace('-', '').length >= 16 && !readsBack(digits)) return { literal: digits, overflows: false }
    }
    i--
  }
  return undefined
}

/**
 * How deep a CBOR body may nest before it is decoded: data at MAX_DEPTH inside the deepest
 * envelope (body, streams, stream, events, event). The exact MAX_DEPTH check of data and
 * metadata follows in prepareEvents; this one keeps cbor-x's recursion off the stack limit.
 */
const SCAN_DEPTH = MAX_DEPTH_CEILING + 8

/**
 * Hono's validators read JSON and forms only: a CBOR body is checked (cborCheck.ts),
 * decoded here and checked against the same schema (or `fast`, which gives the schema's
 * result for a plainly valid body, else undefined), then handed to the route as `c.var.body`.
 */
export function cborBody(schema: ZodType, codec: Codec, fast?: (body: unknown) => unknown): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (CBOR_RE.test(c.req.header('content-type') ?? '')) {
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      const payloads = new Map<string, Uint8Array>()
      const problem = cborBodyProblem(bytes, SCAN_DEPTH, payloads)
      if (problem) {
        const where = problem.path.join('.') || '(body)'
        throw invalidRequest(`${where} ${problem.message}.`, [{ path: where, message: problem.message }])
      }
      let value: unknown
      try {
        value = codec.decodeBody(bytes)
      } catch (e) {
        throw malformedBody(`The CBOR body cannot be decoded: ${(e as Error).message}`)
      }
      let body = fast?.(value)
      if (body === undefined) {
        const parsed = schema.safeParse(value)
        if (!parsed.success) throw invalidRequest('The request body is invalid.', issuesOf(parsed.error))
        body = parsed.data
      }
      if (payloads.size) keepPayloads(body, payloads)
      c.set('body', body)
    }
    await next()
  }
}

/** Events of an append body store their data and metadata as the bytes the client sent. */
function keepPayloads(body: unknown, payloads: Map<string, Uint8Array>): void {
  const { events, streams } = body as { events?: EventInput[]; streams?: Array<{ events?: EventInput[] }> }
  const keep = (list: EventInput[] | undefined, at: string) =>
    list?.forEach((e, i) => {
      const data = payloads.get(`${at}.${i}.data`)
      const metadata = payloads.get(`${at}.${i}.metadata`)
      if (data || metadata) keepSentBytes(e, { data, metadata })
    })
  keep(events, 'events')
  streams?.forEach((s, j) => keep(s.events, `streams.${j}.events`))
}

/** The validated body, whichever media type carried it. */
export function bodyOf<T>(c: Context<Env>, json: () => T): T {
  return (c.get('body') as T | undefined) ?? json()
}

/** Renders a response in the negotiated format, with the request id (respond.ts). */
export function send(c: Context<Env>, codec: Codec, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const cbor = c.get('format') === 'cbor'
  const h = { ...headers, 'Content-Type': cbor ? CBOR_TYPE : JSON_TYPE }
  return respond(c, cbor ? (codec.encode(body) as Uint8Array<ArrayBuffer>) : JSON.stringify(body), status, h)
}

/**
 * A page of events `{ ...fields, events }` in the negotiated format, within `maxBytes`
 * (MAX_PAGE_BYTES; always one event). The store already cut `events` by their stored size,
 * which bounds a CBOR page (stored payload bytes are copied as they are, see render/cborPage.ts);
 * a JSON page can render larger than it is stored and is cut again as it is rendered.
 * `fields` may depend on the events sent (e.g. `next`).
 */
export function sendEvents(
  c: Context<Env>,
  codec: Codec,
  fields: Record<string, unknown> | ((shown: StoredEvent[]) => Record<string, unknown>),
  events: StoredEvent[],
  headers: Record<string, string> = {},
  maxBytes = Infinity,
): Response {
  const fieldsOf = typeof fields === 'function' ? fields : () => fields
  if (c.get('format') === 'cbor') {
    return respond(c, encodeEventPage(fieldsOf(events), events, codec) as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Type': CBOR_TYPE })
  }
  // Payloads render through payloadJson (exact integers, byte strings...), which
  // JSON.stringify of decoded values cannot do; a large page streams within its byte budget.
  const body = jsonPage(events, (e) => eventJson(e, codec), fieldsOf, maxBytes, (e, prefix) => eventJsonParts(e, codec, prefix))
  return respond(c, body as BodyInit, 200, { ...headers, 'Content-Type': JSON_TYPE })
}

import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodType } from 'zod'
import { EdgelogError, invalidRequest, malformedBody } from '../core/errors.ts'
import type { Codec, StoredEvent } from '../core/types.ts'
import { encodeEventPage } from './cborPage.ts'
import { jsonPageStream } from './jsonPage.ts'
import { issuesOf } from './problem.ts'

export const JSON_TYPE = 'application/json'
export const CBOR_TYPE = 'application/cbor'
const CBOR_RE = /^application\/cbor\s*(;|$)/i
const JSON_RE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

export type Format = 'json' | 'cbor'

export type Env = { Variables: { format: Format; body: unknown; requestId: string; role: 'rw' | 'ro' } }

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

/**
 * Content negotiation (RFC 9110 §12.5.1), before any work: a request whose Accept allows
 * neither JSON nor CBOR is a 406 and writes nothing; a body that is neither is a 415.
 */
export const negotiate: MiddlewareHandler<Env> = async (c, next) => {
  const accept = c.req.header('accept')
  let format: Format = 'json'
  if (accept) {
    const json = Math.max(quality(accept, JSON_TYPE), quality(accept, 'application/problem+json'))
    const cbor = quality(accept, CBOR_TYPE)
    // EventSource sends Accept: text/event-stream (WHATWG HTML §9.2.2); only /v1/subscribe answers it.
    const sse = c.req.path === '/v1/subscribe' && quality(accept, 'text/event-stream') > 0
    if (json <= 0 && cbor <= 0 && !sse) {
      throw new EdgelogError(406, 'not-acceptable', 'Not acceptable', `Accept '${accept}' allows neither ${JSON_TYPE} nor ${CBOR_TYPE}.`)
    }
    format = cbor > json ? 'cbor' : 'json'
  }
  c.set('format', format)
  if (c.req.method === 'POST' || c.req.method === 'PUT') {
    const type = c.req.header('content-type') ?? ''
    if (!JSON_RE.test(type) && !CBOR_RE.test(type)) {
      throw new EdgelogError(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        `Send the body as ${JSON_TYPE} or ${CBOR_TYPE}${type ? `, not '${type}'` : ' with a Content-Type header'}.`,
      )
    }
  }
  await next()
}

/**
 * Hono's validators read JSON and forms only: a CBOR body is decoded here and checked
 * against the same schema, then handed to the route as `c.var.body`.
 */
export function cborBody(schema: ZodType, codec: Codec): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (CBOR_RE.test(c.req.header('content-type') ?? '')) {
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      let value: unknown
      try {
        value = codec.decode(bytes)
      } catch (e) {
        throw malformedBody(`The CBOR body cannot be decoded: ${(e as Error).message}`)
      }
      const parsed = schema.safeParse(value)
      if (!parsed.success) throw invalidRequest('The request body is invalid.', issuesOf(parsed.error))
      c.set('body', parsed.data)
    }
    await next()
  }
}

/** The validated body, whichever media type carried it. */
export function bodyOf<T>(c: Context<Env>, json: () => T): T {
  return (c.get('body') as T | undefined) ?? json()
}

/** Renders a response in the negotiated format (through `c.body`, so headers set by middleware, such as X-Request-Id, are kept). */
export function send(c: Context<Env>, codec: Codec, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const cbor = c.get('format') === 'cbor'
  const h = { ...headers, 'Content-Type': cbor ? CBOR_TYPE : JSON_TYPE }
  return c.body(cbor ? codec.encode(body) : JSON.stringify(body), status as ContentfulStatusCode, h)
}

/**
 * A page of events `{ ...fields, events }` in the negotiated format, within `maxBytes`
 * (MAX_PAGE_BYTES; always one event). The store already cut `events` by their stored size,
 * which bounds a CBOR page (stored payload bytes are copied as they are, see cborPage.ts);
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
    return c.body(encodeEventPage(fieldsOf(events), events, codec), 200, { ...headers, 'Content-Type': CBOR_TYPE })
  }
  const body = jsonPageStream(events, (e) => JSON.stringify(renderEvent(e, codec)), fieldsOf, maxBytes)
  return c.body(body, 200, { ...headers, 'Content-Type': JSON_TYPE })
}

/** A stored event as clients read it: payloads decoded from CBOR. */
export function renderEvent(e: StoredEvent, codec: Codec) {
  return {
    id: e.id,
    stream: e.stream,
    type: e.type,
    revision: e.revision,
    position: e.position,
    time: new Date(e.time).toISOString(),
    data: e.data ? codec.decode(e.data) : null,
    metadata: e.metadata ? codec.decode(e.metadata) : null,
    tags: e.tags,
  }
}

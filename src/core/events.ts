import { invalidRequest, payloadTooLarge } from './errors.ts'
import { DEFAULT_LIMITS } from './limits.ts'
import type { Codec, ProposedEvent } from './types.ts'
import { uuidToBytes, uuidToString, uuidv7Bytes } from './uuid.ts'
import { nameInputProblem, valueProblem } from './values.ts'

/** An event as a client sends it (over HTTP already schema-validated; prepareEvents checks its names and payloads again). */
export interface EventInput {
  id?: string
  type: string
  data?: unknown
  metadata?: unknown
  tags?: string[]
}

/**
 * The CBOR bytes a request carried for an input's data and metadata, set by the HTTP layer
 * once it has checked them (src/http/cborCheck.ts, then the decoded value in prepareEvents).
 * They are stored as sent: cbor-x re-encoding what it decoded would write the floats 1.0 and
 * -0.0 as the integers 1 and 0, and a CBOR reader would get another type or value back.
 */
const sentBytes = new WeakMap<EventInput, { data?: Uint8Array; metadata?: Uint8Array }>()

/** Stores `input`'s data and metadata as these bytes (each one CBOR item), not re-encoded. */
export function keepSentBytes(input: EventInput, sent: { data?: Uint8Array; metadata?: Uint8Array }): void {
  sentBytes.set(input, sent)
}

/**
 * Encodes events for the writer: payloads to CBOR once, here, so the hand-off to the
 * writer carries bytes and the size limit is known before anything queues. Ids default
 * to UUIDv7: time-ordered ids append to the right edge of the unique index. Payloads every
 * reader could not read back (see values.ts) are a 400 before they reach the encoder, whose
 * recursion a deep value would exhaust.
 */
export function prepareEvents(
  inputs: EventInput[],
  codec: Codec,
  maxEventBytes: number,
  path = 'events',
  maxDepth = DEFAULT_LIMITS.maxDepth,
): ProposedEvent[] {
  // `streams[1].events` (as in messages) -> `streams.1.events` (as in validation errors)
  const at = path.replace(/\[(\d+)\]/g, '.$1')
  return inputs.map((input, i) => {
    checkName(input.type, `${at}.${i}.type`, 'a type')
    if (input.tags) for (let k = 0; k < input.tags.length; k++) checkName(input.tags[k], `${at}.${i}.tags.${k}`, 'a tag')
    checkPayload(input.data, `${at}.${i}.data`, maxDepth)
    checkPayload(input.metadata, `${at}.${i}.metadata`, maxDepth)
    const sent = sentBytes.get(input)
    // A CBOR body's `undefined` (f7) decodes like an absent field: its bytes are kept as sent.
    const data = sent?.data ?? (input.data === undefined ? null : codec.encode(input.data))
    const metadata = input.metadata === null ? null : (sent?.metadata ?? (input.metadata === undefined ? null : codec.encode(input.metadata)))
    const tags = input.tags ?? []
    // type and tags count by UTF-16 length: payload bytes dominate, and this stays cheap
    let size = (data?.length ?? 0) + (metadata?.length ?? 0) + input.type.length
    for (const t of tags) size += t.length
    if (size > maxEventBytes) {
      throw payloadTooLarge(`${path}[${i}] is ${size} bytes encoded; the limit per event is ${maxEventBytes} bytes (MAX_EVENT_BYTES).`)
    }
    const idBytes = input.id === undefined ? uuidv7Bytes() : uuidToBytes(input.id)
    const id = input.id === undefined ? uuidToString(idBytes) : input.id.toLowerCase()
    return { id, idBytes, clientId: input.id !== undefined, type: input.type, data, metadata, tags, size }
  })
}

/**
 * Types and tags as the HTTP schema takes them (values.ts `nameInputProblem`), for callers
 * of the store API too: a NUL in a type was stored whole and read back cut short by the
 * local driver's text conversion.
 */
function checkName(value: unknown, path: string, what: string): void {
  const bad = nameInputProblem(value)
  if (!bad) return
  const problem = `${what} ${bad}`
  throw invalidRequest(`${path}: ${problem}.`, [{ path, message: problem }])
}

function checkPayload(value: unknown, path: string, maxDepth: number): void {
  if (value === undefined) return
  const problem = valueProblem(value, maxDepth)
  if (!problem) return
  const where = [path, ...problem.path].join('.')
  throw invalidRequest(`${where} ${problem.message}.`, [{ path: where, message: problem.message }])
}

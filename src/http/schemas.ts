import { z } from '@hono/zod-openapi'
import { ANY, EXPECTED_STATES, NO_STREAM, STREAM_EXISTS, type ExpectedRevision as ExpectedRevisionValue } from '../core/expectedRevision.ts'
import type { EventInput } from '../core/events.ts'
import { CONSUMER_NAME } from '../core/consumers.ts'
import { MAX_ITEM_TERMS, MAX_QUERY_ITEMS } from '../core/query.ts'
import { STREAM_NAME } from '../core/streams.ts'
import { MAX_NAME_LENGTH, nameInputProblem, nameProblem } from '../core/values.ts'

// No regex flags: OpenAPI copies the source as its `pattern`, and a flag would leak into it.
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

export const StreamName = z
  .string()
  .regex(STREAM_NAME, 'a stream name is 1-200 characters from A-Z a-z 0-9 _ . : @ + = -, not starting with $ or -, and neither it nor its category is . or ..')
  .openapi({ example: 'account-17' })

const STATES = EXPECTED_STATES.map((s) => `"${s}"`).join(', ')
export const ExpectedRevision = z
  .union([z.number().int().min(0), z.enum(EXPECTED_STATES)], {
    // This state was "exists" on the wire at first: a client that still sends that learns the new name.
    error: (issue) =>
      issue.input === 'exists'
        ? `expectedRevision "exists" is now "${STREAM_EXISTS}" (as KurrentDB's StreamState.StreamExists)`
        : `expectedRevision is a revision number (>= 0) or one of ${STATES}`,
  })
  .openapi({ example: NO_STREAM, description: `a revision number, or one of ${STATES} ("${ANY}" by default)` })

/** Types and tags: valid Unicode without control characters (a NUL cut a type short on read-back). */
const name = (what: string, error = `${what} is a string of 1-${MAX_NAME_LENGTH} characters`) =>
  z.string({ error }).min(1).max(MAX_NAME_LENGTH).superRefine((s, ctx) => {
    const bad = nameProblem(s)
    if (bad) ctx.addIssue({ code: 'custom', message: `${what} ${bad}` })
  })

export const Tag = name('a tag')
export const EventType = name('a type', 'type is required (a string of 1-200 characters)')

/** One event's tags: each once (event_tags is unique on (tag, position)). */
const Tags = z
  .array(Tag)
  .max(100)
  .superRefine((tags, ctx) => {
    const seen = new Map<string, number>()
    tags.forEach((tag, i) => {
      const first = seen.get(tag)
      if (first === undefined) seen.set(tag, i)
      else ctx.addIssue({ code: 'custom', path: [i], message: `tag '${tag}' is already at index ${first}: an event carries each tag once` })
    })
  })

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype

/**
 * An event's metadata: an object, taken as it is. (z.record builds a copy, and dropped a
 * `__proto__` key that `data` keeps: an acknowledged event was not stored as sent.)
 */
const Metadata = z
  .custom<Record<string, unknown>>(isObject, { message: 'metadata must be an object (or null)' })
  .openapi({ type: 'object', additionalProperties: {}, description: 'any JSON (or CBOR) object', example: { correlationId: 'c-42' } })

export const EventIn = z
  .strictObject({
    id: z.string().regex(UUID, 'id must be a UUID').optional().openapi({ format: 'uuid', description: 'client-chosen UUID; the idempotency key', example: '0190b6a2-7c1e-7d4a-9b1f-2f6c3e8a9d10' }),
    type: EventType.openapi({ example: 'Deposited' }),
    data: z.unknown().optional().openapi({ description: 'any JSON (or CBOR) value', example: { amount: 100 } }),
    metadata: Metadata.nullable().optional(),
    tags: Tags.optional().openapi({ example: ['account:17'] }),
  })
  .openapi('EventIn')

type EventAt = { id?: string; at: (string | number)[] }

/** Event ids are the idempotency key: two events of one request may not share one (as UUIDs, so in any case). */
function uniqueIds(events: EventAt[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, (string | number)[]>()
  for (const { id, at } of events) {
    if (id === undefined) continue
    const key = id.toLowerCase()
    const first = seen.get(key)
    if (!first) seen.set(key, at)
    else ctx.addIssue({ code: 'custom', path: [...at, 'id'], message: `event id ${key} is already used by ${[...first, 'id'].join('.')}: each event of a request needs its own id` })
  }
}

export const eventsArray = (max: number) =>
  z.array(EventIn).min(1, 'events must hold at least one event').max(max, `at most ${max} events per append (MAX_EVENTS_PER_APPEND)`)

const EVENT_KEYS = new Set(['id', 'type', 'data', 'metadata', 'tags'])
const STATES_SET = new Set<unknown>(EXPECTED_STATES)
const goodName = (s: unknown) => nameInputProblem(s) === undefined

/** One event of an append that EventIn accepts as it is (else false: the schema says why). */
function plainEvent(e: unknown, ids: Set<string>): boolean {
  if (!isObject(e)) return false
  for (const k in e) if (!EVENT_KEYS.has(k)) return false
  if (!goodName(e.type)) return false
  if (e.id !== undefined) {
    if (typeof e.id !== 'string' || !UUID.test(e.id)) return false
    const id = e.id.toLowerCase()
    if (ids.has(id)) return false
    ids.add(id)
  }
  if (e.metadata !== undefined && e.metadata !== null && !isObject(e.metadata)) return false
  if (e.tags !== undefined) {
    const tags = e.tags
    if (!Array.isArray(tags) || tags.length > 100) return false
    for (let i = 0; i < tags.length; i++) if (!goodName(tags[i]) || tags.indexOf(tags[i]) !== i) return false
  }
  return true
}

/**
 * AppendBody's result for a body that is plainly valid, without running the schema (for a
 * one-event append it cost more than the rest of the request's validation); anything else
 * is undefined, and the schema decides, with its exact error. The same checks: no key but
 * these, 1..max events, each a known type and name rules, UUID ids once each, metadata an
 * object, at most 100 distinct tags. The events are the body's own objects, which is what
 * the append reads (the schema would copy metadata and tags).
 */
export const fastAppendBody =
  (max: number) =>
  (body: unknown): { events: EventInput[]; expectedRevision?: ExpectedRevisionValue } | undefined => {
    if (!isObject(body)) return undefined
    for (const k in body) if (k !== 'events' && k !== 'expectedRevision') return undefined
    const { events, expectedRevision: expected } = body
    if (!Array.isArray(events) || events.length < 1 || events.length > max) return undefined
    if (expected !== undefined && !STATES_SET.has(expected) && !(typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0)) return undefined
    const ids = new Set<string>()
    for (const e of events) if (!plainEvent(e, ids)) return undefined
    return body as { events: EventInput[]; expectedRevision?: ExpectedRevisionValue }
  }

export const AppendBody = (max: number) =>
  z
    .strictObject({ events: eventsArray(max), expectedRevision: ExpectedRevision.optional() })
    .superRefine((b, ctx) => uniqueIds(b.events.map((e, i) => ({ id: e.id, at: ['events', i] })), ctx))
    .openapi('AppendToStream')

/** A DCB query item: events of one of `types` (any type if absent) that carry all `tags`. */
export const QueryItem = z
  .strictObject({
    types: z
      .array(EventType)
      .max(MAX_ITEM_TERMS, `at most ${MAX_ITEM_TERMS} types per query item`)
      .optional()
      .openapi({ description: 'the event matches if its type is one of these (any type when absent)', example: ['StudentSubscribedToCourse'] }),
    tags: z
      .array(Tag)
      .max(MAX_ITEM_TERMS, `at most ${MAX_ITEM_TERMS} tags per query item`)
      .optional()
      .openapi({ description: 'the event matches if it carries all of these', example: ['course:c1'] }),
  })
  .refine((i) => (i.types?.length ?? 0) + (i.tags?.length ?? 0) > 0, {
    message: 'a query item needs at least one type or tag (an empty item would match every event)',
  })
  .openapi('QueryItem')

/** A DCB query: an event matches if it matches any item. */
export const Query = z
  .array(QueryItem)
  .min(1, 'a query needs at least one item')
  .max(MAX_QUERY_ITEMS, `at most ${MAX_QUERY_ITEMS} items per query (MAX_QUERY_ITEMS)`)

export const QueryBody = (maxPage: number) =>
  z
    .strictObject({
      items: Query,
      from: z.number().int().min(0, 'from must be a position >= 0').optional().openapi({ description: 'position to start at (inclusive), default 0' }),
      limit: z.number().int().min(1, 'limit must be at least 1').max(maxPage, `limit must be at most ${maxPage} (MAX_PAGE_SIZE)`).optional(),
    })
    .openapi('Query')

export const AppendCondition = z
  .strictObject({
    failIfEventsMatch: Query,
    after: z
      .number()
      .int()
      .min(0, 'after must be a position >= 0')
      .optional()
      .openapi({ description: 'the position the decision was based on (a query\'s `position`); absent: any matching event fails' }),
  })
  .openapi('AppendCondition')

export const MultiAppendBody = (max: number) =>
  z
    .strictObject({
      streams: z
        .array(z.strictObject({ stream: StreamName, expectedRevision: ExpectedRevision.optional(), events: eventsArray(max) }))
        .max(max, `at most ${max} streams per append: each holds at least one event (MAX_EVENTS_PER_APPEND)`)
        .optional(),
      events: z
        .array(EventIn)
        .max(max, `at most ${max} events per append (MAX_EVENTS_PER_APPEND)`)
        .optional()
        .openapi({ description: 'stream-less (DCB) events, addressed by their tags; read back with stream and revision null' }),
      condition: AppendCondition.optional(),
    })
    .refine((b) => (b.streams?.length ?? 0) + (b.events?.length ?? 0) > 0, {
      message: 'an append needs at least one event, in streams or in events',
      path: ['streams'],
    })
    .refine((b) => new Set((b.streams ?? []).map((s) => s.stream)).size === (b.streams ?? []).length, {
      message: 'each stream may appear once per append',
      path: ['streams'],
    })
    .superRefine((b, ctx) => {
      // The limit is per request, not per stream: the commit takes every event at once.
      const count = (b.streams ?? []).reduce((n, s) => n + s.events.length, 0) + (b.events?.length ?? 0)
      if (count > max) {
        ctx.addIssue({
          code: 'custom',
          path: ['streams'],
          message: `at most ${max} events per append (MAX_EVENTS_PER_APPEND), counting every stream and the stream-less events; this one has ${count}`,
        })
      }
      const events: EventAt[] = []
      b.streams?.forEach((s, i) => s.events.forEach((e, j) => events.push({ id: e.id, at: ['streams', i, 'events', j] })))
      b.events?.forEach((e, i) => events.push({ id: e.id, at: ['events', i] }))
      uniqueIds(events, ctx)
    })
    .openapi('MultiStreamAppend')

export const EventOut = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    stream: z.string().nullable().openapi({ description: 'null for a stream-less (DCB) event' }),
    type: z.string(),
    revision: z.number().int().nullable().openapi({ description: 'within its stream, from 0; null for a stream-less event' }),
    position: z.number().int(),
    time: z.string().openapi({ format: 'date-time' }),
    data: z.unknown().openapi({ description: 'the event data as appended (any JSON value; null when absent)' }),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    tags: z.array(z.string()),
    erased: z.literal(true).optional().openapi({ description: "present when the event's data subject was erased: data and metadata are null" }),
  })
  .openapi('Event')

/** An appended stream event: its revision is a number. */
export const Appended = z.object({ id: z.string().openapi({ format: 'uuid' }), revision: z.number().int(), position: z.number().int() }).openapi('AppendedEvent')
/** An appended stream-less (DCB) event: no revision. */
export const AppendedStreamless = z
  .object({ id: z.string().openapi({ format: 'uuid' }), revision: z.null(), position: z.number().int() })
  .openapi('AppendedStreamlessEvent')

export const StreamAppendResult = z
  .object({
    stream: z.string(),
    firstRevision: z.number().int(),
    lastRevision: z.number().int(),
    firstPosition: z.number().int(),
    lastPosition: z.number().int(),
    events: z.array(Appended),
  })
  .openapi('StreamAppendResult')

export const MultiAppendResult = z
  .object({ position: z.number().int(), streams: z.array(StreamAppendResult), events: z.array(AppendedStreamless) })
  .openapi('MultiAppendResult')

export const Head = z.object({ stream: z.string(), revision: z.number().int(), position: z.number().int() }).openapi('StreamHead')

export const StreamPage = z
  .object({ stream: z.string(), events: z.array(EventOut), next: z.number().int().nullable() })
  .openapi('StreamPage')

export const LogPage = z.object({ events: z.array(EventOut), next: z.number().int() }).openapi('LogPage')

export const QueryPage = z
  .object({
    events: z.array(EventOut),
    next: z.number().int().nullable().openapi({ description: 'from for the next page; null when every match up to position was returned' }),
    position: z.number().int().openapi({ description: 'the last committed position this read is consistent with; pass it as condition.after' }),
  })
  .openapi('QueryPage')

const problemFields = {
  title: z.string(),
  status: z.number().int(),
  detail: z.string().openapi({ description: 'what happened and what to fix' }),
  instance: z.string().optional().openapi({ description: 'the request path' }),
}

/** Any RFC 9457 problem document of edgelog. */
export const Problem = z
  .object({ type: z.string().openapi({ format: 'uri' }), ...problemFields })
  .catchall(z.unknown())
  .openapi('Problem')

/** The problem of one kind: a literal `type` (clients narrow on it) and its extensions. */
const problemOf = <E extends Record<string, z.ZodType>>(kind: string, name: string, extensions: E = {} as E) =>
  z.object({ type: z.literal(`https://edgelog.dev/problems/${kind}`), ...problemFields, ...extensions }).openapi(name)

export const Problems = {
  invalidRequest: problemOf('invalid-request', 'InvalidRequestProblem', {
    errors: z.array(z.object({ path: z.string().openapi({ description: 'dotted path of the field, e.g. events.0.type' }), message: z.string() })).optional(),
  }),
  malformedBody: problemOf('malformed-body', 'MalformedBodyProblem'),
  unauthorized: problemOf('unauthorized', 'UnauthorizedProblem'),
  forbidden: problemOf('forbidden', 'ForbiddenProblem'),
  notFound: problemOf('not-found', 'NotFoundProblem'),
  streamNotFound: problemOf('stream-not-found', 'StreamNotFoundProblem', { stream: z.string() }),
  consumerNotFound: problemOf('consumer-not-found', 'ConsumerNotFoundProblem', { consumer: z.string() }),
  notAcceptable: problemOf('not-acceptable', 'NotAcceptableProblem'),
  wrongExpectedRevision: problemOf('wrong-expected-revision', 'WrongExpectedRevisionProblem', {
    stream: z.string(),
    expectedRevision: ExpectedRevision,
    actualRevision: z.number().int().nullable().openapi({ description: "the stream's revision; null when it does not exist" }),
  }),
  conditionFailed: problemOf('condition-failed', 'ConditionFailedProblem', {
    after: z.number().int().nullable().openapi({ description: 'the condition\'s after (null when absent)' }),
    positions: z.array(z.number().int()).openapi({ description: 'up to 10 positions of events that matched failIfEventsMatch' }),
  }),
  eventIdReused: problemOf('event-id-reused', 'EventIdReusedProblem', { eventId: z.string() }),
  checkpointBehind: problemOf('checkpoint-behind', 'CheckpointBehindProblem', {
    consumer: z.string(),
    position: z.number().int().openapi({ description: 'the stored checkpoint (kept)' }),
    requested: z.number().int(),
  }),
  preconditionFailed: problemOf('precondition-failed', 'PreconditionFailedProblem', {
    stream: z.string(),
    expectedRevision: ExpectedRevision,
    actualRevision: z.number().int().nullable(),
  }),
  payloadTooLarge: problemOf('payload-too-large', 'PayloadTooLargeProblem'),
  unsupportedMediaType: problemOf('unsupported-media-type', 'UnsupportedMediaTypeProblem'),
  notImplemented: problemOf('not-implemented', 'NotImplementedProblem'),
  unavailable: problemOf('unavailable', 'UnavailableProblem'),
  commitOutcomeUnknown: problemOf('commit-outcome-unknown', 'CommitOutcomeUnknownProblem', {
    eventIds: z.array(z.string()).optional().openapi({ description: "the append's event ids (also those the server chose): retry with exactly these" }),
  }),
  appendRefused: problemOf('append-refused', 'AppendRefusedProblem'),
  streamDeleted: problemOf('stream-deleted', 'StreamDeletedProblem', { stream: z.string() }),
  streamTombstoned: problemOf('stream-tombstoned', 'StreamTombstonedProblem', { stream: z.string() }),
  subjectErased: problemOf('subject-erased', 'SubjectErasedProblem'),
  retentionNotFound: problemOf('retention-not-found', 'RetentionNotFoundProblem'),
  subjectNotFound: problemOf('subject-not-found', 'SubjectNotFoundProblem'),
  tooManySubscriptions: problemOf('too-many-subscriptions', 'TooManySubscriptionsProblem', { maxSubscriptions: z.number().int().optional() }),
}

const nonNegative = (name: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .openapi({ type: 'integer', minimum: 0 })

export const pageLimit = (max: number) =>
  nonNegative('limit')
    .pipe(z.number().min(1, 'limit must be at least 1').max(max, `limit must be at most ${max} (MAX_PAGE_SIZE)`))
    .openapi({ type: 'integer', minimum: 1, maximum: max, description: `events per page (default 100, at most ${max})` })

export const Cursor = (name: string) => nonNegative(name)

export const csv = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))

/**
 * Comma-separated types or tags of a read filter: as many as one query item holds
 * (MAX_ITEM_TERMS), since each becomes a term of the SQL statement.
 */
export const csvTerms = (what: 'types' | 'tags') =>
  csv.pipe(z.array(what === 'types' ? EventType : Tag).max(MAX_ITEM_TERMS, `at most ${MAX_ITEM_TERMS} ${what}, as in a query item`))

export const ConsumerName = z.string().regex(CONSUMER_NAME, 'a consumer name is 1-200 characters from A-Z a-z 0-9 _ . : @ + = -, not . or ..')

/** A category: a stream name's part before its first `-`. */
export const CategoryName = z.string().regex(/^(?!\.\.?$)[A-Za-z0-9_.:@+=]{1,200}$/, 'a category is 1-200 characters from A-Z a-z 0-9 _ . : @ + =, not . or ..')

export const MAX_WAIT_MS = 60_000

/** `wait=30s`, `wait=500ms` or `wait=30` (seconds), at most 60 s: a long poll. */
export const WaitParam = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,3})?(ms|s)?$/, 'wait is a duration such as 30s, 500ms or 30 (seconds)')
  .transform((s) => (s.endsWith('ms') ? Number(s.slice(0, -2)) : Number(s.replace(/s$/, '')) * 1000))
  .pipe(z.number().max(MAX_WAIT_MS, `wait is at most ${MAX_WAIT_MS / 1000}s`))
  .openapi({ description: 'long poll: hold the request until an event at/after `from` exists, at most this long (e.g. 30s)', example: '30s' })

/** The `Last-Event-ID` header of an SSE reconnect: the position of the last event received. */
export const LastEventId = z
  .string()
  .regex(/^\s*\d{1,15}\s*$/, 'Last-Event-ID must be a position (the id: of the last event received)')
  .transform(Number)
  .optional()

export const positiveInt = (name: string) => Cursor(name).pipe(z.number().min(1, `${name} must be at least 1`))

/** A consumer group: `member` of `size` members (size 1-1024) reads its share of a category. */
export const GroupMember = Cursor('member')
export const GroupSize = positiveInt('size').pipe(z.number().max(1024, 'size must be at most 1024'))

/**
 * The consumer-group checks of a query with `member` and `size`: both or neither, member
 * below size; with `needsCategory`, a group also needs `category` (which it splits).
 */
export const groupChecks =
  (needsCategory = false) =>
  (q: { member?: number; size?: number; category?: string }, ctx: z.RefinementCtx): void => {
    if ((q.member === undefined) !== (q.size === undefined)) ctx.addIssue({ code: 'custom', message: 'member and size go together', path: ['member'] })
    if (needsCategory && q.size !== undefined && q.category === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a consumer group (member, size) splits a category: add category', path: ['member'] })
    }
    if (q.member !== undefined && q.size !== undefined && q.member >= q.size) ctx.addIssue({ code: 'custom', message: 'member must be below size', path: ['member'] })
  }

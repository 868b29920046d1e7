/** The wire types of the edgelog HTTP API v1 (docs/api.md), JSON form. */

/**
 * The comment that ends an event stream of `GET /v1/subscribe` as asked (live=false caught
 * up, or `max` events delivered). A stream that ends without it ended early (the server
 * restarted or failed): reconnect with Last-Event-ID.
 */
export const END_COMMENT = 'end: as asked (caught up, or max events)'

/** A JSON value: what `data` holds once read back over JSON. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** The expected revision of a stream: a number, or one of the named expectations. */
export type ExpectedRevision = number | 'any' | 'no_stream' | 'stream_exists'

/** An event to append. `id` (a UUID) is its idempotency key; the server assigns a UUIDv7 when absent. */
export interface NewEvent<D = unknown> {
  id?: string
  type: string
  data?: D
  metadata?: Record<string, unknown> | null
  tags?: string[]
}

/** An event as read. `stream` and `revision` are null for stream-less (DCB) events. */
export interface RecordedEvent<D = unknown> {
  id: string
  stream: string | null
  type: string
  revision: number | null
  position: number
  time: string
  data: D
  metadata: Record<string, unknown> | null
  tags: string[]
}

/** An event read from a stream: it has a stream and a revision. */
export type StreamEvent<D = unknown> = RecordedEvent<D> & { stream: string; revision: number }

export interface AppendedEvent {
  id: string
  revision: number
  position: number
}

export interface StreamAppendResult {
  stream: string
  firstRevision: number
  lastRevision: number
  firstPosition: number
  lastPosition: number
  events: AppendedEvent[]
  /** true when this is the original result of an earlier append with the same event ids */
  replayed: boolean
}

export interface MultiAppendResult {
  position: number
  streams: Omit<StreamAppendResult, 'replayed'>[]
  /** the stream-less events, in request order */
  events: Array<{ id: string; revision: null; position: number }>
  replayed: boolean
}

export interface StreamHead {
  stream: string
  revision: number
  position: number
}

export interface StreamPage<D = unknown> {
  stream: string
  events: StreamEvent<D>[]
  /** the revision to read from next, null at the end */
  next: number | null
}

export interface LogPage<D = unknown> {
  events: RecordedEvent<D>[]
  /** the position to read from next */
  next: number
}

/** A DCB query item: events of one of `types` (any type when absent) carrying all `tags`. */
export interface QueryItem {
  types?: string[]
  tags?: string[]
}

export interface QueryPage<D = unknown> {
  events: RecordedEvent<D>[]
  /** `from` for the next page; null when every match up to `position` was returned */
  next: number | null
  /** the last committed position this read is consistent with: pass it as `condition.after` */
  position: number
}

export interface AppendCondition {
  failIfEventsMatch: QueryItem[]
  after?: number
}

export interface MultiAppend {
  streams?: Array<{ stream: string; expectedRevision?: ExpectedRevision; events: NewEvent[] }>
  events?: NewEvent[]
  condition?: AppendCondition
}

export interface Checkpoint {
  name: string
  position: number
  updatedAt: string
}

import type { ExpectedRevision } from './expectedRevision.ts'

/** An event as a client proposes it, after validation and payload encoding. */
export interface ProposedEvent {
  id: string
  /** the UUID's 16 bytes, as stored and indexed */
  idBytes: Uint8Array
  /** true when the client chose the id (only then can it be a retry) */
  clientId: boolean
  type: string
  data: Uint8Array | null
  metadata: Uint8Array | null
  tags: string[]
  /** encoded size in bytes, for batch limits */
  size: number
}

/** A stored event as the store returns it; payloads stay encoded until rendered. */
export interface StoredEvent {
  id: string
  stream: string | null
  type: string
  revision: number | null
  position: number
  time: number
  data: Uint8Array | null
  metadata: Uint8Array | null
  tags: string[]
  /** the event's data subject was erased: data and metadata are gone (lifecycleSubjects.ts) */
  erased?: boolean
}

export interface StreamAppend {
  stream: string
  expected: ExpectedRevision
  events: ProposedEvent[]
}

/** A DCB query item: events of one of `types` (any type if absent) carrying all `tags`. */
export interface QueryItem {
  types?: string[]
  tags?: string[]
}

export interface AppendCondition {
  failIfEventsMatch: QueryItem[]
  after?: number
}

/** One append request as it enters the writer: all of it commits, or none of it. */
export interface AppendCommand {
  streams: StreamAppend[]
  /** stream-less (DCB) events, addressed by their tags */
  events?: ProposedEvent[]
  condition?: AppendCondition
}

export interface AppendedEvent {
  id: string
  revision: number | null
  position: number
}

export interface StreamAppendResult {
  stream: string
  firstRevision: number
  lastRevision: number
  firstPosition: number
  lastPosition: number
  events: AppendedEvent[]
}

export interface AppendResult {
  streams: StreamAppendResult[]
  /** stream-less events, in request order */
  events: AppendedEvent[]
  /** the last position this append wrote */
  position: number
  /** true when every event id was already stored: the original result, nothing written */
  replayed: boolean
}

export interface StreamHead {
  stream: string
  revision: number
  position: number
}

export type Direction = 'forward' | 'backward'

/** A page's byte budget (MAX_PAGE_BYTES): a read stops before the page passes it (always one event). */
export interface ByteBudget {
  maxBytes?: number
}

export interface ReadStreamOptions extends ByteBudget {
  from?: number
  limit: number
  direction: Direction
}

export interface ReadAllOptions extends ByteBudget {
  from: number
  limit: number
  types?: string[]
  tags?: string[]
}

export interface QueryOptions extends ByteBudget {
  /** first position to read (inclusive) */
  from: number
  limit: number
}

/**
 * Events as a read returns them. `cut` is true when the read stopped before `limit` for its
 * byte budget: more events follow at once (a short page without it holds everything up to
 * the head).
 */
export type EventList = StoredEvent[] & { cut?: boolean }

/** A page of a DCB query and the log position the read is consistent with. */
export interface QueryPage {
  events: EventList
  /** the last committed position in the read's snapshot: a condition's `after` */
  position: number
}

export interface ReadCategoryOptions extends ByteBudget {
  from: number
  limit: number
  member?: number
  size?: number
}

/**
 * Where a commit group goes. Implementations evaluate each command's conditions on its
 * own (one failure never fails a neighbour) and write the accepted ones in one
 * transaction. A thrown error means nothing of the group was written.
 */
export interface CommitBackend {
  commitGroup(commands: AppendCommand[]): Promise<Array<AppendResult | Error>>
  /**
   * The sole writer's committed events, as a read would return them, after each commit and
   * in commit order, before commitGroup resolves (subscriptions take them without a read).
   * `events()` builds them on the first call (no cost for a listener that wants none now).
   */
  onCommitted?(listener: (events: () => StoredEvent[]) => void): void
  /**
   * Runs a lifecycle operation (delete, truncate) between commit groups, then forgets what
   * it cached about `streams` (docs/api.md "Data lifecycle").
   */
  exclusive?<T>(streams: string[], fn: () => Promise<T>): Promise<T>
  /**
   * Stream-head cache effectiveness (sole writer), and without a cache how many groups
   * committed in one write batch vs fell back to command-by-command evaluation.
   */
  stats?(): { headCacheHits: number; headCacheMisses: number; oneTripGroups: number; fallbackGroups: number }
}

/** The read side of a store. */
export interface EventReader {
  readStream(stream: string, options: ReadStreamOptions): Promise<EventList>
  head(stream: string): Promise<StreamHead | null>
  readAll(options: ReadAllOptions): Promise<EventList>
  readCategory(category: string, options: ReadCategoryOptions): Promise<EventList>
  /** events matching a DCB query from a position, with the position the page is consistent with */
  query(items: QueryItem[], options: QueryOptions): Promise<QueryPage>
  /** the last committed position (0 when empty) */
  lastPosition(): Promise<number>
  ping(): Promise<void>
}

/** A payload codec: standard CBOR in the store. */
export interface Codec {
  encode(value: unknown): Uint8Array<ArrayBuffer>
  decode(bytes: Uint8Array): unknown
  /** a client's CBOR body: as decode, but every map key kept as sent (`__proto__` too) */
  decodeBody(bytes: Uint8Array): unknown
}

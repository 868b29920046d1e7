import { hex } from '../core/hex.ts'
import { eventIdReused, invalidRequest } from '../core/errors.ts'
import type { AppendCommand, AppendedEvent, AppendResult, ProposedEvent, StreamAppendResult } from '../core/types.ts'

/** What the group's read found for a client-chosen event id. */
export interface StoredId {
  stream: string | null
  revision: number | null
  position: number
  type: string
  /** the tags column as stored: JSON text, null for none */
  tags: string | null
  data: Uint8Array | null
  metadata: Uint8Array | null
}

const sameBytes = (a: Uint8Array | null, b: Uint8Array | null) => {
  if (a === null || b === null) return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
const tagsColumn = (tags: string[]) => (tags.length ? JSON.stringify(tags) : null)

/**
 * Would `e` be stored as `f` is? Same tags, data and metadata bytes (the codec encodes a
 * value the same way every time). A retry that changes any of them is another event: a
 * 201 for it would acknowledge what was never written.
 */
const sameContent = (f: StoredId, e: ProposedEvent) => f.tags === tagsColumn(e.tags) && sameBytes(f.data, e.data) && sameBytes(f.metadata, e.metadata)
const sameEvent = (a: ProposedEvent, b: ProposedEvent) =>
  a.type === b.type && a.tags.length === b.tags.length && a.tags.every((t, i) => b.tags[i] === t) && sameBytes(a.data, b.data) && sameBytes(a.metadata, b.metadata)


/** A command's events in request order (streams in order, then stream-less events). */
export function eventsOf(c: AppendCommand): Array<{ e: ProposedEvent; stream: string | null }> {
  const all: Array<{ e: ProposedEvent; stream: string | null }> = []
  for (const s of c.streams) for (const e of s.events) all.push({ e, stream: s.stream })
  for (const e of c.events ?? []) all.push({ e, stream: null })
  return all
}

/**
 * What in one request the unique indexes would refuse whatever is stored: an id twice
 * (events_id) or a tag twice on one event (event_tags' primary key). It fails alone, as a
 * 400, before it can fail the transaction of its whole group.
 */
export function ownDuplicate(all: ReturnType<typeof eventsOf>): Error | undefined {
  const ids = all.length > 1 ? new Set<string>() : undefined
  for (const { e } of all) {
    if (e.tags.length > 1 && new Set(e.tags).size < e.tags.length) {
      const tag = e.tags.find((t, i) => e.tags.indexOf(t) !== i)
      return invalidRequest(`Event ${e.id} carries tag '${tag}' more than once; list each tag once.`)
    }
    if (!e.clientId || !ids) continue
    const key = hex(e.idBytes)
    if (ids.has(key)) return invalidRequest(`Event id ${e.id} appears more than once in this request; each event needs an id of its own.`)
    ids.add(key)
  }
  return undefined
}

/**
 * Is `c` the same request as `twin` (a concurrent retry in the same commit group)? The same
 * events, in the same order, each with the same id, stream, type, tags and payloads, and as many.
 */
export function sameRequest(c: AppendCommand, twin: AppendCommand): boolean {
  const a = eventsOf(c)
  const b = eventsOf(twin)
  return a.length === b.length && a.every(({ e, stream }, i) => b[i].stream === stream && sameEvent(b[i].e, e) && b[i].e.clientId && e.clientId && hex(b[i].e.idBytes) === hex(e.idBytes))
}

/**
 * All of a command's events already stored exactly as proposed: the original result. A
 * replay repeats the whole request: every event stored with the same id, stream, type, tags
 * and payload bytes,
 * in the request's order at consecutive positions (as one append stores them). Anything
 * else that names a stored id is a 409 event-id-reused: answering it with the stored
 * result would acknowledge events that were never written.
 */
export function replayOf(c: AppendCommand, existing: Map<string, StoredId>): AppendResult | Error | undefined {
  // Only client-chosen ids can have been stored before: most appends stop here.
  if (existing.size === 0) return undefined
  const all = eventsOf(c)
  const found = all.map(({ e }) => (e.clientId ? existing.get(hex(e.idBytes)) : undefined))
  const known = found.findIndex(Boolean)
  if (known === -1) return undefined
  const mismatch = all.findIndex(({ e, stream }, i) => {
    const f = found[i]
    return f !== undefined && (f.stream !== stream || f.type !== e.type || !sameContent(f, e))
  })
  if (mismatch !== -1) {
    const id = all[mismatch].e.id
    return eventIdReused(id, `Event id ${id} is already stored for a different event; a retry must repeat the same events with the same ids.`)
  }
  const missing = found.findIndex((f) => f === undefined)
  const misplaced = missing === -1 ? found.findIndex((f, i) => f!.position !== found[0]!.position + i) : -1
  if (missing !== -1 || misplaced !== -1) {
    const id = all[known].e.id
    const why = missing !== -1 ? `but event ${all[missing].e.id} of this request is not` : 'but not as this request stores them (another order or another set of events)'
    return eventIdReused(id, `Event id ${id} is already stored, ${why}; a retry must repeat the same events, in the same order, with the same ids.`)
  }
  let k = 0
  const streams: StreamAppendResult[] = c.streams.map((s) => {
    const events = s.events.map((e) => ({ id: e.id, revision: found[k]!.revision, position: found[k++]!.position }))
    return resultFor(s.stream, events)
  })
  const events = (c.events ?? []).map((e) => ({ id: e.id, revision: null, position: found[k++]!.position }))
  const position = found[found.length - 1]!.position
  return { streams, events, position, replayed: true }
}

export function resultFor(stream: string, events: AppendedEvent[]): StreamAppendResult {
  const first = events[0]
  const last = events[events.length - 1]
  return {
    stream,
    firstRevision: first.revision!,
    lastRevision: last.revision!,
    firstPosition: first.position,
    lastPosition: last.position,
    events,
  }
}

import { eventIdReused } from '../core/errors.ts'
import type { AppendCommand, AppendedEvent, AppendResult, StreamAppendResult } from '../core/types.ts'

/** What the group's read found for a client-chosen event id. */
export interface StoredId {
  stream: string | null
  revision: number | null
  position: number
  type: string
}

/** Map key for an id's 16 bytes. */
export const hex = (b: Uint8Array) => {
  let s = ''
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16)
  return s
}

/** All of a command's events already stored exactly as proposed: the original result. */
export function replayOf(c: AppendCommand, existing: Map<string, StoredId>): AppendResult | Error | undefined {
  // Only client-chosen ids can have been stored before: most appends stop here.
  if (existing.size === 0) return undefined
  const all = [...c.streams.flatMap((s) => s.events.map((e) => ({ e, stream: s.stream as string | null }))),
    ...(c.events ?? []).map((e) => ({ e, stream: null }))]
  const found = all.map(({ e }) => (e.clientId ? existing.get(hex(e.idBytes)) : undefined))
  const known = found.filter(Boolean).length
  if (known === 0) return undefined
  const mismatch = all.findIndex(({ e, stream }, i) => {
    const f = found[i]
    return !f || f.stream !== stream || f.type !== e.type
  })
  if (known < all.length || mismatch !== -1) {
    const i = mismatch === -1 ? found.findIndex(Boolean) : mismatch
    const id = all[found[i] ? i : found.findIndex(Boolean)].e.id
    return eventIdReused(id, `Event id ${id} is already stored for a different event; a retry must repeat the same events with the same ids.`)
  }
  let k = 0
  const streams: StreamAppendResult[] = c.streams.map((s) => {
    const events = s.events.map((e) => ({ id: e.id, revision: found[k]!.revision, position: found[k++]!.position }))
    return resultFor(s.stream, events)
  })
  const events = (c.events ?? []).map((e) => ({ id: e.id, revision: null, position: found[k++]!.position }))
  const position = Math.max(...found.map((f) => f!.position))
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

import { SUBJECT_TAG } from './lifecycleSubjects.ts'
import type { StoredEvent } from './types.ts'

/** Streams and subjects remembered at most (the oldest are forgotten first). */
const REMEMBERED = 10_000

/**
 * What this process removed or erased, checked when a subscription hands buffered events
 * to its client (docs/api.md "Data lifecycle"): an event read before a delete, truncation,
 * retention step or erasure committed (a live subscriber's inbox, the shared tail's page)
 * is dropped if its stream's floor rose past it, and a subject's events lose their
 * payloads once the subject is erased. Reads after the commit are filtered by the database
 * itself; this only closes the window for events already in memory.
 */
export function createRemovals() {
  // stream -> its floor: events below it are removed
  const floors = new Map<string, number>()
  const erased = new Set<string>()
  const remember = <K>(m: { size: number; keys(): IterableIterator<K>; delete(k: K): boolean }) => {
    if (m.size > REMEMBERED) m.delete(m.keys().next().value as K)
  }

  const subjectOf = (e: StoredEvent): string | undefined => {
    for (const t of e.tags) if (t.startsWith(SUBJECT_TAG) && erased.has(t.slice(SUBJECT_TAG.length))) return t
    return undefined
  }

  return {
    /** A stream's events below `floor` were removed (a delete, truncation or retention step committed). */
    removed(stream: string, floor: number): void {
      const was = floors.get(stream) ?? 0
      if (floor <= was) return
      floors.delete(stream)
      floors.set(stream, floor)
      remember(floors)
    },

    /** A subject's key was destroyed. */
    erased(subject: string): void {
      erased.add(subject)
      remember(erased)
    },

    /** The events still deliverable now, erased payloads replaced by the erased marker (the array itself when nothing changed). */
    deliverable(events: StoredEvent[]): StoredEvent[] {
      if ((!floors.size && !erased.size) || !events.length) return events
      let out: StoredEvent[] | undefined
      for (let i = 0; i < events.length; i++) {
        const e = events[i]
        const floor = e.stream === null ? undefined : floors.get(e.stream)
        let kept: StoredEvent | undefined = floor !== undefined && e.revision !== null && e.revision < floor ? undefined : e
        if (kept && erased.size && e.tags.length && !e.erased && subjectOf(e)) kept = { ...e, data: null, metadata: null, erased: true }
        if (kept !== e && !out) out = events.slice(0, i)
        if (out && kept) out.push(kept)
      }
      return out ?? events
    },
  }
}

export type Removals = ReturnType<typeof createRemovals>

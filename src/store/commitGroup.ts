import type { Db, Statement } from './db.ts'
import { conditionFailed, wrongExpectedRevision } from '../core/errors.ts'
import { expectationHolds } from '../core/expected.ts'
import { matchesQuery, MAX_CONFLICTS } from '../core/query.ts'
import type {
  AppendCommand,
  AppendedEvent,
  AppendResult,
  CommitBackend,
  StreamAppendResult,
} from '../core/types.ts'
import { chunkSizes, insertStatements, type Row } from './insertEvents.ts'
import { matchingPositions } from './query.ts'
import { groupInSql } from './groupInSql.ts'
import { hex, replayOf, resultFor, type StoredId } from './replay.ts'
import { LAST_POSITION, placeholders } from './rows.ts'

export interface CommitOptions {
  /**
   * true when this process is the only writer of a local file: stream heads and the last
   * position are kept in memory. false (remote libSQL, D1, or several writer processes): a
   * group is first one write batch with its conditions in SQL (groupInSql.ts); when a guard
   * refuses, it is read fresh and evaluated command by command. Either way the unique
   * indexes are the guard; a stale guess only costs a retry.
   */
  trustCache: boolean
  /** streams whose head is kept in memory at most */
  maxCachedStreams?: number
}

interface Head {
  revision: number
  position: number
}

/** A constraint refused the write: the transaction rolled back, nothing of it stands. */
const isConstraintError = (e: unknown) => /SQLITE_CONSTRAINT|constraint failed/i.test(String((e as Error)?.message ?? e) + String((e as { code?: string })?.code ?? ''))

/** The commit backend over libSQL: evaluates each command alone, writes the group in one transaction. */
export function createCommitBackend(db: Db, options: CommitOptions): CommitBackend {
  const maxCached = options.maxCachedStreams ?? 100_000
  const chunks = chunkSizes(db.maxParams)
  const heads = new Map<string, Head | null>()
  let lastPosition: number | undefined
  let cacheHits = 0
  let oneTrip = 0
  let fallbacks = 0
  let cacheMisses = 0

  function remember(stream: string, head: Head | null) {
    heads.delete(stream)
    heads.set(stream, head)
    if (heads.size > maxCached) heads.delete(heads.keys().next().value!)
  }

  async function load(commands: AppendCommand[]) {
    const ids: Uint8Array[] = []
    const streams = new Set<string>()
    for (const c of commands) {
      for (const s of c.streams) {
        if (options.trustCache && heads.has(s.stream)) cacheHits++
        else {
          cacheMisses++
          streams.add(s.stream)
        }
        for (const e of s.events) if (e.clientId) ids.push(e.idBytes)
      }
      for (const e of c.events ?? []) if (e.clientId) ids.push(e.idBytes)
    }
    const stmts: Statement[] = []
    const wantLast = !options.trustCache || lastPosition === undefined
    if (wantLast) stmts.push(LAST_POSITION)
    const streamList = [...streams]
    for (let i = 0; i < streamList.length; i += chunks.inList) {
      const chunk = streamList.slice(i, i + chunks.inList)
      stmts.push({
        sql: `SELECT stream, max(revision) AS revision, max(position) AS position FROM events WHERE stream IN (${placeholders(chunk.length)}) GROUP BY stream`,
        args: chunk,
      })
    }
    for (let i = 0; i < ids.length; i += chunks.inList) {
      const chunk = ids.slice(i, i + chunks.inList)
      stmts.push({
        sql: `SELECT id, stream, revision, position, type FROM events WHERE id IN (${placeholders(chunk.length)})`,
        args: chunk,
      })
    }
    // DCB conditions: the first stored events matching failIfEventsMatch after `after`,
    // read in the same snapshot as the heads and the last position.
    const firstCondition = stmts.length
    const conditioned: number[] = []
    commands.forEach((c, i) => {
      if (!c.condition) return
      conditioned.push(i)
      stmts.push(matchingPositions(c.condition.failIfEventsMatch, (c.condition.after ?? -1) + 1, MAX_CONFLICTS))
    })
    const existing = new Map<string, StoredId>()
    const fresh = new Map<string, Head | null>()
    const conflicts = new Map<number, number[]>() // command index -> stored matching positions
    if (stmts.length === 0) return { existing, fresh, conflicts }
    // One round trip against a remote server; a consistent snapshot either way.
    const results = await db.batch(stmts, 'read')
    let r = 0
    if (wantLast) lastPosition = Number(results[r++].rows[0].p)
    for (const s of streamList) fresh.set(s, null)
    conditioned.forEach((command, k) => conflicts.set(command, results[firstCondition + k].rows.map((row) => Number(row.p))))
    for (; r < firstCondition; r++) {
      for (const row of results[r].rows) {
        if ('id' in row) {
          existing.set(hex(new Uint8Array(row.id as ArrayBuffer)), {
            stream: row.stream as string | null,
            revision: row.revision == null ? null : Number(row.revision),
            position: Number(row.position),
            type: row.type as string,
          })
        } else {
          fresh.set(row.stream as string, { revision: Number(row.revision), position: Number(row.position) })
        }
      }
    }
    return { existing, fresh, conflicts }
  }

  async function attempt(commands: AppendCommand[]): Promise<Array<AppendResult | Error>> {
    const { existing, fresh, conflicts } = await load(commands)
    const headOf = (s: string): Head | null => (fresh.has(s) ? fresh.get(s)! : heads.get(s) ?? null)
    const overlay = new Map<string, Head | null>()
    const pendingIds = new Map<string, number>() // id -> index of the command in this group
    const outcomes: Array<AppendResult | Error> = []
    const rows: Row[] = []
    let position = lastPosition!
    const time = Date.now()

    commands.forEach((c, index) => {
      // A duplicate of a command earlier in this group (a concurrent retry) gets its outcome.
      const first = c.streams[0]?.events[0] ?? c.events?.[0]
      const twin = first?.clientId ? pendingIds.get(hex(first.idBytes)) : undefined
      if (twin !== undefined) {
        const o = outcomes[twin]
        outcomes.push(o instanceof Error ? o : { ...o, replayed: true })
        return
      }
      const replay = replayOf(c, existing)
      if (replay) return void outcomes.push(replay)

      for (const s of c.streams) {
        const head = overlay.has(s.stream) ? overlay.get(s.stream)! : headOf(s.stream)
        const actual = head ? head.revision : null
        if (!expectationHolds(s.expected, actual)) {
          return void outcomes.push(wrongExpectedRevision(s.stream, s.expected, actual))
        }
      }
      if (c.condition) {
        // Stored events from the snapshot, then events accepted earlier in this group (not
        // in the database yet). The position primary key guards the gap between this read
        // and the write: a commit by anyone else in between fails our insert, and the
        // group is evaluated again.
        const { failIfEventsMatch, after = -1 } = c.condition
        const found = [...(conflicts.get(index) ?? [])]
        for (const row of rows) {
          if (found.length >= MAX_CONFLICTS) break
          if (row.position > after && matchesQuery(row.event, failIfEventsMatch)) found.push(row.position)
        }
        if (found.length) return void outcomes.push(conditionFailed(c.condition.after ?? null, found.slice(0, MAX_CONFLICTS)))
      }
      const streams: StreamAppendResult[] = []
      for (const s of c.streams) {
        const head = overlay.has(s.stream) ? overlay.get(s.stream)! : headOf(s.stream)
        let revision = head ? head.revision : -1
        const appended: AppendedEvent[] = []
        for (const e of s.events) {
          revision++
          position++
          rows.push({ position, event: e, stream: s.stream, revision })
          appended.push({ id: e.id, revision, position })
        }
        overlay.set(s.stream, { revision, position })
        streams.push(resultFor(s.stream, appended))
      }
      const loose: AppendedEvent[] = []
      for (const e of c.events ?? []) {
        position++
        rows.push({ position, event: e, stream: null, revision: null })
        loose.push({ id: e.id, revision: null, position })
      }
      for (const s of c.streams) for (const e of s.events) if (e.clientId) pendingIds.set(hex(e.idBytes), index)
      for (const e of c.events ?? []) if (e.clientId) pendingIds.set(hex(e.idBytes), index)
      outcomes.push({ streams, events: loose, position, replayed: false })
    })

    if (rows.length > 0) await db.batch(insertStatements(rows, time, chunks), 'write')
    if (options.trustCache) {
      for (const [s, h] of fresh) remember(s, h)
      for (const [s, h] of overlay) remember(s, h)
      lastPosition = position
    } else {
      lastPosition = undefined
    }
    return outcomes
  }

  return {
    async commitGroup(commands) {
      if (!options.trustCache) {
        // Nothing trusted in memory: first the whole group in one write batch, conditions in
        // SQL. A refused guard or constraint means it rolled back: evaluate command by
        // command below. Any other error (a lost connection) may hide a commit that went
        // through, so it fails the group instead of writing it again.
        const plan = groupInSql(commands, Date.now(), db.maxParams ?? 32766, chunks.inList)
        try {
          const outcomes = plan.results(await db.batch(plan.stmts, 'write'))
          oneTrip++
          return outcomes
        } catch (e) {
          if (!isConstraintError(e)) throw e
          fallbacks++
        }
      }
      for (let tries = 1; ; tries++) {
        try {
          return await attempt(commands)
        } catch (e) {
          // Another writer got there first (remote mode, or a second process on the
          // file): forget what we believed and evaluate the group again.
          heads.clear()
          lastPosition = undefined
          if (!isConstraintError(e) || tries >= 5) throw e
        }
      }
    },
    stats: () => ({ headCacheHits: cacheHits, headCacheMisses: cacheMisses, oneTripGroups: oneTrip, fallbackGroups: fallbacks }),
  }
}

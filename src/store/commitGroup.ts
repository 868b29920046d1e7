import type { Db, Statement } from './db.ts'
import { afterBeyondLog, appendRefused, conditionFailed, databaseFault, eventIdReused, isEdgelogError } from '../core/errors.ts'
import { expectationHolds, wrongExpectedRevision } from '../core/expectedRevision.ts'
import { streamTombstoned } from '../core/lifecycle.ts'
import { matchesQuery, MAX_CONFLICTS } from '../core/query.ts'
import type {
  AppendCommand,
  AppendedEvent,
  AppendResult,
  CommitBackend,
  StoredEvent,
  StreamAppendResult,
} from '../core/types.ts'
import { chunkSizes, insertStatements, type Row } from './insertEvents.ts'
import { matchingPositions } from './query.ts'
import { groupInSql } from './groupInSql.ts'
import { hex } from '../core/hex.ts'
import { uuidToString } from '../core/uuid.ts'
import { eventsOf, ownDuplicate, replayOf, resultFor, sameRequest, type StoredId } from './replay.ts'
import { LAST_POSITION, placeholders } from './rows.ts'

export interface CommitOptions {
  /**
   * true when this process is the only writer of a local file: stream heads and the last
   * position are kept in memory. false (remote libSQL, D1, or several writer processes): a
   * group is first one write batch with its conditions in SQL (groupInSql.ts); when a guard
   * refuses, it is read fresh and evaluated command by command. Either way the unique
   * indexes are the guard; a stale guess only costs a retry.
   */
  soleWriter: boolean
  /** streams whose head is kept in memory at most */
  maxCachedStreams?: number
}

interface Head {
  revision: number
  position: number
  /** soft-deleted and not written since: expectations see no stream, revisions continue */
  deleted?: boolean
  /** tombstoned: no append is accepted */
  hard?: boolean
}

type Outcome = AppendResult | Error

/** A group evaluated command by command against one read. */
interface Round {
  /** each command's outcome; for an accepted one, positions as this process computed them */
  outcomes: Outcome[]
  /** the commands to write, in group order */
  accepted: number[]
  /** command index -> index of the earlier command of this group it repeats */
  twins: Map<number, number>
  rows: Row[]
  /** the last committed position the evaluation read */
  base: number
  overlay: Map<string, Head | null>
  fresh: Map<string, Head | null>
  time: number
}

/** A constraint refused the write: the transaction rolled back, nothing of it stands. */
const isConstraintError = (e: unknown) => /SQLITE_CONSTRAINT|constraint failed/i.test(String((e as Error)?.message ?? e) + String((e as { code?: string })?.code ?? ''))
/** `UNIQUE constraint failed: t.c` without the driver's wrapping, for a problem document. */
const constraintOf = (e: unknown) => /[A-Z ]*constraint failed(: [\w., ]+)?/i.exec(String((e as Error)?.message ?? e))?.[0]?.trim() ?? 'a constraint failed'

/**
 * The commit backend over libSQL: evaluates each command alone, writes the group in one
 * transaction. A refusal that belongs to one request fails that request alone; only a
 * fault of the database (I/O, disk full, unreachable) fails the group.
 */
export function createCommitBackend(db: Db, options: CommitOptions): CommitBackend & { trustedHead(stream: string): { revision: number; position: number } | undefined } {
  const maxCached = options.maxCachedStreams ?? 100_000
  const chunks = chunkSizes(db.maxParams)
  const heads = new Map<string, Head | null>()
  const committedListeners: Array<(events: () => StoredEvent[]) => void> = []
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
  /**
   * A stream's head as this sole writer last committed it, for reads (GET .../head): only a
   * live stream's, so a deleted or tombstoned one is read from the database (its 404/410).
   * Lifecycle operations forget a stream's entry before and after they change it; what
   * retention removes leaves the head standing (stream_lifecycle keeps it).
   */
  function trustedHead(stream: string): { revision: number; position: number } | undefined {
    if (!options.soleWriter) return undefined
    const h = heads.get(stream)
    return h && !h.deleted && !h.hard ? h : undefined
  }
  function forget() {
    heads.clear()
    lastPosition = undefined
  }

  async function load(commands: AppendCommand[]) {
    const ids: Uint8Array[] = []
    const streams = new Set<string>()
    for (const c of commands) {
      for (const s of c.streams) {
        if (options.soleWriter && heads.has(s.stream)) cacheHits++
        else {
          cacheMisses++
          streams.add(s.stream)
        }
      }
      for (const s of c.streams) for (const e of s.events) if (e.clientId) ids.push(e.idBytes)
      for (const e of c.events ?? []) if (e.clientId) ids.push(e.idBytes)
    }
    const stmts: Statement[] = []
    const wantLast = !options.soleWriter || lastPosition === undefined
    if (wantLast) stmts.push(LAST_POSITION)
    const streamList = [...streams]
    for (let i = 0; i < streamList.length; i += chunks.inList) {
      const chunk = streamList.slice(i, i + chunks.inList)
      stmts.push({
        sql: `SELECT stream, max(revision) AS revision, max(position) AS position FROM events WHERE stream IN (${placeholders(chunk.length)}) GROUP BY stream`,
        args: chunk,
      })
      // What removed events left behind (a delete, truncation, retention): merged below.
      stmts.push({ sql: `SELECT stream, last_revision, last_position, deleted_revision, hard FROM stream_lifecycle WHERE stream IN (${placeholders(chunk.length)})`, args: chunk })
    }
    for (let i = 0; i < ids.length; i += chunks.inList) {
      const chunk = ids.slice(i, i + chunks.inList)
      stmts.push({
        sql: `SELECT id, stream, revision, position, type, tags, data, metadata FROM events WHERE id IN (${placeholders(chunk.length)})`,
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
            tags: (row.tags as string | null) ?? null,
            data: row.data == null ? null : new Uint8Array(row.data as ArrayBuffer),
            metadata: row.metadata == null ? null : new Uint8Array(row.metadata as ArrayBuffer),
          })
        } else if ('last_revision' in row) {
          const s = row.stream as string
          const live = fresh.get(s)
          const revision = Math.max(live?.revision ?? -1, Number(row.last_revision))
          const position = Math.max(live?.position ?? 0, Number(row.last_position))
          fresh.set(s, { revision, position, deleted: row.deleted_revision != null && Number(row.deleted_revision) === revision, hard: Number(row.hard) === 1 })
        } else {
          fresh.set(row.stream as string, { revision: Number(row.revision), position: Number(row.position) })
        }
      }
    }
    return { existing, fresh, conflicts }
  }

  /** Reads what the group needs and decides each command on its own, in group order. */
  async function evaluate(commands: AppendCommand[]): Promise<Round> {
    const { existing, fresh, conflicts } = await load(commands)
    const headOf = (s: string): Head | null => (fresh.has(s) ? fresh.get(s)! : heads.get(s) ?? null)
    const overlay = new Map<string, Head | null>()
    const pendingIds = new Map<string, number>() // id -> index of the accepted command in this group
    const outcomes: Outcome[] = []
    const accepted: number[] = []
    const twins = new Map<number, number>()
    const rows: Row[] = []
    const base = lastPosition!
    let position = base
    const time = Date.now()

    commands.forEach((c, index) => {
      const all = eventsOf(c)
      const own = ownDuplicate(all)
      if (own) return void outcomes.push(own)
      // An id of a command accepted earlier in this group: a concurrent retry only if it is
      // the same request, event for event; anything else reuses the id.
      const reused = pendingIds.size ? all.find(({ e }) => e.clientId && pendingIds.has(hex(e.idBytes))) : undefined
      if (reused) {
        const twin = pendingIds.get(hex(reused.e.idBytes))!
        if (sameRequest(c, commands[twin])) {
          twins.set(index, twin)
          return void outcomes.push(outcomes[twin]) // replaced once the twin is written
        }
        const id = reused.e.id
        return void outcomes.push(eventIdReused(id, `Event id ${id} belongs to another request committed with this one; a retry must repeat the same events with the same ids.`))
      }
      const replay = replayOf(c, existing)
      if (replay) return void outcomes.push(replay)
      // `after` beyond the log would make the condition match nothing, forever.
      if (c.condition?.after !== undefined && c.condition.after > base) return void outcomes.push(afterBeyondLog(c.condition.after, base))

      for (const s of c.streams) {
        const head = overlay.has(s.stream) ? overlay.get(s.stream)! : headOf(s.stream)
        if (head?.hard) return void outcomes.push(streamTombstoned(s.stream))
        const actual = head && !head.deleted ? head.revision : null
        if (!expectationHolds(s.expected, actual)) {
          return void outcomes.push(wrongExpectedRevision(s.stream, s.expected, actual))
        }
      }
      if (c.condition) {
        // Stored events from the snapshot, then events accepted earlier in this group (not
        // in the database yet, all after `after`, which is a committed position).
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
      for (const { e } of all) if (e.clientId) pendingIds.set(hex(e.idBytes), index)
      accepted.push(index)
      outcomes.push({ streams, events: loose, position, replayed: false })
    })
    return { outcomes, accepted, twins, rows, base, overlay, fresh, time }
  }

  /**
   * Writes a round's accepted commands in one transaction. The sole writer writes the
   * positions it computed; otherwise the batch re-checks every guard in SQL and the
   * database assigns positions and revisions, so a commit by another process in between
   * can refuse a guard (the read was stale) but never collide on a position.
   */
  async function write(commands: AppendCommand[], round: Round): Promise<Outcome[]> {
    const { outcomes } = round
    if (options.soleWriter) {
      await db.batch(insertStatements(round.rows, round.time, chunks), 'write')
      for (const [s, h] of round.fresh) remember(s, h)
      for (const [s, h] of round.overlay) remember(s, h)
      lastPosition = round.rows.length ? round.rows[round.rows.length - 1].position : round.base
      if (committedListeners.length && round.rows.length) {
        // as a read returns them (rows.ts), the id in its canonical form from the stored
        // bytes; built only if a listener wants them (live subscribers), once for all
        let events: StoredEvent[] | undefined
        const committed = () =>
          (events ??= round.rows.map(({ position, event: e, stream, revision }) => ({
            position, id: uuidToString(e.idBytes), stream, revision, type: e.type, time: round.time, data: e.data, metadata: e.metadata, tags: e.tags,
          })))
        for (const l of committedListeners) l(committed)
      }
    } else {
      const plan = groupInSql(round.accepted.map((i) => commands[i]), round.time, chunks)
      const written = plan.results(await db.batch(plan.stmts, 'write'))
      round.accepted.forEach((i, k) => (outcomes[i] = written[k]))
      lastPosition = undefined
    }
    for (const [i, twin] of round.twins) outcomes[i] = { ...(outcomes[twin] as AppendResult), replayed: true }
    return outcomes
  }

  /**
   * Evaluates and writes a group until it stands. A refused write is either stale or
   * deterministic. Stale: another process committed since the read, so read again. Each
   * such retry follows someone else's progress, and without trusted memory it changes a
   * verdict (only from accept to refuse: a head, a stored id, a matching event never goes
   * away), so it ends after at most one round per command. Deterministic: nobody else
   * committed, or a fresh read decided the same commands again; then the offending request
   * is isolated by halving the group, and fails alone with a 4xx.
   */
  async function settle(commands: AppendCommand[]): Promise<Outcome[]> {
    if (commands.length === 0) return []
    let refused: string | undefined // the accepted commands of the last round refused as stale
    for (;;) {
      const round = await evaluate(commands)
      if (round.accepted.length === 0) return round.outcomes
      try {
        return await write(commands, round)
      } catch (e) {
        if (!isConstraintError(e)) throw e
        forget()
        const last = Number((await db.execute(LAST_POSITION)).rows[0].p)
        const accepted = round.accepted.join()
        // The sole writer's positions are its own: another writer (a misconfiguration) can
        // only collide with them, so its commits alone justify a retry.
        if (last !== round.base && (options.soleWriter || accepted !== refused)) {
          refused = accepted
          continue
        }
        if (round.accepted.length === 1) {
          // The refusal is this command's: the others are decided again without it.
          const j = round.accepted[0]
          const others = await settle(commands.filter((_, i) => i !== j))
          return [...others.slice(0, j), appendRefused(constraintOf(e)), ...others.slice(j)]
        }
        const mid = Math.ceil(commands.length / 2)
        const left = await settle(commands.slice(0, mid))
        // The first half is committed now: a fault after it fails the second half only.
        const right = await settle(commands.slice(mid)).catch((fault: unknown) => commands.slice(mid).map(() => (isEdgelogError(fault) ? fault : databaseFault(fault))))
        return [...left, ...right]
      }
    }
  }

  // Lifecycle operations (lifecycle.ts) run between commit groups, never during one: the
  // sole writer evaluates a group against its cached heads before it writes it, and a
  // delete landing in between would be overwritten by what it had decided.
  let turn: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn, fn)
    turn = run.catch(() => {})
    return run
  }

  return {
    exclusive: (streams, fn) =>
      serial(async () => {
        // forgotten before too: trustedHead must not answer from memory while fn changes the stream
        for (const s of streams) heads.delete(s)
        try {
          return await fn()
        } finally {
          for (const s of streams) heads.delete(s) // read fresh (with stream_lifecycle) next time
        }
      }),
    commitGroup: (commands) => serial(() => commitGroup(commands)),
    onCommitted: options.soleWriter ? (listener) => void committedListeners.push(listener) : undefined,
    trustedHead,
    stats: () => ({ headCacheHits: cacheHits, headCacheMisses: cacheMisses, oneTripGroups: oneTrip, fallbackGroups: fallbacks }),
  }

  async function commitGroup(commands: AppendCommand[]): Promise<Outcome[]> {
    if (!options.soleWriter) {
      // Nothing trusted in memory: first the whole group in one write batch, conditions in
      // SQL. A refused guard or constraint means it rolled back: evaluate command by
      // command below. Any other error (a lost connection) may hide a commit that went
      // through, so it fails the group instead of writing it again.
      const plan = groupInSql(commands, Date.now(), chunks)
      try {
        const outcomes = plan.results(await db.batch(plan.stmts, 'write'))
        oneTrip++
        return outcomes
      } catch (e) {
        if (!isConstraintError(e)) throw e
        fallbacks++
      }
    }
    try {
      return await settle(commands)
    } catch (e) {
      forget()
      throw e
    }
  }
}

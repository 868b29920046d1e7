import { EdgelogError } from './errors.ts'
import { prepareEvents, type EventInput } from './events.ts'
import type { ExpectedRevision } from './expectedRevision.ts'
import type { Limits } from './limits.ts'
import type {
  AppendCommand,
  AppendCondition,
  AppendResult,
  Codec,
  CommitBackend,
  EventReader,
  ProposedEvent,
} from './types.ts'
import { GroupCommitWriter, type GroupCommitWriterOptions } from './groupCommitWriter.ts'
import type { ConsumerStore } from './consumers.ts'
import { createSubscriptions } from './subscription.ts'
import { createRemovals } from './removals.ts'
import { namesSubject, type Subjects } from './lifecycleSubjects.ts'

const noEncryption = () =>
  new EdgelogError({
    status: 501,
    kind: 'encryption-not-configured',
    title: 'Encryption not configured',
    detail: 'An event names a data subject (a subject: tag), but this server has no ENCRYPTION_KEY: it would be stored unencrypted and could not be erased.',
  })

export interface EventLogDeps {
  backend: CommitBackend
  reader: EventReader
  codec: Codec
  limits: Limits
  writer?: Partial<GroupCommitWriterOptions>
  /** named consumers' checkpoints (absent: the consumer routes answer 501) */
  consumers?: ConsumerStore
  /**
   * true when this process is the only writer of the database (store.soleWriter): its
   * writer's commits then wake subscriptions at once; otherwise they poll.
   */
  soleWriter?: boolean
  /** subscription re-read interval without a live signal (default 500 ms) */
  pollIntervalMs?: number
  /** crypto-shredding (lifecycleSubjects.ts): seals the payloads of events that name a data subject, opens them for live subscribers */
  subjects?: Pick<Subjects, 'sealEvents' | 'openEvents'>
}

export interface StreamAppendInput {
  stream: string
  expectedRevision?: ExpectedRevision
  events: EventInput[]
}

/** How an append ended: committed, an idempotent replay, a 409, a full queue (503), or a fault. */
export type AppendOutcome = 'ok' | 'replayed' | 'conflict' | 'rejected' | 'error'

export const DEFAULT_WRITER: GroupCommitWriterOptions = {
  maxBatchEvents: 2000,
  maxBatchBytes: 8 * 1024 * 1024,
  maxQueueEvents: 100_000,
}

/**
 * The event log: appends go through one group-commit writer, reads straight to the
 * store. Everything runtime-specific (driver, server, env) stays outside.
 */
export function createEventLog(deps: EventLogDeps) {
  const { reader, codec, limits } = deps
  const writer = new GroupCommitWriter(deps.backend, { ...DEFAULT_WRITER, ...deps.writer })
  const prepare = (events: EventInput[], path: string): ProposedEvent[] =>
    prepareEvents(events, codec, limits.maxEventBytes, path, limits.maxDepth)
  const appendListeners: Array<(ms: number, events: number, outcome: AppendOutcome) => void> = []
  const subjects = deps.subjects
  const submit = (command: AppendCommand): Promise<AppendResult> => {
    if (!namesSubject(command)) return submitSealed(command)
    // without ENCRYPTION_KEY a subject tag is refused: it would be stored in the clear
    if (!subjects) return Promise.reject(noEncryption())
    // held until the append is answered: an erasure of its subjects waits for it (lifecycleSubjects.ts)
    return subjects.sealEvents([...(command.events ?? []), ...command.streams.flatMap((s) => s.events)]).then((release) => submitSealed(command).finally(release))
  }
  const submitSealed = (command: AppendCommand): Promise<AppendResult> => {
    if (appendListeners.length === 0) return writer.append(command)
    const started = performance.now()
    let events = command.events?.length ?? 0
    for (const s of command.streams) events += s.events.length
    const done = (outcome: AppendOutcome) => {
      const ms = performance.now() - started
      for (const l of appendListeners) l(ms, events, outcome)
    }
    return writer.append(command).then(
      (r) => (done(r.replayed ? 'replayed' : 'ok'), r),
      (e) => {
        done(e instanceof EdgelogError && e.status === 409 ? 'conflict' : e instanceof EdgelogError && e.status === 503 ? 'rejected' : 'error')
        throw e
      },
    )
  }
  /** The command `build` makes, submitted; bad input rejects like every other failure, never throws at the call. */
  const submitting = (build: () => AppendCommand): Promise<AppendResult> => {
    try {
      return submit(build())
    } catch (e) {
      return Promise.reject(e)
    }
  }
  // what this process removed or erased, for events subscriptions hold in memory (the lifecycle routes report it)
  const removals = createRemovals()
  const subscriptions = createSubscriptions({
    reader,
    deliverable: removals.deliverable,
    onCommit: (l) => writer.onCommit(l),
    onCommitted: deps.backend.onCommitted ? (l) => deps.backend.onCommitted!(l) : undefined,
    openCommitted: subjects ? (events) => subjects.openEvents(events) : undefined,
    soleWriter: deps.soleWriter ?? false,
    pollIntervalMs: deps.pollIntervalMs,
    defaultPageSize: limits.maxPageSize,
    maxPageBytes: limits.maxPageBytes,
    maxSubscriptions: limits.maxSubscriptions,
  })

  return {
    writer,
    reader,
    codec,
    limits,
    subscriptions,
    removals,
    consumers: deps.consumers,

    /** Appends to one stream. e.g. `appendToStream('account-17', NO_STREAM, [{ type: 'Opened' }])` */
    appendToStream(stream: string, expected: ExpectedRevision, events: EventInput[]): Promise<AppendResult> {
      return submitting(() => ({ streams: [{ stream, expected, events: prepare(events, 'events') }] }))
    },

    /** Appends to several streams (and stream-less events) atomically: all or nothing. */
    append(input: { streams: StreamAppendInput[]; events?: EventInput[]; condition?: AppendCondition }): Promise<AppendResult> {
      return submitting(() => ({
        streams: input.streams.map((s, i) => ({
          stream: s.stream,
          expected: s.expectedRevision ?? 'any',
          events: prepare(s.events, `streams[${i}].events`),
        })),
        events: input.events ? prepare(input.events, 'events') : undefined,
        condition: input.condition,
      }))
    },

    /** Called when each append settles, with its latency (metrics). */
    onAppend(listener: (ms: number, events: number, outcome: AppendOutcome) => void): void {
      appendListeners.push(listener)
    },

    /** Stops accepting appends and commits what is queued. */
    close(): Promise<void> {
      subscriptions.close()
      return writer.close()
    },
  }
}

export type EventLog = ReturnType<typeof createEventLog>

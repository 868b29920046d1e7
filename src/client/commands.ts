import { EdgelogProblem } from './errors.ts'
import type { MultiAppendResult, NewEvent, QueryItem, RecordedEvent, StreamAppendResult, StreamEvent } from './types.ts'

/** What the command helpers need from the client. */
export interface CommandPorts {
  readStream<D>(stream: string): Promise<{ events: StreamEvent<D>[]; revision: number } | null>
  append(stream: string, events: NewEvent[], options: { expectedRevision: number | 'no_stream' }): Promise<StreamAppendResult>
  queryAll<D>(items: QueryItem[]): Promise<{ events: RecordedEvent<D>[]; position: number }>
  appendMulti(body: { events: NewEvent[]; condition: { failIfEventsMatch: QueryItem[]; after: number } }): Promise<MultiAppendResult>
}

export interface Decider<S, D, C> {
  initialState: S
  evolve: (state: S, event: RecordedEvent<D>) => S
  /** the events the command produces (none: nothing is appended) */
  decide: (command: C, state: S) => NewEvent[] | Promise<NewEvent[]>
}

export interface CommandOptions {
  /** attempts before the conflict is thrown (default 5) */
  maxAttempts?: number
  /** aborts the command's requests */
  signal?: AbortSignal
}

export interface CommandResult<S, R> {
  /** the state the decision was made on */
  state: S
  events: NewEvent[]
  /** the append result; undefined when the decision produced no events */
  result: R | undefined
  attempts: number
}

/**
 * Stream command: read the stream, fold it into state, decide, append with the revision
 * read as the expected revision; on 409 wrong-expected-revision (someone appended in
 * between) read again and decide again.
 */
export async function runStreamCommand<S, D, C>(
  ports: CommandPorts,
  stream: string,
  command: C,
  decider: Decider<S, D, C>,
  options: CommandOptions = {},
): Promise<CommandResult<S, StreamAppendResult>> {
  const maxAttempts = options.maxAttempts ?? 5
  for (let attempt = 1; ; attempt++) {
    const read = await ports.readStream<D>(stream)
    const state = (read?.events ?? []).reduce(decider.evolve, decider.initialState)
    const events = await decider.decide(command, state)
    if (!events.length) return { state, events, result: undefined, attempts: attempt }
    try {
      const result = await ports.append(stream, events, { expectedRevision: read ? read.revision : 'no_stream' })
      return { state, events, result, attempts: attempt }
    } catch (e) {
      if (!EdgelogProblem.is(e, 'wrong-expected-revision') || attempt >= maxAttempts) throw e
    }
  }
}

/**
 * DCB decision: query the events the decision depends on, fold them, decide, append with
 * `condition: { failIfEventsMatch: query, after: <query position> }`; on 409
 * condition-failed (a matching event was appended in between) query again and decide again.
 */
export async function runDecision<S, D, C>(
  ports: CommandPorts,
  query: QueryItem[],
  command: C,
  decider: Decider<S, D, C>,
  options: CommandOptions = {},
): Promise<CommandResult<S, MultiAppendResult>> {
  const maxAttempts = options.maxAttempts ?? 5
  for (let attempt = 1; ; attempt++) {
    const read = await ports.queryAll<D>(query)
    const state = read.events.reduce(decider.evolve, decider.initialState)
    const events = await decider.decide(command, state)
    if (!events.length) return { state, events, result: undefined, attempts: attempt }
    try {
      const result = await ports.appendMulti({ events, condition: { failIfEventsMatch: query, after: read.position } })
      return { state, events, result, attempts: attempt }
    } catch (e) {
      if (!EdgelogProblem.is(e, 'condition-failed') || attempt >= maxAttempts) throw e
    }
  }
}

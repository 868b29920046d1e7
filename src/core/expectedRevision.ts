import { EdgelogError } from './errors.ts'

// What a stream must look like before an append or a removal: a revision number (the
// stream's last event has it), or one of three states named as KurrentDB's clients name
// them (StreamState.Any, NoStream, StreamExists), in snake case on the wire.
export const ANY = 'any'
export const NO_STREAM = 'no_stream'
export const STREAM_EXISTS = 'stream_exists'
/** The states, for a schema: `z.enum(EXPECTED_STATES)`. */
export const EXPECTED_STATES = [ANY, NO_STREAM, STREAM_EXISTS] as const
export type ExpectedRevision = number | (typeof EXPECTED_STATES)[number]

/** Does a stream at `actual` (null: no stream) satisfy `expected`? */
export function expectationHolds(expected: ExpectedRevision, actual: number | null): boolean {
  switch (expected) {
    case ANY:
      return true
    case NO_STREAM:
      return actual === null
    case STREAM_EXISTS:
      return actual !== null
    default:
      return actual === expected
  }
}

/** Message DB's wording: say exactly what was expected and what was found. */
export const wrongExpectedRevision = (stream: string, expected: unknown, actual: number | null) =>
  new EdgelogError({
    status: 409,
    kind: 'wrong-expected-revision',
    title: 'Wrong expected revision',
    detail: `Stream '${stream}': expected revision ${JSON.stringify(expected)}, but the stream ${
      actual === null ? 'does not exist' : `is at revision ${actual}`
    }.`,
    extensions: { stream, expectedRevision: expected, actualRevision: actual },
  })

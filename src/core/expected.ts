import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedRevision } from './types.ts'

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

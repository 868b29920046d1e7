/**
 * The one error type of edgelog. Each instance carries its HTTP status and a stable
 * problem `type` (RFC 9457 §3.1.1), so a single onError renders every error.
 */
export class EdgelogError extends Error {
  readonly status: number
  readonly kind: string
  readonly title: string
  readonly extensions: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor(
    status: number,
    kind: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail)
    this.name = 'EdgelogError'
    this.status = status
    this.kind = kind
    this.title = title
    this.extensions = extensions
    this.headers = headers
  }

  get type(): string {
    return `https://edgelog.dev/problems/${this.kind}`
  }
}

export interface ValidationIssue {
  path: string
  message: string
}

export const invalidRequest = (detail: string, errors: ValidationIssue[] = []) =>
  new EdgelogError(400, 'invalid-request', 'Invalid request', detail, errors.length ? { errors } : {})

export const malformedBody = (detail: string) =>
  new EdgelogError(400, 'malformed-body', 'Malformed body', detail)

export const payloadTooLarge = (detail: string) =>
  new EdgelogError(413, 'payload-too-large', 'Payload too large', detail)

export const streamNotFound = (stream: string) =>
  new EdgelogError(404, 'stream-not-found', 'Stream not found', `Stream '${stream}' has no events.`, { stream })

/** Message DB's wording: say exactly what was expected and what was found. */
export const wrongExpectedRevision = (stream: string, expected: unknown, actual: number | null) =>
  new EdgelogError(
    409,
    'wrong-expected-revision',
    'Wrong expected revision',
    `Stream '${stream}': expected revision ${JSON.stringify(expected)}, but the stream ${
      actual === null ? 'does not exist' : `is at revision ${actual}`
    }.`,
    { stream, expectedRevision: expected, actualRevision: actual },
  )

export const eventIdReused = (eventId: string, detail: string) =>
  new EdgelogError(409, 'event-id-reused', 'Event id reused', detail, { eventId })

/** A DCB append condition did not hold: events matching failIfEventsMatch were appended after `after`. */
export const conditionFailed = (after: number | null, positions: number[]) =>
  new EdgelogError(
    409,
    'condition-failed',
    'Append condition failed',
    `Events matching failIfEventsMatch were appended ${after === null ? 'to the log' : `after position ${after}`}: position${positions.length > 1 ? 's' : ''} ${positions.join(', ')}. Read them, decide again, and retry.`,
    { after, positions },
  )

/** A DCB condition's `after` names a position the log has not reached: it would match nothing. */
export const afterBeyondLog = (after: number, last: number) => {
  const message = `condition.after is ${after}, beyond the last committed position ${last}; pass a position you read (a query's position).`
  return new EdgelogError(400, 'invalid-request', 'Invalid request', message, { errors: [{ path: 'condition.after', message }], lastPosition: last })
}

/** The database refused one request on a constraint our checks did not foresee: it alone fails. */
export const appendRefused = (constraint: string) =>
  new EdgelogError(422, 'append-refused', 'Append refused', `The database refused this append (${constraint}); nothing of it was written, and it would be refused again as it is.`, { constraint })

export const unavailable = (detail: string, retryAfterSeconds = 1) =>
  new EdgelogError(503, 'unavailable', 'Service unavailable', detail, {}, {
    'Retry-After': String(retryAfterSeconds),
  })

/** The database refused a commit (it rolled back, or the request never reached it): nothing of the append was written. */
export const databaseFault = (cause: unknown) => {
  const e = unavailable('The database did not take the commit; nothing of this append was written. Retry shortly.', 1)
  ;(e as { cause?: unknown }).cause = cause
  return e
}

/**
 * A commit was sent and its answer lost (a timeout, a dropped connection): the database may
 * have written it. A retry with the same event ids is safe, it answers the original result
 * if the first one went in; `eventIds` are this append's ids (the server's, when it chose them).
 */
export const commitOutcomeUnknown = (cause: unknown, eventIds: string[] = []) => {
  const e = new EdgelogError(
    503,
    'commit-outcome-unknown',
    'Commit outcome unknown',
    'The database did not answer the commit in time: this append may have been written. Retrying with the same event ids is safe (a retry of a stored append answers its original result).',
    eventIds.length ? { eventIds } : {},
    { 'Retry-After': '1' },
  )
  ;(e as { cause?: unknown }).cause = cause
  return e
}

export const isEdgelogError = (e: unknown): e is EdgelogError => e instanceof EdgelogError

/** 501: the store keeps no consumer checkpoints (GET/PUT /v1/consumers, `consumer=` of a subscription). */
export const checkpointsNotSupported = () =>
  new EdgelogError(501, 'not-implemented', 'Not implemented', 'This store keeps no consumer checkpoints.')

/** 501: no data lifecycle store (deletes, truncation, retention). */
export const lifecycleNotConfigured = () => new EdgelogError(501, 'not-supported', 'Not supported', 'This server has no data lifecycle store.')

export const retentionNotFound = (scope: string, name: string) =>
  new EdgelogError(404, 'retention-not-found', 'Retention policy not found', `No retention policy for ${scope} '${name}'.`, { scope, name })

/** 412 instead of 409 when the expectation came from a conditional header (RFC 9110 §15.5.13). */
export function asPreconditionFailed(e: unknown): unknown {
  if (e instanceof EdgelogError && e.kind === 'wrong-expected-revision') {
    return new EdgelogError(412, 'precondition-failed', 'Precondition failed', e.message, e.extensions)
  }
  return e
}

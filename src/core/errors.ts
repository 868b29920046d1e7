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

/** The database refused or lost a commit: nothing of the append was written. */
export const databaseFault = (cause: unknown) => {
  const e = unavailable('The database did not take the commit; nothing of this append was written. Retry shortly.', 1)
  ;(e as { cause?: unknown }).cause = cause
  return e
}

export const isEdgelogError = (e: unknown): e is EdgelogError => e instanceof EdgelogError

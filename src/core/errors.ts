export interface EdgelogErrorOptions {
  status: number
  /** the last segment of the problem `type` URI: a stable, machine-readable name */
  kind: string
  title: string
  /** the problem's `detail`, and the Error's message */
  detail: string
  /** members added to the problem document (RFC 9457 §3.2) */
  extensions?: Record<string, unknown>
  /** response headers sent with it (Retry-After, WWW-Authenticate) */
  headers?: Record<string, string>
  /** what went wrong underneath, for the log; never sent to the client */
  cause?: unknown
}

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

  constructor(options: EdgelogErrorOptions) {
    super(options.detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'EdgelogError'
    this.status = options.status
    this.kind = options.kind
    this.title = options.title
    this.extensions = options.extensions ?? {}
    this.headers = options.headers ?? {}
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
  new EdgelogError({ status: 400, kind: 'invalid-request', title: 'Invalid request', detail, extensions: errors.length ? { errors } : {} })

export const malformedBody = (detail: string) =>
  new EdgelogError({ status: 400, kind: 'malformed-body', title: 'Malformed body', detail })

export const payloadTooLarge = (detail: string) =>
  new EdgelogError({ status: 413, kind: 'payload-too-large', title: 'Payload too large', detail })

/** A request body over MAX_BODY_BYTES (the HTTP gate, the Workers gateway). */
export const bodyTooLarge = (maxBodyBytes: number) => payloadTooLarge(`The body is over ${maxBodyBytes} bytes (MAX_BODY_BYTES); split the append.`)

/** The token is known but may not do this (RFC 9110 §15.5.4): `detail` says what it may do instead. */
export const forbidden = (detail: string) =>
  new EdgelogError({ status: 403, kind: 'forbidden', title: 'Forbidden', detail })

export const streamNotFound = (stream: string) =>
  new EdgelogError({ status: 404, kind: 'stream-not-found', title: 'Stream not found', detail: `Stream '${stream}' has no events.`, extensions: { stream } })

export const eventIdReused = (eventId: string, detail: string) =>
  new EdgelogError({ status: 409, kind: 'event-id-reused', title: 'Event id reused', detail, extensions: { eventId } })

/** A DCB append condition did not hold: events matching failIfEventsMatch were appended after `after`. */
export const conditionFailed = (after: number | null, positions: number[]) =>
  new EdgelogError({
    status: 409,
    kind: 'condition-failed',
    title: 'Append condition failed',
    detail: `Events matching failIfEventsMatch were appended ${after === null ? 'to the log' : `after position ${after}`}: position${positions.length > 1 ? 's' : ''} ${positions.join(', ')}. Read them, decide again, and retry.`,
    extensions: { after, positions },
  })

/** A DCB condition's `after` names a position the log has not reached: it would match nothing. */
export const afterBeyondLog = (after: number, last: number) => {
  const message = `condition.after is ${after}, beyond the last committed position ${last}; pass a position you read (a query's position).`
  return new EdgelogError({
    status: 400,
    kind: 'invalid-request',
    title: 'Invalid request',
    detail: message,
    extensions: { errors: [{ path: 'condition.after', message }], lastPosition: last },
  })
}

/** The database refused one request on a constraint our checks did not foresee: it alone fails. */
export const appendRefused = (constraint: string) =>
  new EdgelogError({
    status: 422,
    kind: 'append-refused',
    title: 'Append refused',
    detail: `The database refused this append (${constraint}); nothing of it was written, and it would be refused again as it is.`,
    extensions: { constraint },
  })

/** A passing fault of the server (the database unreachable, too slow): retry after `retryAfterSeconds`. */
export const unavailable = (detail: string, retryAfterSeconds = 1, cause?: unknown) =>
  new EdgelogError({ status: 503, kind: 'unavailable', title: 'Service unavailable', detail, headers: { 'Retry-After': String(retryAfterSeconds) }, cause })

/** The database refused a commit (it rolled back, or the request never reached it): nothing of the append was written. */
export const databaseFault = (cause: unknown) =>
  unavailable('The database did not take the commit; nothing of this append was written. Retry shortly.', 1, cause)

/**
 * A commit was sent and its answer lost (a timeout, a dropped connection): the database may
 * have written it. A retry with the same event ids is safe, it answers the original result
 * if the first one went in; `eventIds` are this append's ids (the server's, when it chose them).
 */
export const commitOutcomeUnknown = (cause: unknown, eventIds: string[] = []) =>
  new EdgelogError({
    status: 503,
    kind: 'commit-outcome-unknown',
    title: 'Commit outcome unknown',
    detail: 'The database did not answer the commit in time: this append may have been written. Retrying with the same event ids is safe (a retry of a stored append answers its original result).',
    extensions: eventIds.length ? { eventIds } : {},
    headers: { 'Retry-After': '1' },
    cause,
  })

export const isEdgelogError = (e: unknown): e is EdgelogError => e instanceof EdgelogError

/** 501: the store keeps no consumer checkpoints (GET/PUT /v1/consumers, `consumer=` of a subscription). */
export const checkpointsNotSupported = () =>
  new EdgelogError({ status: 501, kind: 'not-implemented', title: 'Not implemented', detail: 'This store keeps no consumer checkpoints.' })

/** 501: no data lifecycle store (deletes, truncation, retention). */
export const lifecycleNotConfigured = () => new EdgelogError({ status: 501, kind: 'not-supported', title: 'Not supported', detail: 'This server has no data lifecycle store.' })

export const retentionNotFound = (scope: string, name: string) =>
  new EdgelogError({ status: 404, kind: 'retention-not-found', title: 'Retention policy not found', detail: `No retention policy for ${scope} '${name}'.`, extensions: { scope, name } })

/** 412 instead of 409 when the expectation came from a conditional header (RFC 9110 §15.5.13). */
export function asPreconditionFailed(e: unknown): unknown {
  if (e instanceof EdgelogError && e.kind === 'wrong-expected-revision') {
    return new EdgelogError({ status: 412, kind: 'precondition-failed', title: 'Precondition failed', detail: e.message, extensions: e.extensions })
  }
  return e
}

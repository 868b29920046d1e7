import type { ExpectedRevision } from './types.ts'

export const PROBLEM_BASE = 'https://edgelog.dev/problems/'

interface Base {
  type: string
  title: string
  status: number
  detail: string
  instance?: string
}

/** The extensions each problem kind carries (docs/api.md "Problem types"). */
export interface ProblemExtensions {
  'invalid-request': { errors?: Array<{ path: string; message: string }>; lastPosition?: number }
  'malformed-body': {}
  unauthorized: {}
  forbidden: {}
  'not-found': {}
  'method-not-allowed': {}
  'stream-not-found': { stream: string }
  'stream-deleted': { stream: string; revision: number }
  'stream-tombstoned': { stream: string }
  'subject-not-found': {}
  'subject-erased': {}
  'encryption-not-configured': {}
  'tenant-not-found': { tenant: string }
  'retention-not-found': { scope: string; name: string }
  'not-supported': {}
  'consumer-not-found': { consumer: string }
  'not-acceptable': {}
  'wrong-expected-revision': { stream: string; expectedRevision: ExpectedRevision; actualRevision: number | null }
  'precondition-failed': { stream: string; expectedRevision: ExpectedRevision; actualRevision: number | null }
  'condition-failed': { after: number | null; positions: number[] }
  'checkpoint-behind': { consumer: string; position: number; requested: number }
  'event-id-reused': { eventId: string }
  'payload-too-large': {}
  'unsupported-media-type': {}
  'not-implemented': {}
  'append-refused': { constraint?: string }
  'internal-error': {}
  unavailable: {}
  /** the commit's answer was lost: it may be stored; a retry with the same event ids is safe */
  'commit-outcome-unknown': { eventIds: string[] }
  'too-many-subscriptions': { maxSubscriptions: number }
  /** a non-problem error answer (a proxy's 502 page, an empty 503) */
  'http-error': {}
}

export type ProblemKind = keyof ProblemExtensions
export type Problem<K extends ProblemKind = ProblemKind> = K extends ProblemKind ? Base & { kind: K } & ProblemExtensions[K] : never

/**
 * An RFC 9457 problem answered by edgelog, as an Error. Narrow with `is`:
 * @example
 *   if (EdgelogProblem.is(err, 'wrong-expected-revision')) console.log(err.problem.actualRevision)
 */
export class EdgelogProblem<K extends ProblemKind = ProblemKind> extends Error {
  readonly status: number
  readonly kind: K
  readonly problem: Problem<K>
  /** the Retry-After header of a 503, in seconds */
  readonly retryAfter: number | undefined

  constructor(problem: Problem<K>, retryAfter?: number) {
    const issues = (problem as { errors?: Array<{ path: string; message: string }> }).errors
    super(`${problem.status} ${problem.kind}: ${problem.detail}${issues?.length ? ` (${issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : ''}`)
    this.name = 'EdgelogProblem'
    this.status = problem.status
    this.kind = problem.kind as K
    this.problem = problem
    this.retryAfter = retryAfter
  }

  /** True when `err` is a problem of one of `kinds`; narrows `err.problem` to their extensions. */
  static is<K extends ProblemKind>(err: unknown, ...kinds: K[]): err is EdgelogProblem<K> {
    return err instanceof EdgelogProblem && (kinds.length === 0 || kinds.includes(err.kind as K))
  }
}

/** Reads a problem+json (or any error) response into an EdgelogProblem. */
export async function problemFrom(res: Response): Promise<EdgelogProblem> {
  const text = await res.text().catch(() => '')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  // a problem document is an object; anything else (a proxy's HTML page, a JSON string or
  // null, an empty body) is the detail of an http-error
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
  const body: Partial<Base> & Record<string, unknown> = isObject ? (parsed as Record<string, unknown>) : {}
  // a gateway's { message }, else the text of a body that is not JSON (an HTML page), else the status line
  const fallback = (typeof body.message === 'string' && body.message) || (parsed === undefined ? text.trim().slice(0, 500) : '') || res.statusText || `HTTP ${res.status}`
  const type = typeof body.type === 'string' ? body.type : `${PROBLEM_BASE}http-error`
  const kind = (type.startsWith(PROBLEM_BASE) ? type.slice(PROBLEM_BASE.length) : type) as ProblemKind
  const problem = {
    ...body,
    type,
    kind,
    title: typeof body.title === 'string' ? body.title : res.statusText || `HTTP ${res.status}`,
    status: typeof body.status === 'number' ? body.status : res.status,
    detail: typeof body.detail === 'string' ? body.detail : fallback,
  } as Problem
  return new EdgelogProblem(problem, retryAfterSeconds(res.headers.get('retry-after')))
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as seconds from now. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

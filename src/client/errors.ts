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
  'invalid-request': { errors?: Array<{ path: string; message: string }> }
  'malformed-body': {}
  unauthorized: {}
  forbidden: {}
  'not-found': {}
  'stream-not-found': { stream: string }
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
  'internal-error': {}
  unavailable: {}
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
  const text = await res.text()
  let body: Partial<Base> & Record<string, unknown> = {}
  try {
    body = JSON.parse(text)
  } catch {
    body = { detail: text.slice(0, 500) }
  }
  const type = typeof body.type === 'string' ? body.type : `${PROBLEM_BASE}http-error`
  const kind = (type.startsWith(PROBLEM_BASE) ? type.slice(PROBLEM_BASE.length) : type) as ProblemKind
  const retry = res.headers.get('retry-after')
  const problem = { ...body, type, kind, title: body.title ?? res.statusText, status: body.status ?? res.status, detail: body.detail ?? res.statusText } as Problem
  return new EdgelogProblem(problem, retry !== null && /^\d+$/.test(retry) ? Number(retry) : undefined)
}

import { commitOutcomeUnknown, unavailable } from '../core/errors.ts'
import type { Db, SqlResult, Statement } from './db.ts'

/** What of @libsql/client (node or web build, HTTP) a remote Db needs. */
export interface RemoteClient {
  readonly protocol: string
  execute(stmt: Statement): Promise<SqlResult>
  batch(stmts: Statement[], mode: 'read' | 'write'): Promise<SqlResult[]>
  close(): void
}

export interface RemoteOptions {
  /** every database request answers or fails within this (DATABASE_TIMEOUT_MS) */
  timeoutMs: number
  /** where the database is, without credentials, for messages */
  where: string
}

/**
 * A fetch for @libsql/client that gives up after `ms`: the HTTP request is aborted, so a
 * paused or unreachable server costs a bounded wait and no leaked connection. It asks for
 * an uncompressed answer: sqld gzips a response when the client accepts it (fetch always
 * does), and payloads are CBOR in base64, which barely compress, so a 4 MiB page cost
 * seconds of the server's CPU (more than DATABASE_TIMEOUT_MS on a busy host) to save a
 * few percent of the bytes.
 */
export const fetchWithTimeout = (ms: number) => (input: Request | string | URL, init?: RequestInit) => {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
  headers.set('accept-encoding', 'identity')
  return fetch(input, { ...init, headers, signal: AbortSignal.timeout(ms) })
}

/** A database URL fit for logs and messages: no credentials, no query string (a token may ride there). */
export const redact = (url: string) => url.replace(/\/\/[^/@]*@/, '//***@').replace(/\?.*$/, '')

/** The error and its causes on one line: "TypeError: fetch failed <- Error: connect ECONNREFUSED ...". */
export function describeError(e: unknown): string {
  const parts: string[] = []
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code
    parts.push(x instanceof Error ? `${x.name}${typeof code === 'string' && !x.message.includes(code) ? ` [${code}]` : ''}: ${x.message}` : String(x))
  }
  return parts.join(' <- ')
}

const codes = (e: unknown) => {
  const found: string[] = []
  for (let x = e, d = 0; x && d < 5; x = (x as { cause?: unknown }).cause, d++) {
    const code = (x as { code?: unknown }).code
    if (typeof code === 'string') found.push(code)
    const status = (x as { status?: unknown }).status
    if (typeof status === 'number') found.push(`HTTP_${status}`)
  }
  return found
}

/** The server refused the request, or it never reached the server: nothing of it ran. */
function refused(e: unknown): boolean {
  return codes(e).some((c) =>
    /^(SQLITE_|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HTTP_4\d\d|URL_|ENCRYPTION_)/.test(c))
}

/** An answer from SQLite itself (a constraint, a read-only database...): pass it on as is. */
const isSqlError = (e: unknown) => codes(e).some((c) => c.startsWith('SQLITE_'))

const authHint = (e: unknown) => {
  const c = codes(e)
  if (c.includes('HTTP_401')) return ' The server refused the credentials (HTTP 401): check DATABASE_AUTH_TOKEN (missing, wrong or expired).'
  if (c.includes('HTTP_403')) return ' The server refused the operation (HTTP 403): the token may be read-only.'
  return ''
}

/**
 * A remote libSQL database (Turso, sqld) as a Db: bounded waits, errors that say what
 * failed and whether a commit may have happened. A write batch whose answer is lost after
 * it was sent is a `commit-outcome-unknown` 503 (it may be stored); one refused before it
 * ran passes on as a fault (nothing written). Reads that fail are a 503.
 */
export function remoteDb(client: RemoteClient, options: RemoteOptions): Db {
  async function run<T>(what: 'read' | 'write' | 'statement', op: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const started = Date.now()
    try {
      // The fetch is aborted at the same deadline (fetchWithTimeout); this bounds the rest
      // (a client queue, a body that stalls).
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseTimeout(options.timeoutMs)), options.timeoutMs)
      })
      return await Promise.race([op(), deadline])
    } catch (e) {
      if (isSqlError(e)) throw e
      const cause = new Error(`libSQL ${what} to ${options.where} failed after ${Date.now() - started} ms: ${describeError(e)}`)
      if (what === 'write' && !refused(e)) throw commitOutcomeUnknown(cause)
      const timedOut = e instanceof DatabaseTimeout || /timeout/i.test(String((e as Error)?.name))
      const detail = timedOut
        ? `The database did not answer within ${options.timeoutMs} ms (DATABASE_TIMEOUT_MS).`
        : `The database at ${options.where} could not be reached or refused the request.${authHint(e)}`
      throw unavailable(`${detail}${what === 'write' ? ' Nothing of this append was written.' : ''} Retry shortly.`, 1, cause)
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    protocol: client.protocol,
    execute: (stmt) => run('statement', () => client.execute(stmt)),
    batch: (stmts, mode) => run(mode, () => client.batch(stmts, mode)),
    close: () => client.close(),
  }
}

class DatabaseTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'TimeoutError'
  }
}

/**
 * Why a database could not be opened or migrated, in words (start-up and `npm run migrate`):
 * unreachable, credentials refused (401), read-only token (403), or the error and its causes.
 */
export function explainOpenError(e: unknown, where: string): Error {
  const c = codes(e)
  let why: string
  if (c.includes('HTTP_401')) why = 'the server refused the credentials (HTTP 401): DATABASE_AUTH_TOKEN is missing, wrong or expired'
  else if (c.includes('HTTP_403')) why = 'the server refused to write (HTTP 403): DATABASE_AUTH_TOKEN is read-only; edgelog and its migrations need a read-write token'
  else if (c.some((x) => /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)$/.test(x))) why = `cannot reach the server (${describeError(e)})`
  else if (/timeout/i.test(String((e as Error)?.name)) || e instanceof DatabaseTimeout) why = `no answer in time (${describeError(e)}); raise DATABASE_TIMEOUT_MS if the server is slow, not down`
  else why = describeError(e)
  const error = new Error(`database ${where}: ${why}`, { cause: e })
  error.name = 'DatabaseOpenError'
  return error
}

import type { Db, SqlResult, SqlValue, Statement } from './db.ts'

/** The slice of a Cloudflare D1 binding (`env.DB`) the adapter uses. */
export interface D1Binding {
  prepare(sql: string): D1Stmt
  batch(stmts: D1Stmt[]): Promise<Array<{ results?: unknown[] }>>
}
interface D1Stmt {
  bind(...values: unknown[]): D1Stmt
  all(): Promise<{ results?: unknown[] }>
}

/** Bound parameters D1 takes per statement (SQLITE_LIMIT_VARIABLE_NUMBER is 100 there). */
export const D1_MAX_PARAMS = 100

/**
 * Cloudflare D1 as the store's `Db`. D1's own prepare/bind/batch API, not drizzle's D1
 * driver: the store speaks positional `?` SQL shared with libSQL, which drizzle's D1
 * session would only pass through to these same calls (its `sql` template cannot take a
 * prebuilt `?` string with an args array) while adding its query builder to the bundle.
 * `batch` is one round trip and one transaction: D1 rolls the whole batch back when any
 * statement fails, which is what a commit group needs.
 *
 * Values: D1 binds ArrayBuffer as BLOB and has no BigInt; it returns BLOBs as number[]
 * (https://developers.cloudflare.com/d1/worker-api/#type-conversion), turned back into
 * ArrayBuffer here so rows look like @libsql/client's.
 */
export function d1Db(d1: D1Binding): Db {
  const prepare = (stmt: Statement) => {
    const { sql, args } = typeof stmt === 'string' ? { sql: stmt, args: [] } : stmt
    if (args.length > D1_MAX_PARAMS) {
      throw new Error(`D1 binds at most ${D1_MAX_PARAMS} parameters per statement; got ${args.length} for: ${sql.slice(0, 80)}`)
    }
    const p = d1.prepare(sql)
    return args.length ? p.bind(...args.map(toD1)) : p
  }
  return {
    protocol: 'd1',
    maxParams: D1_MAX_PARAMS,
    async execute(stmt) {
      return toResult(await prepare(stmt).all())
    },
    async batch(stmts) {
      return (await d1.batch(stmts.map(prepare))).map(toResult)
    },
    close() {},
  }
}

function toD1(v: SqlValue): unknown {
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Uint8Array) {
    // A view onto part of a larger buffer (cbor-x encodes into a shared one) must not bind
    // the whole buffer. ArrayBuffer#slice copies; Node's Buffer#slice would not.
    return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)
  }
  return v
}

function toResult(r: { results?: unknown[] }): SqlResult {
  const rows = (r.results ?? []) as Array<Record<string, unknown>>
  for (const row of rows) {
    for (const k in row) {
      const v = row[k]
      if (Array.isArray(v)) row[k] = new Uint8Array(v).buffer
    }
  }
  return { rows }
}

import type { Db, SqlResult, SqlValue, Statement } from './db.ts'

/** The slice of a Durable Object's `ctx.storage` (SQLite-backed) the adapter uses. */
export interface DoStorage {
  sql: { exec(query: string, ...bindings: unknown[]): { toArray(): unknown[] } }
  transactionSync<T>(closure: () => T): T
}

/** Bound parameters one statement may carry in a Durable Object (100, as on D1). */
export const DO_MAX_PARAMS = 100

/**
 * A Durable Object's SQLite storage (`ctx.storage.sql`) as the store's `Db`. Its calls are
 * synchronous and local; the object is the only writer of its database, so the protocol
 * is 'file': stream heads are kept in memory and commits wake subscriptions directly.
 * `batch` is `transactionSync` (SQL BEGIN/COMMIT are refused inside an object); durability
 * comes from the output gate, which holds every response until its writes are stored
 * (https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/).
 *
 * Values: no BigInt binding; BLOBs bind as ArrayBuffer and come back as ArrayBuffer.
 */
export function doDb(storage: DoStorage): Db {
  const run = (stmt: Statement): SqlResult => {
    const { sql, args } = typeof stmt === 'string' ? { sql: stmt, args: [] as SqlValue[] } : stmt
    if (args.length > DO_MAX_PARAMS) {
      throw new Error(`A Durable Object binds at most ${DO_MAX_PARAMS} parameters per statement; got ${args.length} for: ${sql.slice(0, 80)}`)
    }
    return { rows: storage.sql.exec(sql, ...args.map(toDo)).toArray() as Array<Record<string, unknown>> }
  }
  return {
    protocol: 'file',
    maxParams: DO_MAX_PARAMS,
    async execute(stmt) {
      return run(stmt)
    },
    async batch(stmts) {
      return storage.transactionSync(() => stmts.map(run))
    },
    close() {},
  }
}

function toDo(v: SqlValue): unknown {
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (v instanceof Uint8Array) {
    // A view onto part of a shared buffer (cbor-x encodes into one) must not bind all of it.
    return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)
  }
  return v
}

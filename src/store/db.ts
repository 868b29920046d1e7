/**
 * The slice of a SQL client the store uses. `@libsql/client` (file, libsql://, https://,
 * and its web build) satisfies it as is; other bindings (Cloudflare D1) adapt to it.
 */
export type SqlValue = null | string | number | bigint | boolean | ArrayBuffer | Uint8Array
export type Statement = string | { sql: string; args: SqlValue[] }
export type SqlRow = Record<string, unknown>
export interface SqlResult {
  rows: SqlRow[]
}

export interface Db {
  /** 'file' for a local database: only then may a process trust its in-memory heads */
  readonly protocol: string
  /** bound parameters one statement may carry (D1: 100); unset means SQLite's default */
  readonly maxParams?: number
  /**
   * Reads a page as one row (rows.ts `packedPage`): set where a driver's cost is per row
   * and value handed over rather than per byte (the local `libsql` driver).
   */
  readonly packsPages?: boolean
  execute(stmt: Statement): Promise<SqlResult>
  /**
   * Runs all statements in one transaction (one round trip to a remote server).
   * `relaxed`: this write need not be synced on its own (a local file with durability
   * full then skips its fsync; it becomes durable with the next synced commit).
   */
  batch(stmts: Statement[], mode: 'read' | 'write', options?: { relaxed?: boolean }): Promise<SqlResult[]>
  close(): void
}

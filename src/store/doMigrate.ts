import { hex } from '../core/hex.ts'
import type { DoStorage } from './doSql.ts'

/** One drizzle-kit migration: its journal entry and the text of its .sql file. */
export interface BundledMigration {
  tag: string
  /** the journal's `when`, drizzle's `folderMillis` */
  when: number
  sql: string
}

const TABLE = '__drizzle_migrations'

/**
 * Applies the bundled migrations/ inside a Durable Object before it serves, with the same
 * bookkeeping table and rule as drizzle-kit's migrator and src/store/migrate.ts (apply what
 * is newer than the last applied; hash = SHA-256 of the file). Each migration and its
 * bookkeeping row commit together in one `transactionSync`.
 */
export async function migrateDo(storage: DoStorage, migrations: BundledMigration[]): Promise<number> {
  const sql = storage.sql
  sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`)
  const last = sql.exec(`SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`).toArray() as Array<{ created_at: number }>
  const lastAt = last.length ? Number(last[0].created_at) : -1
  let applied = 0
  for (const m of migrations) {
    if (m.when <= lastAt) continue
    const hash = await sha256(m.sql)
    storage.transactionSync(() => {
      for (const stmt of m.sql.split('--> statement-breakpoint')) if (stmt.trim()) sql.exec(stmt)
      sql.exec(`INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`, hash, m.when)
    })
    applied++
  }
  return applied
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return hex(new Uint8Array(digest))
}

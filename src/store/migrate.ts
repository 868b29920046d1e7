import type { Client } from '@libsql/client'
import { readMigrationFiles } from 'drizzle-orm/migrator'

const TABLE = '__drizzle_migrations'

/**
 * Applies drizzle-kit's migrations/ at start. Same bookkeeping table and rule as
 * drizzle-kit's own migrator (apply what is newer than the last applied), so either may
 * run first. The whole check-and-apply runs in one write transaction (BEGIN IMMEDIATE):
 * a second process starting at the same time waits for the lock, then finds nothing to do.
 */
export async function migrate(client: Client, migrationsFolder: string): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder })
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
  )
  const tx = await client.transaction('write')
  try {
    const last = await tx.execute(`SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`)
    const lastAt = last.rows.length ? Number(last.rows[0].created_at) : -1
    let applied = 0
    for (const m of migrations) {
      if (m.folderMillis <= lastAt) continue
      for (const stmt of m.sql) if (stmt.trim()) await tx.execute(stmt)
      await tx.execute({ sql: `INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`, args: [m.hash, m.folderMillis] })
      applied++
    }
    // drizzle-kit's own migrator creates the table with `id SERIAL PRIMARY KEY`, which
    // SQLite does not take for a rowid alias: its rows (and ours in its table) get a NULL id.
    await tx.execute(`UPDATE ${TABLE} SET id = rowid WHERE id IS NULL`)
    await tx.commit()
    return applied
  } finally {
    tx.close()
  }
}

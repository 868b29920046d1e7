import type { BundledMigration } from '../store/doMigrate.ts'
import journal from '../../migrations/meta/_journal.json'
// wrangler.toml's [[rules]] bundles .sql files as text. One import per migration file:
// a journal entry without one stops every object at start (below), so none is forgotten.
import m0000 from '../../migrations/0000_init.sql'
import m0001 from '../../migrations/0001_lifecycle.sql'
import m0002 from '../../migrations/0002_subject_keys.sql'
import m0003 from '../../migrations/0003_removal_backlog.sql'

const files: Record<string, string> = { '0000_init': m0000, '0001_lifecycle': m0001, '0002_subject_keys': m0002, '0003_removal_backlog': m0003 }

/** drizzle-kit's migrations/, bundled into the Worker at build time, in journal order. */
export function bundledMigrations(): BundledMigration[] {
  return journal.entries.map((e) => {
    const sql = files[e.tag]
    if (sql === undefined) throw new Error(`migrations/${e.tag}.sql is in the journal but not imported in src/worker/migrations.ts: add it there.`)
    return { tag: e.tag, when: e.when, sql }
  })
}

import type { StoredSubjectKey, SubjectKeyStore } from '../core/lifecycleSubjects.ts'
import type { Db, SqlRow } from './db.ts'
import { placeholders } from './rows.ts'

const toKey = (r: SqlRow): StoredSubjectKey => ({
  subject: r.subject as string,
  wrapped: r.wrapped == null ? null : r.wrapped instanceof Uint8Array ? r.wrapped : new Uint8Array(r.wrapped as ArrayBuffer),
  kek: r.kek as string,
})

/** Subject keys (crypto-shredding) over any Db. */
export function createSubjectKeyStore(db: Db): SubjectKeyStore {
  const inList = Math.min(500, db.maxParams ?? 500)
  return {
    async keys(subjects) {
      const out = new Map<string, StoredSubjectKey>()
      for (let i = 0; i < subjects.length; i += inList) {
        const chunk = subjects.slice(i, i + inList)
        const rs = await db.execute({ sql: `SELECT subject, wrapped, kek FROM subject_keys WHERE subject IN (${placeholders(chunk.length)})`, args: chunk })
        for (const r of rs.rows) out.set(r.subject as string, toKey(r))
      }
      return out
    },
    async create(k) {
      // Two appends creating the same subject's key at once: the first one stands.
      const [, rs] = await db.batch(
        [
          { sql: 'INSERT INTO subject_keys (subject, wrapped, kek, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING', args: [k.subject, k.wrapped, k.kek, Date.now()] },
          { sql: 'SELECT subject, wrapped, kek FROM subject_keys WHERE subject = ?', args: [k.subject] },
        ],
        'write',
      )
      return toKey(rs.rows[0])
    },
    async erase(subject, time) {
      // Delete and insert rather than update: with secure_delete the old cell, key and all,
      // is overwritten with zeros (https://sqlite.org/pragma.html#pragma_secure_delete).
      const [found] = await db.batch(
        [
          { sql: 'SELECT kek FROM subject_keys WHERE subject = ? AND wrapped IS NOT NULL', args: [subject] },
          { sql: 'DELETE FROM subject_keys WHERE subject = ? AND wrapped IS NOT NULL', args: [subject] },
          { sql: 'INSERT INTO subject_keys (subject, wrapped, kek, created_at, erased_at) SELECT ?, NULL, \'erased\', ?, ? WHERE changes() > 0', args: [subject, time, time] },
        ],
        'write',
      )
      if (!found.rows.length) return false
      // The WAL still holds the page as it was before: copy the new one into the file and
      // truncate the WAL (a local file; elsewhere the server's own storage decides).
      if (db.protocol === 'file') await db.execute('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => {})
      return true
    },
    async sample(limit, kek) {
      const rs = await db.execute({ sql: 'SELECT subject, wrapped, kek FROM subject_keys WHERE wrapped IS NOT NULL ORDER BY kek = ?, subject LIMIT ?', args: [kek, limit] })
      return rs.rows.map(toKey)
    },
    async rewrap(subject, wrapped, kek) {
      await db.execute({ sql: 'UPDATE subject_keys SET wrapped = ?, kek = ? WHERE subject = ? AND wrapped IS NOT NULL', args: [wrapped, kek, subject] })
    },
  }
}

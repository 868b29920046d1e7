import type { Db } from './db.ts'
import type { CommitBackend, EventReader } from '../core/types.ts'
import type { ConsumerStore } from '../core/consumers.ts'
import { createCommitBackend } from './commitGroup.ts'
import { createConsumerStore } from './consumers.ts'
import { createReader } from './reads.ts'
import type { LifecycleStore } from '../core/lifecycle.ts'
import { createLifecycleStore } from './lifecycle.ts'
import type { SubjectKeyStore } from '../core/lifecycleSubjects.ts'
import { createSubjectKeyStore } from './lifecycleSubjects.ts'

export interface Store {
  backend: CommitBackend
  reader: EventReader
  /** named consumers' checkpoints */
  consumers: ConsumerStore
  /** deletes, truncation, retention (docs/api.md "Data lifecycle") */
  lifecycle: LifecycleStore
  /** data subjects' keys (crypto-shredding) */
  subjectKeys: SubjectKeyStore
  /** true when this process trusts its in-memory stream heads (sole writer of a local file) */
  trustCache: boolean
  close(): Promise<void>
}

export interface StoreOptions {
  /** other processes may write the same database: trust nothing in memory */
  sharedWriters?: boolean
}

/** A store over any @libsql/client (local file, remote server, or web client). */
export function createStore(client: Db, options: StoreOptions = {}): Store {
  const trustCache = client.protocol === 'file' && !options.sharedWriters
  return {
    backend: createCommitBackend(client, { trustCache }),
    reader: createReader(client),
    consumers: createConsumerStore(client),
    lifecycle: createLifecycleStore(client),
    subjectKeys: createSubjectKeyStore(client),
    trustCache,
    async close() {
      client.close()
    },
  }
}

import type { Db } from './db.ts'
import type { CommitBackend, EventReader } from '../core/types.ts'
import type { ConsumerStore } from '../core/consumers.ts'
import { createCommitBackend } from './commitGroup.ts'
import { createConsumerStore } from './consumers.ts'
import { createReader } from './reads.ts'
import type { Replica } from './replica.ts'
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
  /** true when this process is the only writer of the database (a local file without SHARED_WRITERS): its heads in memory are the truth */
  soleWriter: boolean
  close(): Promise<void>
}

export interface StoreOptions {
  /** other processes may write the same database: trust nothing in memory */
  sharedWriters?: boolean
  /** an embedded replica of `client` (a remote primary) that serves the reads; appends and checkpoints go to the primary */
  replica?: Replica
}

/** A store over any @libsql/client (local file, remote server, or web client). */
export function createStore(client: Db, options: StoreOptions = {}): Store {
  const soleWriter = client.protocol === 'file' && !options.sharedWriters
  const { replica } = options
  const primary = createCommitBackend(client, { soleWriter })
  // With a replica, each commit attempt (acknowledged or of unknown outcome) makes the next
  // read wait for a sync that covers it: read-your-writes through this instance.
  const backend: CommitBackend = replica
    ? { ...primary, commitGroup: (commands) => primary.commitGroup(commands).finally(() => replica.committed()) }
    : primary
  // /health asks the primary: appends need it, and the replica answers even when it is gone.
  // The sole writer answers heads from what it committed (no replica then: soleWriter is file only).
  const reader = replica ? { ...createReader(replica.db), ping: createReader(client).ping } : createReader(client, { trustedHead: primary.trustedHead })
  return {
    backend,
    reader,
    consumers: createConsumerStore(client),
    lifecycle: createLifecycleStore(client),
    subjectKeys: createSubjectKeyStore(client),
    soleWriter,
    async close() {
      replica?.close()
      client.close()
    },
  }
}

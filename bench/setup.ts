import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, loadConfig } from '../src/config.ts'
import { openLog } from '../src/logApp.ts'
import { codec } from '../src/store/codec.ts'
import { migrate } from '../src/store/migrate.ts'
import { MIGRATIONS, openStore } from '../src/store/node.ts'

export type Durability = 'full' | 'normal'

/** Raised limits for the benchmarks' large appends (the configuration's variables). */
export const BENCH_ENV = { MAX_EVENT_BYTES: String(1 << 20), MAX_EVENTS_PER_APPEND: '10000' }

/**
 * A fresh event log on a new file in the system temp dir, wired as the entries wire it
 * (openLog) with the configuration `env`, no retention timer; `deps` is createApp's.
 */
export async function freshLog(durability: Durability, env: Record<string, string> = BENCH_ENV) {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-bench-'))
  const store = await openStore({ url: `file:${join(dir, 'bench.db')}`, durability })
  const opened = await openLog({ store, config: loadConfig(env), codec, logger: createLogger('error'), retentionTimer: false })
  return {
    ...opened,
    store,
    async close() {
      await opened.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The baseline: the plainest durable way, one transaction per append through
 * @libsql/client, the revision computed in SQL, no batching, no cache.
 */
export async function baselineAppender(durability: Durability) {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-base-'))
  const client = createClient({ url: `file:${join(dir, 'base.db')}`, concurrency: 1 })
  await client.execute('PRAGMA journal_mode = WAL')
  await client.execute(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
  await migrate(client, MIGRATIONS)
  let position = 0
  return {
    async append(stream: string, type: string, data: unknown) {
      const id = crypto.getRandomValues(new Uint8Array(16))
      await client.batch(
        [
          {
            sql: `INSERT INTO events (position, id, stream, revision, category, stream_hash, type, time, data)
                  VALUES (?, ?, ?, (SELECT coalesce(max(revision), -1) + 1 FROM events WHERE stream = ?), ?, 0, ?, ?, ?)`,
            args: [++position, id, stream, stream, stream.split('-')[0], type, Date.now(), codec.encode(data)],
          },
        ],
        'write',
      )
    },
    close() {
      client.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A payload of about `bytes` bytes once CBOR-encoded. */
export function payloadOf(bytes: number) {
  const base = { amount: 125, currency: 'EUR', account: 'account-17', note: '' }
  const overhead = codec.encode(base).length
  return { ...base, note: 'x'.repeat(Math.max(0, bytes - overhead - 2)) }
}

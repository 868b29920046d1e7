// Reads per second from an embedded replica (REPLICA_PATH) vs from the remote primary,
// against a local sqld (loopback, so the primary's figure is a best case: a real network
// adds its round trip to every primary read and nothing to a replica read).
// Run: npm run bench:replica   (REPLICA_BENCH_SECONDS=5, REPLICA_BENCH_CONCURRENCY=8)
import { join } from 'node:path'
import { createEventLog } from '../src/core/eventLog.ts'
import { DEFAULT_LIMITS } from '../src/core/limits.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { startMigratedSqld } from '../test/sqld.ts'
import { tempDir } from '../test/helpers.ts'

const seconds = Number(process.env.REPLICA_BENCH_SECONDS ?? 5)
const concurrency = Number(process.env.REPLICA_BENCH_CONCURRENCY ?? 8)
const STREAMS = 100
const PER_STREAM = 100

const sqld = await startMigratedSqld()
const { dir, cleanup } = tempDir()
try {
  const primary = await openStore({ url: sqld.url, migrate: false })
  const log = createEventLog({ ...primary, codec, limits: DEFAULT_LIMITS })
  for (let s = 0; s < STREAMS; s++) {
    await log.appendToStream(`bench-${s}`, 'no_stream', Array.from({ length: PER_STREAM }, (_, i) => ({ type: 'Seeded', data: { s, i, pad: 'x'.repeat(100) } })))
  }
  await log.close()
  const replica = await openStore({ url: sqld.url, migrate: false, replicaPath: join(dir, 'replica.db'), replicaSyncIntervalMs: 1000 })

  const measure = async (store: Store, what: string, read: (store: Store, k: number) => Promise<unknown>) => {
    let done = 0
    const until = Date.now() + seconds * 1000
    const started = performance.now()
    await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
      for (let k = w; Date.now() < until; k += concurrency) {
        await read(store, k)
        done++
      }
    }))
    return { what, perSecond: done / ((performance.now() - started) / 1000) }
  }
  const head = (store: Store, k: number) => store.reader.head(`bench-${k % STREAMS}`)
  const page = (store: Store, k: number) => store.reader.readStream(`bench-${k % STREAMS}`, { limit: 100, direction: 'forward' })
  const rows = []
  for (const [name, read] of [['stream head', head], ['stream page of 100 events', page]] as const) {
    const p = await measure(primary, name, read)
    const r = await measure(replica, name, read)
    rows.push(`| ${name} | ${Math.round(p.perSecond).toLocaleString('en')} | ${Math.round(r.perSecond).toLocaleString('en')} | ${(r.perSecond / p.perSecond).toFixed(1)}x |`)
  }
  console.log(`reads/s, ${concurrency} concurrent, ${seconds} s each, sqld ${sqld.url} (loopback), ${STREAMS} streams x ${PER_STREAM} events`)
  console.log('| read | primary (HTTP) | replica (local file) | replica / primary |')
  console.log('|---|---|---|---|')
  for (const r of rows) console.log(r)
  await replica.close()
  await primary.close()
} finally {
  await sqld.stop()
  sqld.cleanup()
  cleanup()
}

// DCB query reads at growing log sizes (SCENARIOS S4): a fixed page of 100 matching events
// by type, by tag, and by type + tag, at 100 / 1K / 10K / 1M events. Target: flat, the
// page costs the same however long the log (index ranges, never a scan).
// Run: npm run bench:dcb   (DCB_SIZES=100,1000 to pick sizes, DCB_ITERATIONS=300)
import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, loadConfig } from '../src/config.ts'
import type { QueryItem } from '../src/core/types.ts'
import { createApp } from '../src/http/app.ts'
import { openLog } from '../src/logApp.ts'
import { codec } from '../src/store/codec.ts'
import { migrate } from '../src/store/migrate.ts'
import { MIGRATIONS } from '../src/store/node.ts'
import { createStore } from '../src/store/store.ts'
import { percentile, report, type Row } from './lib.ts'

const PAGE = 100
/** page latency at the largest size may be at most this many times the smallest's */
const FLAT = 2
const sizes = (process.env.DCB_SIZES ?? '100,1000,10000,1000000').split(',').map(Number)
const iterations = Number(process.env.DCB_ITERATIONS ?? 300)

const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}K` : String(n))

/**
 * `n` events straight into a fresh file with one INSERT ... SELECT (durability normal):
 * 20 background types over 1000 streams, one `acct:<k>` tag each; exactly PAGE of them,
 * spread evenly through the log, are of type `Probe` and carry `probe:1` as well, so every
 * size has one full page to find and, at 1M, it is 1 event in 10,000.
 */
async function seed(url: string, n: number) {
  const client = createClient({ url, concurrency: 1 })
  await client.execute('PRAGMA journal_mode = WAL')
  await client.execute('PRAGMA synchronous = NORMAL')
  await migrate(client, MIGRATIONS)
  const every = Math.floor(n / PAGE)
  const data = codec.encode({ amount: 125, currency: 'EUR', note: 'x'.repeat(40) })
  const t0 = performance.now()
  await client.batch(
    [
      {
        sql: `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
              INSERT INTO events (position, id, stream, revision, category, stream_hash, type, time, data, metadata, tags)
              SELECT i, unhex('00000000000070008000' || printf('%012x', i)), 'acct-' || (i % 1000), i / 1000, 'acct', i % 1000,
                     CASE WHEN i % ? = 0 THEN 'Probe' ELSE 'T' || (i % 20) END, 1700000000000 + i, ?, NULL,
                     CASE WHEN i % ? = 0 THEN json_array('acct:' || (i % 1000), 'probe:1') ELSE json_array('acct:' || (i % 1000)) END
              FROM seq`,
        args: [n, every, data, every],
      },
      'INSERT INTO event_tags (tag, position) SELECT j.value, e.position FROM events e, json_each(e.tags) j',
    ],
    'write',
  )
  const seedMs = performance.now() - t0
  const store = createStore(client)
  const opened = await openLog({ store, config: loadConfig({}), codec, logger: createLogger('error'), retentionTimer: false })
  return { store, opened, seedMs }
}

async function time(f: () => Promise<unknown>) {
  for (let i = 0; i < 30; i++) await f()
  const ms: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now()
    await f()
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) }
}

const QUERIES: Array<[string, QueryItem[]]> = [
  ['query by type', [{ types: ['Probe'] }]],
  ['query by tag', [{ tags: ['probe:1'] }]],
  ['query by type + tag', [{ types: ['Probe'], tags: ['probe:1'] }]],
]

/** `{ rows, raw }` like the other bench modules, so `npm run bench` can include it. */
export async function dcbBenchmarks(): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const raw: Record<string, Record<string, unknown>> = {}
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'edgelog-dcb-'))
    try {
      const { store, opened, seedMs } = await seed(`file:${join(dir, 'dcb.db')}`, n)
      const app = createApp(opened.deps)
      const figures: Record<string, unknown> = { seedMs: Math.round(seedMs) }
      for (const [name, items] of QUERIES) {
        const page = await store.reader.query(items, { from: 0, limit: PAGE })
        if (page.events.length !== PAGE) throw new Error(`${name} at ${n}: ${page.events.length} events, expected ${PAGE}`)
        figures[name] = await time(() => store.reader.query(items, { from: 0, limit: PAGE }))
      }
      const body = JSON.stringify({ items: [{ tags: ['probe:1'] }], limit: PAGE })
      figures['POST /v1/query by tag (in-process, JSON)'] = await time(async () => {
        const res = await app.request('/v1/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        await res.arrayBuffer()
      })
      raw[label(n)] = figures
      console.error(`${label(n)}: seeded in ${Math.round(seedMs)} ms`, JSON.stringify(figures))
      await opened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const rows: Row[] = []
  const names = [...QUERIES.map(([name]) => name), 'POST /v1/query by tag (in-process, JSON)']
  const first = label(sizes[0])
  const last = label(sizes[sizes.length - 1])
  for (const name of names) {
    for (const n of sizes) {
      const f = raw[label(n)][name] as { p50: number; p99: number }
      rows.push({ metric: `${name}, ${PAGE}-event page, ${label(n)} events`, target: 'info', actual: `p50 ${f.p50.toFixed(3)} ms, p99 ${f.p99.toFixed(3)} ms`, status: 'info', value: f.p50, unit: 'ms' })
    }
    const a = (raw[first][name] as { p50: number }).p50
    const b = (raw[last][name] as { p50: number }).p50
    const growth = b / a
    rows.push({ metric: `${name}: p50 growth ${first} -> ${last}`, target: `flat (<= ${FLAT}x)`, actual: `${growth.toFixed(2)}x`, status: growth <= FLAT ? 'pass' : 'miss', value: growth, unit: 'x' })
  }
  return { rows, raw }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, raw } = await dcbBenchmarks()
  report('DCB query reads', rows, { raw, iterations, page: PAGE })
  if (rows.some((r) => r.status === 'miss')) process.exitCode = 1
}

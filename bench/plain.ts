/**
 * edgelog in process against a plain @libsql/client doing the same work, side by side in
 * one run (issue: "well above a plain libSQL client"). The plain client has a bare events
 * table (rowid + UNIQUE(stream, revision)), one transaction per append, JSON text payloads
 * parsed on read. edgelog: its own schema and indexes, CBOR payloads decoded on read.
 * Both on a local file, durability full. Medians of `REPS` repetitions.
 */
import { createClient, type Client } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fmt, runConcurrent, status, type Row } from './lib.ts'
import { freshLog, payloadOf } from './setup.ts'

const REPS = Number(process.env.BENCH_REPS ?? 3)
const PAYLOAD = payloadOf(200)

interface Subject {
  name: string
  appendBatch(stream: string, events: number): Promise<void>
  readStream(stream: string): Promise<number>
  readLog(limit: number): Promise<number>
  readThenAppend(stream: string): Promise<void>
  close(): Promise<void>
}

async function plainClient(): Promise<Subject> {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-plain-'))
  const client: Client = createClient({ url: `file:${join(dir, 'plain.db')}` })
  await client.execute('PRAGMA journal_mode = WAL')
  await client.execute('PRAGMA synchronous = FULL')
  await client.execute(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    type TEXT NOT NULL, time INTEGER NOT NULL, data TEXT, UNIQUE (stream, revision))`)
  const json = JSON.stringify(PAYLOAD)
  // One transaction per append: one multi-row INSERT (the fastest plain form),
  // revisions computed in SQL from the stream's head.
  const insert = async (stream: string, n: number) => {
    const rows = Array.from({ length: n }, (_, i) => `(${i + 1}, ?)`).join(',')
    await client.execute({
      sql: `INSERT INTO events (stream, revision, type, time, data)
            SELECT ?, h.r + v.column1, 'Deposited', ?, v.column2
            FROM (SELECT coalesce(max(revision), -1) AS r FROM events WHERE stream = ?) h, (VALUES ${rows}) v`,
      args: [stream, Date.now(), stream, ...Array.from({ length: n }, () => json)],
    })
  }
  return {
    name: 'plain @libsql/client',
    appendBatch: insert,
    async readStream(stream) {
      let n = 0
      for (let from = 0; ; ) {
        const r = await client.execute({ sql: 'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT 1000', args: [stream, from] })
        for (const row of r.rows) JSON.parse(row.data as string)
        n += r.rows.length
        if (r.rows.length < 1000) return n
        from = Number(r.rows[r.rows.length - 1].revision) + 1
      }
    },
    async readLog(limit) {
      let n = 0
      for (let from = 0; n < limit; ) {
        const r = await client.execute({ sql: 'SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT 1000', args: [from] })
        for (const row of r.rows) JSON.parse(row.data as string)
        n += r.rows.length
        if (r.rows.length < 1000) return n
        from = Number(r.rows[r.rows.length - 1].position) + 1
      }
      return n
    },
    async readThenAppend(stream) {
      for (;;) {
        const last = await client.execute({ sql: 'SELECT * FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1', args: [stream] })
        const revision = last.rows.length ? Number(last.rows[0].revision) : -1
        if (last.rows.length) JSON.parse(last.rows[0].data as string)
        try {
          await client.execute({ sql: 'INSERT INTO events (stream, revision, type, time, data) VALUES (?, ?, ?, ?, ?)', args: [stream, revision + 1, 'Deposited', Date.now(), json] })
          return
        } catch (e) {
          if (!/UNIQUE|constraint/i.test(String(e))) throw e
        }
      }
    },
    async close() {
      client.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function edgelog(): Promise<Subject> {
  const t = await freshLog('full')
  const decode = (e: { data: Uint8Array | null }) => e.data && t.log.codec.decode(e.data)
  return {
    name: 'edgelog',
    async appendBatch(stream, n) {
      await t.log.appendToStream(stream, 'any', Array.from({ length: n }, () => ({ type: 'Deposited', data: PAYLOAD })))
    },
    async readStream(stream) {
      let n = 0
      for (let from = 0; ; ) {
        const page = await t.store.reader.readStream(stream, { from, limit: 1000, direction: 'forward' })
        for (const e of page) decode(e)
        n += page.length
        if (page.length < 1000) return n
        from = page[page.length - 1].revision! + 1
      }
    },
    async readLog(limit) {
      let n = 0
      for (let from = 0; n < limit; ) {
        const page = await t.store.reader.readAll({ from, limit: 1000 })
        for (const e of page) decode(e)
        n += page.length
        if (page.length < 1000) return n
        from = page[page.length - 1].position + 1
      }
      return n
    },
    async readThenAppend(stream) {
      for (;;) {
        const last = await t.store.reader.readStream(stream, { limit: 1, direction: 'backward' })
        if (last[0]) decode(last[0])
        const expected = last.length ? last[0].revision! : 'no_stream'
        try {
          await t.log.appendToStream(stream, expected, [{ type: 'Deposited', data: PAYLOAD }])
          return
        } catch (e) {
          if ((e as { status?: number }).status !== 409) throw e
        }
      }
    },
    close: () => t.close(),
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const rate = async (n: number, f: () => Promise<unknown>) => {
  const t0 = performance.now()
  await f()
  return n / ((performance.now() - t0) / 1000)
}

interface Workload {
  metric: string
  target: number
  run(s: Subject): Promise<number>
}

const workloads: Workload[] = [
  { metric: '200 appends of 100 events, 1 appender (events/s)', target: 1.5, run: (s) => rate(20_000, () => runConcurrent(200, 1, (i) => s.appendBatch(`batch-${i % 10}`, 100))) },
  { metric: '200 appends of 100 events, 8 concurrent appenders (events/s)', target: 2, run: (s) => rate(20_000, () => runConcurrent(200, 8, (i) => s.appendBatch(`batch-${i % 10}`, 100))) },
  {
    metric: 'read a 10,000-event stream, payloads decoded (events/s)',
    target: 2,
    async run(s) {
      for (let i = 0; i < 100; i++) await s.appendBatch('big', 100)
      return rate(10_000, () => s.readStream('big'))
    },
  },
  {
    metric: 'read 50,000 events of the log, payloads decoded (events/s)',
    target: 2,
    async run(s) {
      for (let i = 0; i < 500; i++) await s.appendBatch(`log-${i % 50}`, 100)
      return rate(50_000, () => s.readLog(50_000))
    },
  },
  { metric: 'read the stream + append 1 at its revision, 50 concurrent, 100 streams (ops/s)', target: 4, run: (s) => rate(2_000, () => runConcurrent(2_000, 50, (i) => s.readThenAppend(`cmd-${i % 100}`))) },
]

export async function plainBenchmarks(): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const rows: Row[] = []
  const raw: Record<string, unknown> = {}
  for (const w of workloads) {
    const figures: Record<string, number[]> = { plain: [], edgelog: [] }
    for (let rep = 0; rep < REPS; rep++) {
      // alternately, each on a fresh file
      for (const [key, make] of [['plain', plainClient], ['edgelog', edgelog]] as const) {
        const s = await make()
        try {
          figures[key].push(await w.run(s))
        } finally {
          await s.close()
        }
      }
    }
    const plain = median(figures.plain)
    const ours = median(figures.edgelog)
    raw[w.metric] = figures
    rows.push({
      metric: `in process: ${w.metric}`,
      target: `>= ${w.target}x plain`,
      actual: `${fmt(ours / plain, 2)}x (${fmt(ours)} vs ${fmt(plain)})`,
      status: status(ours / plain >= w.target),
      value: ours / plain,
    })
  }
  return { rows, raw }
}

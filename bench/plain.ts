/**
 * edgelog in process against a plain @libsql/client doing the same work, side by side in
 * one run (issue: "well above a plain libSQL client"). The plain client has a bare events
 * table (rowid + UNIQUE(stream, revision)), one transaction per append, JSON text payloads
 * parsed on read. edgelog: its own schema and indexes, CBOR payloads decoded on read.
 * Both on a local file, durability full. Medians of `REPS` repetitions.
 */
import { createClient, type Client } from '@libsql/client'
import Database from 'libsql'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fmt, runConcurrent, status, type Row } from './lib.ts'
import { freshLog, payloadOf } from './setup.ts'

const REPS = Number(process.env.BENCH_REPS ?? 3)
const ONLY = process.env.BENCH_PLAIN_ONLY // e.g. 'appender': only the workloads whose metric names it
const PAYLOAD = payloadOf(200)

interface Subject {
  name: string
  appendBatch(stream: string, events: number): Promise<void>
  readStream(stream: string): Promise<number>
  readLog(limit: number): Promise<number>
  readThenAppend(stream: string): Promise<void>
  /** requests per commit so far (edgelog's group commit; the plain client commits each alone) */
  requestsPerCommit?(): number
  close(): Promise<void>
}

const PLAIN_TABLE = `CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    type TEXT NOT NULL, time INTEGER NOT NULL, data TEXT, UNIQUE (stream, revision))`
// One transaction per append: one multi-row INSERT (the fastest plain form),
// revisions computed in SQL from the stream's head.
const plainInsert = (n: number) => `INSERT INTO events (stream, revision, type, time, data)
            SELECT ?, h.r + v.column1, 'Deposited', ?, v.column2
            FROM (SELECT coalesce(max(revision), -1) AS r FROM events WHERE stream = ?) h, (VALUES ${Array.from({ length: n }, (_, i) => `(${i + 1}, ?)`).join(',')}) v`

async function plainClient(): Promise<Subject> {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-plain-'))
  const client: Client = createClient({ url: `file:${join(dir, 'plain.db')}` })
  await client.execute('PRAGMA journal_mode = WAL')
  await client.execute('PRAGMA synchronous = FULL')
  await client.execute(PLAIN_TABLE)
  const json = JSON.stringify(PAYLOAD)
  const insert = async (stream: string, n: number) => {
    await client.execute({ sql: plainInsert(n), args: [stream, Date.now(), stream, ...Array.from({ length: n }, () => json)] })
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
  let commits = 0
  let requests = 0
  t.log.writer.onGroup((g) => {
    commits++
    requests += g.requests
  })
  return {
    name: 'edgelog',
    requestsPerCommit: () => requests / commits,
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

/**
 * What the COMMIT costs the plain client: its 1-appender appends, each followed by the same
 * append through the same driver (`libsql`, under @libsql/client) on a second file with the
 * COMMIT timed apart from BEGIN + INSERT, so both see the same moment of a shared
 * machine. At durability full the COMMIT is the WAL's fsync. A store that acknowledges
 * each append only once it is durable pays one per append however little else it does,
 * so one sequential appender can be at most (the plain client's time per append) / (that
 * COMMIT) times as fast as the plain client.
 */
async function commitProbe(appends: number, events: number): Promise<{ plainMs: number; appendMs: number; commitMs: number }> {
  const plain = await plainClient()
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-probe-'))
  const db = new Database(join(dir, 'probe.db'))
  try {
    db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = FULL')
    db.exec(PLAIN_TABLE)
    const insert = db.prepare(plainInsert(events))
    const json = JSON.stringify(PAYLOAD)
    let plainMs = 0
    let appendMs = 0
    let commitMs = 0
    for (let i = 0; i < appends; i++) {
      const stream = `batch-${i % 10}`
      const p0 = performance.now()
      await plain.appendBatch(stream, events)
      const t0 = performance.now()
      db.exec('BEGIN IMMEDIATE')
      insert.run([stream, Date.now(), stream, ...Array.from({ length: events }, () => json)])
      const c0 = performance.now()
      db.exec('COMMIT')
      const c1 = performance.now()
      plainMs += t0 - p0
      appendMs += c1 - t0
      commitMs += c1 - c0
    }
    return { plainMs: plainMs / appends, appendMs: appendMs / appends, commitMs: commitMs / appends }
  } finally {
    db.close()
    await plain.close()
    rmSync(dir, { recursive: true, force: true })
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
  /** also measure the plain client's COMMIT share (commitProbe) each repetition */
  probe?: boolean
}

const workloads: Workload[] = [
  { metric: '200 appends of 100 events, 1 appender (events/s)', target: 1.5, probe: true, run: (s) => rate(20_000, () => runConcurrent(200, 1, (i) => s.appendBatch(`batch-${i % 10}`, 100))) },
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
  for (const w of workloads.filter((w) => !ONLY || w.metric.includes(ONLY))) {
    const figures: Record<string, number[]> = { plain: [], edgelog: [], commitMs: [], probeAppendMs: [], probePlainMs: [], requestsPerCommit: [] }
    for (let rep = 0; rep < REPS; rep++) {
      // alternately, each on a fresh file
      for (const [key, make] of [['plain', plainClient], ['edgelog', edgelog]] as const) {
        const s = await make()
        try {
          figures[key].push(await w.run(s))
          if (s.requestsPerCommit) figures.requestsPerCommit.push(s.requestsPerCommit())
        } finally {
          await s.close()
        }
      }
      if (w.probe) {
        const p = await commitProbe(200, 100)
        figures.commitMs.push(p.commitMs)
        figures.probeAppendMs.push(p.appendMs)
        figures.probePlainMs.push(p.plainMs)
      }
    }
    const plain = median(figures.plain)
    const ours = median(figures.edgelog)
    raw[w.metric] = figures
    const groups = w.metric.includes('concurrent appenders') ? `; ${fmt(median(figures.requestsPerCommit), 1)} appends per commit` : ''
    rows.push({
      metric: `in process: ${w.metric}`,
      target: `>= ${w.target}x plain`,
      actual: `${fmt(ours / plain, 2)}x (${fmt(ours)} vs ${fmt(plain)}${groups})`,
      status: status(ours / plain >= w.target),
      value: ours / plain,
    })
    if (w.probe) {
      // per repetition, from the probe's interleaved appends: the share and the ceiling
      const share = median(figures.commitMs.map((c, i) => c / figures.probeAppendMs[i]))
      const ceiling = median(figures.commitMs.map((c, i) => figures.probePlainMs[i] / c))
      rows.push({
        metric: `in process: ${w.metric.replace(' (events/s)', '')}: the plain client's COMMIT (WAL fsync) and the ceiling it sets`,
        target: `ceiling >= ${w.target}x`,
        actual: `COMMIT ${fmt(median(figures.commitMs), 2)} of ${fmt(median(figures.probeAppendMs), 2)} ms per append (${fmt(100 * share)}%); ceiling ${fmt(ceiling, 2)}x plain (the plain client's ${fmt(median(figures.probePlainMs), 2)} ms per append / COMMIT)`,
        status: 'info',
        value: ceiling,
      })
    }
  }
  return { rows, raw }
}

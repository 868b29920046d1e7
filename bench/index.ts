// `npm run bench [-- appends|micro|reads|dcb|plain|subscribe]`: in-process benchmarks of the
// core and store (no HTTP), all of them or one part. Not part of `npm test`: they print
// figures, they do not assert timings. BENCH_SECONDS scales each run.
import { appendBenchmarks } from './appends.ts'
import { dcbBenchmarks } from './dcb.ts'
import { report, type Row } from './lib.ts'
import { microBenchmarks } from './micro.ts'
import { plainBenchmarks } from './plain.ts'
import { readBenchmarks } from './reads.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 3)
const only = process.argv[2]
const rows: Row[] = []
const raw: Record<string, unknown> = {}
const collect = (r: { rows: Row[]; raw: Record<string, unknown> }, key: string) => {
  rows.push(...r.rows)
  raw[key] = r.raw
}

if (!only || only === 'appends') {
  collect(await appendBenchmarks('full', seconds), 'appends_full')
  collect(await appendBenchmarks('normal', seconds), 'appends_normal')
}
if (!only || only === 'micro') collect(await microBenchmarks(), 'micro')
if (!only || only === 'reads') collect(await readBenchmarks(), 'reads')
if (!only || only === 'dcb') collect(await dcbBenchmarks(), 'dcb')
if (!only || only === 'plain') collect(await plainBenchmarks(), 'plain')

if (rows.length) report('edgelog in-process benchmarks', rows, { raw, seconds })
// S6 subscriptions and checkpoints (also `npm run bench:subscribe`): its own app and report
if (!only || only === 'subscribe') await import('./subscribe.ts')

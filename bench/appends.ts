import { fmt, percentile, runConcurrent, status, type Row } from './lib.ts'
import { baselineAppender, freshLog, payloadOf, type Durability } from './setup.ts'

const SMALL = payloadOf(200)
const LARGE = payloadOf(10_000)
const STREAMS = 100

/** Runs appends for about `seconds`, in rounds, and returns events/s and latency percentiles. */
async function measure(seconds: number, concurrency: number, eventsPerAppend: number, append: (i: number) => Promise<unknown>) {
  const latencies: number[] = []
  const started = performance.now()
  let appends = 0
  while (performance.now() - started < seconds * 1000) {
    const n = concurrency * 20
    const offset = appends
    latencies.push(...(await runConcurrent(n, concurrency, (i) => append(offset + i))))
    appends += n
  }
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    eventsPerSec: (appends * eventsPerAppend) / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  }
}

export async function appendBenchmarks(durability: Durability, seconds: number): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const rows: Row[] = []
  const raw: Record<string, unknown> = {}

  const base = await baselineAppender(durability)
  const baseline = await measure(seconds, 100, 1, (i) => base.append(`account-${i % STREAMS}`, 'Deposited', SMALL))
  base.close()
  raw.baseline = baseline
  rows.push({ metric: `[${durability}] baseline: 1 tx per append (@libsql/client), 100 concurrent`, target: 'reference', actual: `${fmt(baseline.eventsPerSec)} ev/s`, status: 'info', value: baseline.eventsPerSec, unit: 'events/s' })

  for (const concurrency of [1, 10, 100]) {
    const t = await freshLog(durability)
    const r = await measure(seconds, concurrency, 1, (i) => t.log.appendToStream(`account-${i % STREAMS}`, 'any', [{ type: 'Deposited', data: SMALL }]))
    await t.close()
    raw[`single_c${concurrency}`] = r
    const ratio = r.eventsPerSec / baseline.eventsPerSec
    const target = concurrency === 100 && durability === 'full' ? '>= 50,000 ev/s, >= 10x baseline' : ''
    rows.push({
      metric: `[${durability}] single-event appends, ${concurrency} concurrent`,
      target,
      actual: `${fmt(r.eventsPerSec)} ev/s (${fmt(ratio, 1)}x baseline), p50 ${fmt(r.p50, 2)} / p95 ${fmt(r.p95, 2)} / p99 ${fmt(r.p99, 2)} ms`,
      status: target ? status(r.eventsPerSec >= 50_000 && ratio >= 10) : 'info',
      value: r.eventsPerSec,
      unit: 'events/s',
    })
  }

  for (const [label, payload] of [['~200 B', SMALL], ['~10 KB', LARGE]] as const) {
    for (const batch of [1, 2, 5, 10, 20, 50, 100]) {
      const t = await freshLog(durability)
      const events = Array.from({ length: batch }, () => ({ type: 'Deposited', data: payload }))
      // 10 concurrent appenders over 5 streams (SCENARIOS S3)
      const r = await measure(seconds / 2, 10, batch, (i) => t.log.appendToStream(`batch-${i % 5}`, 'any', events))
      await t.close()
      raw[`batch_${batch}_${label}`] = r
      const target = batch === 100 && label === '~200 B' && durability === 'full' ? '>= 120,000 ev/s' : ''
      rows.push({
        metric: `[${durability}] batch ${batch}, ${label} events, 10 appenders`,
        target,
        actual: `${fmt(r.eventsPerSec)} ev/s (${fmt(r.eventsPerSec / baseline.eventsPerSec, 1)}x baseline), p99 ${fmt(r.p99, 2)} ms`,
        status: target ? status(r.eventsPerSec >= 120_000) : 'info',
        value: r.eventsPerSec,
        unit: 'events/s',
      })
    }
  }
  return { rows, raw }
}

/**
 * STORE=do against STORE=d1 on the Worker, in the same run, under local workerd
 * (Miniflare, the bundle a deploy uploads): appends/s at 50 concurrent requests of one
 * event each, and live-tail delivery latency (append sent -> event received on an open
 * SSE subscription). Local workerd is not Cloudflare: D1 here is a local SQLite file with
 * no network hop, and a Durable Object has no replication, so only the ratio between the
 * two means anything, and only as a hint.
 *
 *   npm run bench:worker            BENCH_SECONDS=10 BENCH_LIVE=300 BENCH_ROUNDS=4 npm run bench:worker
 */
import { startLocalWorker } from '../test/worker/start.ts'

const CONCURRENCY = 50
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const LIVE = Number(process.env.BENCH_LIVE ?? 200)
const STREAMS = 100
const payload = { amount: 12.5, currency: 'EUR', note: 'x'.repeat(60) }

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

async function appendOne(base: string, stream: string): Promise<void> {
  const res = await fetch(`${base}/v1/streams/${stream}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ type: 'Deposited', data: payload }] }),
  })
  if (res.status !== 201) throw new Error(`append: ${res.status} ${await res.text()}`)
  await res.arrayBuffer()
}

async function throughput(base: string, prefix: string): Promise<number> {
  // warm-up: objects created, migrations applied, JIT
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => appendOne(base, `${prefix}w-${i}`)))
  let done = 0
  const end = performance.now() + SECONDS * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = w; performance.now() < end; i += CONCURRENCY) {
        await appendOne(base, `${prefix}-${i % STREAMS}`)
        done++
      }
    }),
  )
  return done / ((performance.now() - started) / 1000)
}

/** Opens an SSE subscription on a fresh category and times each append until its event arrives. */
async function liveTail(base: string, category: string): Promise<number[]> {
  const controller = new AbortController()
  const res = await fetch(`${base}/v1/subscribe?category=${category}`, { headers: { accept: 'text/event-stream' }, signal: controller.signal })
  if (res.status !== 200 || !res.body) throw new Error(`subscribe: ${res.status}`)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let wake: (() => void) | undefined
  let received = 0
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      buffer += value
      let cut: number
      while ((cut = buffer.indexOf('\n\n')) !== -1) {
        const message = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        if (/^data:/m.test(message)) {
          received++
          wake?.()
        }
      }
    }
  })()
  const latencies: number[] = []
  try {
    for (let i = 0; i < LIVE; i++) {
      const arrived = new Promise<void>((r) => (wake = () => received > i && r()))
      const t0 = performance.now()
      await appendOne(base, `${category}-${i % 10}`)
      if (received <= i) await arrived
      latencies.push(performance.now() - t0)
    }
  } finally {
    controller.abort()
  }
  return latencies.sort((a, b) => a - b)
}

interface Result {
  store: string
  appendsPerSecond: number
  p50: number
  p99: number
}

async function measure(store: 'do' | 'd1'): Promise<Result> {
  const worker = await startLocalWorker({ STORE: store, LOG_LEVEL: 'silent' })
  try {
    const tag = `${store}${Date.now().toString(36)}`
    const appendsPerSecond = await throughput(worker.baseUrl, `acct${tag}`)
    const latencies = await liveTail(worker.baseUrl, `tail${tag}`)
    return { store, appendsPerSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
  } finally {
    await worker.stop()
  }
}

// ABBA order: a machine whose load drifts during the run favours neither store.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const runs: Result[] = []
for (let r = 0; r < ROUNDS; r++) for (const store of r % 2 ? (['d1', 'do'] as const) : (['do', 'd1'] as const)) runs.push(await measure(store))
const mean = (store: string): Result => {
  const mine = runs.filter((r) => r.store === store)
  const avg = (f: (r: Result) => number) => mine.reduce((a, r) => a + f(r), 0) / mine.length
  return { store, appendsPerSecond: avg((r) => r.appendsPerSecond), p50: avg((r) => r.p50), p99: avg((r) => r.p99) }
}
const results = [mean('do'), mean('d1')]
const [d, one] = results
console.log(`\nLocal workerd (Miniflare ${(await import('miniflare/package.json', { with: { type: 'json' } })).default.version}), ${CONCURRENCY} concurrent single-event appends for ${SECONDS} s, then ${LIVE} sequential appends to a live SSE tail; mean of ${ROUNDS} round(s) per store, ABBA order. Local workerd is not Cloudflare: compare the ratio only.\n`)
console.log('| STORE | appends/s (50 concurrent) | live tail p50 | live tail p99 |')
console.log('|---|---|---|---|')
for (const r of results) console.log(`| ${r.store} | ${Math.round(r.appendsPerSecond)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`)
console.log(`| do / d1 (local workerd) | ${(d.appendsPerSecond / one.appendsPerSecond).toFixed(2)}x | ${(d.p50 / one.p50).toFixed(2)}x | ${(d.p99 / one.p99).toFixed(2)}x |`)

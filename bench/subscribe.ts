/**
 * S6 (docs/performance.md "The scenarios"): a consumer reads 100K events through GET /v1/subscribe and the server
 * saves its checkpoint every N events, N in 1, 10, 100, 1000; then live-tail latency from
 * commit to delivery while appends run.
 *
 * The app is driven in-process (app.request: the real route, SSE framing and checkpoint
 * saves, no socket) so the figure is the subscription machinery; one extra row runs N=100
 * over a real loopback HTTP connection (@hono/node-server) for the transport's share.
 *
 *   npm run bench:subscribe            BENCH_EVENTS=20000 npm run bench:subscribe
 */
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createApp } from '../src/http/app.ts'
import { fmt, percentile, report, status, type Row } from './lib.ts'
import { freshLog } from './setup.ts'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000)
const STREAMS = 100
const DURABILITY = (process.env.DURABILITY ?? 'full') as 'full' | 'normal'
const LIVE_MS = Number(process.env.BENCH_LIVE_MS ?? 5_000)
/** SCENARIOS S6 reference table (events/s by checkpoint interval). */
const REFERENCE: Record<number, number> = { 1: 5_000, 10: 15_000, 100: 50_000, 1000: 80_000 }
const TARGET_N100 = 100_000

const bench = await freshLog(DURABILITY, { MAX_EVENTS_PER_APPEND: '10000' })
const { store, log } = bench
const app = createApp(bench.deps)

type Fetch = (path: string, signal: AbortSignal) => Promise<Response>
const inProcess: Fetch = async (path, signal) => app.request(path, { signal })

/**
 * Reads an event stream until the message with id `until`; calls `onId` for each id.
 * A light parser: only `id:` lines matter here.
 */
async function readUntil(res: Response, until: number, onId?: (id: number, at: number) => void): Promise<() => Promise<void>> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let carry = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) throw new Error(`stream ended before id ${until}`)
      const text = carry + decoder.decode(value, { stream: true })
      const at = performance.now()
      let last = -1
      let i = text.startsWith('id: ') ? 0 : text.indexOf('\nid: ')
      while (i !== -1) {
        const start = text[i] === '\n' ? i + 5 : i + 4
        const end = text.indexOf('\n', start)
        if (end === -1) break
        last = Number(text.slice(start, end))
        onId?.(last, at)
        i = text.indexOf('\nid: ', end)
      }
      // Keep an unfinished id line for the next chunk.
      carry = i !== -1 ? text.slice(i) : text.slice(-5)
      // Still open: the server saves the last checkpoint only while the stream is alive.
      if (last >= until) return () => reader.cancel().catch(() => {})
    }
  } catch (e) {
    await reader.cancel().catch(() => {})
    throw e
  }
}

async function fill(): Promise<number> {
  const payload = { amount: 100, currency: 'EUR', note: 'x'.repeat(40) }
  const started = performance.now()
  let last = 0
  for (let done = 0; done < EVENTS; ) {
    const k = Math.min(1000, EVENTS - done)
    const streams = Array.from({ length: 10 }, (_, s) => ({
      stream: `bench-${(done / 1000 + s) % STREAMS}`,
      events: Array.from({ length: k / 10 }, (_, i) => ({ type: 'Deposited', data: { ...payload, i } })),
    }))
    last = (await log.append({ streams })).position
    done += k
  }
  console.log(`filled ${fmt(EVENTS)} events in ${fmt((performance.now() - started) / 1000, 1)} s (durability ${DURABILITY})`)
  return last
}

/** One consumer from the start to `last`, checkpoint every `every` events (0: none); events/s. */
async function consume(fetcher: Fetch, last: number, every: number, name: string): Promise<number> {
  const ac = new AbortController()
  const q = every ? `&consumer=${name}&checkpointEvery=${every}` : ''
  const started = performance.now()
  const res = await fetcher(`/v1/subscribe?category=bench${q}`, ac.signal)
  const cancel = await readUntil(res, last)
  const seconds = (performance.now() - started) / 1000
  if (every) {
    // The last save follows the last write: give it a moment, then check it is the head.
    let cp = await store.consumers.get(name)
    for (let i = 0; i < 100 && EVENTS % every === 0 && cp?.position !== last; i++) {
      await new Promise((r) => setTimeout(r, 10))
      cp = await store.consumers.get(name)
    }
    if (EVENTS % every === 0 && cp?.position !== last) throw new Error(`checkpoint ${cp?.position}, expected ${last}`)
  }
  await cancel()
  ac.abort()
  return EVENTS / seconds
}

/** Live tail: writers append while a subscriber at the head measures commit -> delivery. */
async function liveTail(): Promise<{ p50: number; p99: number; max: number; events: number; appendsPerS: number }> {
  const commits: Array<[number, number]> = []
  log.writer.onCommit((lastPosition) => commits.push([lastPosition, performance.now()]))
  const head = await store.reader.lastPosition()
  const ac = new AbortController()
  const res = await inProcess(`/v1/subscribe?category=live&from=${head + 1}`, ac.signal)
  const latencies: number[] = []
  let ci = 0
  let until = Number.MAX_SAFE_INTEGER
  let stop: () => void = () => {}
  const seen = readUntil(res, Number.MAX_SAFE_INTEGER, (id, at) => {
    while (ci < commits.length && commits[ci][0] < id) ci++
    if (ci < commits.length) latencies.push(at - commits[ci][1])
    if (id >= until) stop()
  })
  const deadline = performance.now() + LIVE_MS
  let appends = 0
  // 8 concurrent clients, one small event per append: the group commit batches them.
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      while (performance.now() < deadline) {
        await log.appendToStream(`live-${w}`, 'any', [{ type: 'Ticked', data: { w, n: appends } }])
        appends++
      }
    }),
  )
  // Read up to the last appended event, then hang up.
  until = await store.reader.lastPosition()
  await Promise.race([new Promise<void>((r) => (stop = r)), new Promise((r) => setTimeout(r, 5000))])
  ac.abort()
  void seen.then((cancel) => cancel(), () => {})
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], events: latencies.length, appendsPerS: appends / (LIVE_MS / 1000) }
}

try {
  const last = await fill()
  const rows: Row[] = []
  const results: Record<string, number> = {}

  // Shared cores are noisy: each figure is the median of REPEAT runs (one for N=1, ~25 s a run).
  const REPEAT = Number(process.env.BENCH_REPEAT ?? 3)
  const median = async (runs: number, f: (i: number) => Promise<number>) => {
    const xs: number[] = []
    for (let i = 0; i < runs; i++) xs.push(await f(i))
    xs.sort((a, b) => a - b)
    return { value: xs[Math.floor(xs.length / 2)], min: xs[0], max: xs[xs.length - 1], runs: xs }
  }
  const spread = (m: { min: number; max: number; runs: number[] }) => (m.runs.length > 1 ? ` (${fmt(m.min)}-${fmt(m.max)})` : '')
  await consume(inProcess, last, 0, '') // warm-up (JIT), not counted
  const noneM = await median(REPEAT, () => consume(inProcess, last, 0, ''))
  const none = noneM.value
  results['none'] = none
  rows.push({ metric: 'S6 consumer, no checkpoint (in-process)', target: '-', actual: `${fmt(none)} events/s${spread(noneM)}`, status: 'info', value: none, unit: 'events/s' })
  for (const every of (process.env.BENCH_N ?? '1,10,100,1000').split(',').map(Number)) {
    const m = await median(every === 1 ? 1 : REPEAT, (i) => consume(inProcess, last, every, `bench-every-${every}-${i}`))
    const rate = m.value
    results[`every-${every}`] = rate
    const target = every === 100 ? TARGET_N100 : REFERENCE[every]
    rows.push({
      metric: `S6 checkpoint every ${every} (in-process)`,
      target: every === 100 ? `>= ${fmt(TARGET_N100)}/s (ref ${fmt(REFERENCE[100])}/s)` : `ref ${fmt(REFERENCE[every])}/s`,
      actual: `${fmt(rate)} events/s${spread(m)}`,
      status: status(rate >= target),
      value: rate,
      unit: 'events/s',
    })
  }

  // The same N=100 consumer over a real loopback HTTP connection.
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const httpM = await median(REPEAT, (i) => consume((path, signal) => fetch(base + path, { signal }), last, 100, `bench-http-100-${i}`))
  const http = httpM.value
  results['http-every-100'] = http
  rows.push({ metric: 'S6 checkpoint every 100 (loopback HTTP)', target: `>= ${fmt(TARGET_N100)}/s`, actual: `${fmt(http)} events/s${spread(httpM)}`, status: status(http >= TARGET_N100), value: http, unit: 'events/s' })
  ;(server as import('node:http').Server).closeAllConnections()
  await new Promise((r) => server.close(r))

  const live = await liveTail()
  rows.push({ metric: 'live tail commit -> delivery p50', target: '-', actual: `${fmt(live.p50, 2)} ms`, status: 'info', value: live.p50, unit: 'ms' })
  rows.push({ metric: 'live tail commit -> delivery p99', target: '-', actual: `${fmt(live.p99, 2)} ms`, status: 'info', value: live.p99, unit: 'ms' })
  rows.push({ metric: 'live tail appends during the run', target: '-', actual: `${fmt(live.appendsPerS)} appends/s, ${fmt(live.events)} events seen`, status: 'info' })

  report('S6 subscriptions and checkpoints', rows, { events: EVENTS, durability: DURABILITY, repeat: REPEAT, results, live })
} finally {
  await bench.close()
}

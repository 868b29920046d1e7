/**
 * `npm run bench:http [-- --runtime node,bun,deno --seconds 5 --rounds 2 --only head,append
 * --base ../other-checkout]`: edgelog over HTTP
 * against a bare Hono reference on the same runtime (bench/http-reference.ts), each driven
 * by the same autocannon load, alternately (A B A B), so both see the same machine.
 * Prints "metric | target | actual" with the ratio edgelog / reference; raw figures under
 * bench/results/ (git-ignored).
 *
 * --only picks shapes by a word of their name; --base also runs the edgelog of another
 * checkout (with its own node_modules) in the same rounds (A B C A B C), for a before/after
 * in one run. Each figure also gives the server's CPU time per request (from /proc, Linux),
 * which the other load on the machine moves less than throughput.
 *
 * Reading it: the load generator runs on the same cores as the server, so absolute
 * figures say little about a real deployment; the ratio says what edgelog's request
 * handling + database cost above the runtime's own HTTP stack. Durability is `full`.
 */
import autocannon from 'autocannon'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
// @ts-expect-error plain JS helper shared with the load scripts
import { freePort, ROOT, startServer } from '../scripts/server-process.mjs'
import { fmt, report, startReferenceProcess, status, type Row } from './lib.ts'

const { values } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'node,bun,deno' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '5' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    base: { type: 'string' },
  },
})
const runtimes = values.runtime!.split(',')
const seconds = Number(values.seconds)
const rounds = Number(values.rounds)

type Runtime = 'node' | 'bun' | 'deno'
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name)

/** Start the reference on `runtime`, serving `page` files for /v1/all. */
async function startReference(runtime: Runtime, pages: { json: string; cbor: string }) {
  const port = await freePort()
  const [cmd, args] =
    runtime === 'node'
      ? [process.execPath, ['--import', 'tsx', 'bench/http-reference.ts']]
      : runtime === 'bun'
        ? [bin('bun'), ['run', 'bench/http-reference.ts']]
        : [bin('deno'), ['run', '--allow-net', '--allow-env', '--allow-read', 'bench/http-reference.ts']]
  return startReferenceProcess(`reference on ${runtime}`, cmd as string, args as string[], ROOT, { PORT: String(port), PAGE_JSON: pages.json, PAGE_CBOR: pages.cbor })
}

const payload = { amount: 125, currency: 'EUR', account: 'account-17', note: 'x'.repeat(200) }
const oneEvent = () => JSON.stringify({ events: [{ type: 'Deposited', data: payload }] })
const hundredEvents = JSON.stringify({ events: Array.from({ length: 100 }, () => ({ type: 'Deposited', data: payload })) })

interface Shape {
  metric: string
  connections: number
  /** Work units per 2xx response (events for batches, 0.5 for a two-request command). */
  unitsPer: number
  unit: string
  target: number
  /** Compare with this shape's reference figure instead of its own (the command vs plain appends). */
  referenceOf?: string
  requests: (k: { streams: number; positions: number }) => autocannon.Request[]
}

const shapes: Shape[] = [
  {
    metric: 'single-event append, 100 connections',
    connections: 100,
    unitsPer: 1,
    unit: 'appends/s',
    target: 0.7,
    requests: () => [
      { method: 'POST', setupRequest: (r: any) => ({ ...r, path: `/v1/streams/bench-${(Math.random() * 1000) | 0}`, headers: { 'content-type': 'application/json' }, body: oneEvent() }) },
    ],
  },
  {
    metric: '100-event append, 16 connections',
    connections: 16,
    unitsPer: 100,
    unit: 'events/s',
    target: 0.6,
    requests: () => [
      { method: 'POST', setupRequest: (r: any) => ({ ...r, path: `/v1/streams/batch-${(Math.random() * 1000) | 0}`, headers: { 'content-type': 'application/json' }, body: hundredEvents }) },
    ],
  },
  {
    metric: 'head, 50 connections',
    connections: 50,
    unitsPer: 1,
    unit: 'req/s',
    target: 0.85,
    requests: () => [{ method: 'GET', setupRequest: (r: any) => ({ ...r, path: `/v1/streams/seed-${(Math.random() * 100) | 0}/head` }) }],
  },
  {
    metric: 'last event of a stream, 50 connections',
    connections: 50,
    unitsPer: 1,
    unit: 'req/s',
    target: 0.8,
    requests: () => [
      { method: 'GET', setupRequest: (r: any) => ({ ...r, path: `/v1/streams/seed-${(Math.random() * 100) | 0}?direction=backward&limit=1` }) },
    ],
  },
  {
    // S1's shape: read the stream's last event, append at its revision (a 409 is a lost race).
    metric: 'read + append command, 50 connections (vs reference appends)',
    connections: 50,
    unitsPer: 0.5,
    unit: 'commands/s',
    target: 0.35,
    referenceOf: 'single-event append, 100 connections',
    requests: () => [
      {
        method: 'GET',
        setupRequest: (r: any, ctx: any) => {
          ctx.stream = `cmd-${(Math.random() * 1000) | 0}`
          return { ...r, path: `/v1/streams/${ctx.stream}?direction=backward&limit=1` }
        },
        onResponse: (status: number, body: string, ctx: any) => {
          ctx.expected = status === 200 ? JSON.parse(body).events[0]?.revision ?? 'no_stream' : 'no_stream'
        },
      },
      {
        method: 'POST',
        setupRequest: (r: any, ctx: any) => ({
          ...r,
          path: `/v1/streams/${ctx.stream}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ expectedRevision: ctx.expected, events: [{ type: 'Deposited', data: payload }] }),
        }),
      },
    ] as any,
  },
  ...(['json', 'cbor'] as const).map(
    (media): Shape => ({
      metric: `100-event page of /v1/all (${media}) vs fixed body, 50 connections`,
      connections: 50,
      unitsPer: 100,
      unit: 'events/s',
      target: media === 'json' ? 0.6 : 0.8,
      requests: ({ positions }) => [
        {
          method: 'GET',
          headers: { accept: media === 'json' ? 'application/json' : 'application/cbor' },
          setupRequest: (r: any) => ({ ...r, path: `/v1/all?from=${1 + ((Math.random() * (positions - 100)) | 0)}&limit=100` }),
        },
      ],
    }),
  ),
]

const only = values.only?.split(',')
const picked = only ? shapes.filter((s) => only.some((w) => s.metric.includes(w))) : shapes
// a command is compared with the reference's appends: run those too
for (const s of [...picked]) if (s.referenceOf && !picked.some((p) => p.metric === s.referenceOf)) picked.unshift(shapes.find((o) => o.metric === s.referenceOf)!)

/** CPU seconds (user + system) a process has used so far, or NaN off Linux. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN
  }
}

async function drive(server: { baseUrl: string; pid?: number }, shape: Shape, k: { streams: number; positions: number }) {
  const baseUrl = server.baseUrl
  const cpu0 = cpuSeconds(server.pid)
  const result = await autocannon({
    url: baseUrl,
    connections: shape.connections,
    duration: seconds,
    requests: shape.requests(k),
  })
  const ok = result['2xx']
  const cpuUs = ((cpuSeconds(server.pid) - cpu0) * 1e6) / Math.max(1, ok + result.non2xx)
  // by status: a command's non-2xx should be 409s (lost races), nothing else
  const codes = Object.fromEntries(Object.entries((result as any).statusCodeStats ?? {}).filter(([code]) => !code.startsWith('2')).map(([code, s]: [string, any]) => [code, s.count]))
  return { rate: (ok * shape.unitsPer) / seconds, ok, non2xx: result.non2xx, codes, errors: result.errors, p99: result.latency.p99, cpuUs }
}

/** Seed streams for the reads and a log of 100-event batches for the pages; capture one page's bytes. */
async function seed(baseUrl: string, dir: string) {
  for (let s = 0; s < 100; s++) {
    const r = await fetch(`${baseUrl}/v1/streams/seed-${s}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hundredEvents })
    if (r.status !== 201) throw new Error(`seeding: ${r.status} ${await r.text()}`)
  }
  const json = join(dir, 'page.json')
  const cbor = join(dir, 'page.cbor')
  writeFileSync(json, new Uint8Array(await (await fetch(`${baseUrl}/v1/all?from=5001&limit=100`)).arrayBuffer()))
  writeFileSync(cbor, new Uint8Array(await (await fetch(`${baseUrl}/v1/all?from=5001&limit=100`, { headers: { accept: 'application/cbor' } })).arrayBuffer()))
  return { json, cbor, positions: 10_000 }
}

const rows: Row[] = []
const raw: Record<string, unknown> = {}
type Side = 'edgelog' | 'base' | 'reference'
const baseServer: typeof startServer | undefined = values.base
  ? (await import(join(resolve(values.base), 'scripts', 'server-process.mjs'))).startServer
  : undefined
const edgelogEnv = { LOG_LEVEL: 'error', MAX_QUEUE_EVENTS: '1000000' }
for (const runtime of runtimes as Runtime[]) {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-bench-http-'))
  const edgelog = await startServer({ runtime, durability: 'full', env: edgelogEnv })
  const base = baseServer ? await baseServer({ runtime, durability: 'full', env: edgelogEnv }) : undefined
  const pages = await seed(edgelog.baseUrl, dir)
  if (base) await seed(base.baseUrl, dir)
  const reference = await startReference(runtime, pages)
  const k = { streams: 1000, positions: pages.positions }
  const sides: [Side, { baseUrl: string; pid?: number }][] = [['edgelog', edgelog], ...(base ? [['base', base] as [Side, typeof base]] : []), ['reference', reference]]
  const figures: Record<string, Record<Side, any[]>> = {}
  try {
    for (const shape of picked) {
      figures[shape.metric] = { edgelog: [], base: [], reference: [] }
      for (let round = 0; round < rounds; round++) {
        // A B A B: the same load, alternately, so drift in the machine's speed hits both.
        for (const [side, server] of sides) figures[shape.metric][side].push(await drive(server, shape, k))
      }
    }
  } finally {
    await reference.stop()
    await edgelog.stop()
    edgelog.cleanup()
    if (base) (await base.stop(), base.cleanup())
    rmSync(dir, { recursive: true, force: true })
  }
  const mean = (xs: any[], key = 'rate') => xs.reduce((a, x) => a + x[key], 0) / xs.length
  for (const shape of picked) {
    const f = figures[shape.metric]
    const theirs = shape.referenceOf ? mean(figures[shape.referenceOf].reference) : mean(f.reference)
    const cpu = (xs: any[]) => fmt(mean(xs, 'cpuUs'))
    const of = (side: Side) => {
      const ours = mean(f[side])
      const codes: Record<string, number> = {}
      for (const x of f[side]) for (const [code, n] of Object.entries(x.codes as Record<string, number>)) codes[code] = (codes[code] ?? 0) + n
      const non2xx = Object.entries(codes).map(([code, n]) => `${n}x${code}`).join(' ') || '0'
      return { ratio: ours / theirs, text: `${(ours / theirs).toFixed(2)} (${fmt(ours)} vs ${fmt(theirs)} ${shape.unit}; non-2xx ${non2xx}; CPU µs/req ${cpu(f[side])} vs ${cpu(shape.referenceOf ? figures[shape.referenceOf].reference : f.reference)})` }
    }
    const ours = of('edgelog')
    rows.push({
      metric: `${runtime}: ${shape.metric}`,
      target: `>= ${shape.target.toFixed(2)}`,
      actual: base ? `${ours.text}; base ${of('base').text}` : ours.text,
      status: status(ours.ratio >= shape.target),
      value: ours.ratio,
    })
  }
  raw[runtime] = figures
}

report('edgelog over HTTP vs a bare Hono reference', rows, { raw, seconds, rounds, durability: 'full', base: values.base })

#!/usr/bin/env node
// npm run profile -- <scenario> [--duration 20] [--connections 50] [--rate N]
//                    [--driver auto|k6|autocannon] [--seed 1] [--runtime-args "..."]
//
// The profiling workflow (docs/performance.md): run the Node server with --cpu-prof and --heap-prof on a fresh
// database, drive a fixed, repeatable load for a fixed duration (k6 when it is on PATH,
// otherwise autocannon driving the same scenario shapes from load/lib/workloads.js with a
// seeded PRNG), stop the server with SIGTERM so the profiles are written, and leave in
// profiles/<timestamp>/:
//   *.cpuprofile, *.heapprofile   open in Chrome DevTools / VS Code / speedscope
//   load-summary.json             throughput, latency, outcome tally
//   profile.json                  top functions and allocation sites (for profile:compare)
//   summary.md                    the same, for people
// Compare two runs: npm run profile:compare -- profiles/<A> profiles/<B>
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import autocannon from 'autocannon'
import { onPath, ROOT, startServer } from './server-process.mjs'
import { cpuSelfTimes, findProfiles, fmtBytes, fmtNum, heapSites, loadJson, mdTable } from './profile-lib.mjs'
import { timestamp } from '../load/lib/config.js'
import { SCENARIOS } from '../load/lib/targets.js'
import * as W from '../load/lib/workloads.js'

const USAGE = `usage: npm run profile -- <scenario> [--duration 20] [--connections 50] [--rate N] [--driver auto|k6|autocannon] [--seed 1]
autocannon shapes: s1 (read-validate-append with retries), s3 (batched appends), s5 (90/10 mix); every scenario with k6`

function parseArgs(argv) {
  const o = { scenario: null, duration: 20, connections: 50, rate: null, driver: 'auto', seed: 1, batch: 100, out: 'profiles' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i])
    if (a.startsWith('--duration')) o.duration = Number(val())
    else if (a.startsWith('--connections')) o.connections = Number(val())
    else if (a.startsWith('--rate')) o.rate = Number(val())
    else if (a.startsWith('--driver')) o.driver = val()
    else if (a.startsWith('--seed')) o.seed = Number(val())
    else if (a.startsWith('--batch')) o.batch = Number(val())
    else if (a.startsWith('--out')) o.out = val()
    else if (a === '-h' || a === '--help') o.help = true
    else if (!a.startsWith('-') && !o.scenario) o.scenario = a.toLowerCase().slice(0, 2)
    else throw new Error(`unknown argument ${a}`)
  }
  return o
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' }

async function post(baseUrl, path, body) {
  const r = await fetch(baseUrl + path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) })
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}

// ---------------------------------------------------------------------------------
// autocannon shapes of the scenarios (JSON bodies)

/** S1: read the account's last event, decide, append with expectedRevision, retry on 409. */
async function shapeS1(baseUrl, o, tally) {
  const rng = W.createRng(o.seed)
  const runTag = `p${o.seed}`
  const accounts = 100
  const account = (i) => W.streamName('account', runTag, i)
  for (let i = 0; i < accounts; i++) await post(baseUrl, `/v1/streams/${account(i)}`, { events: [W.accountOpened(10000)], expectedRevision: 'no_stream' })
  const maxRetries = 5
  return [
    {
      method: 'GET',
      setupRequest: (req, ctx) => {
        if (!ctx.retrying) {
          ctx.stream = account(W.randInt(rng, 0, accounts - 1))
          ctx.cmd = W.accountCommand(rng, { maxAmount: 500, accounts })
          ctx.retries = 0
        }
        return { ...req, path: `/v1/streams/${ctx.stream}?direction=backward&limit=1`, headers: { accept: 'application/json' } }
      },
      onResponse: (status, body, ctx) => {
        ctx.state = null
        if (status !== 200) return
        try {
          const last = JSON.parse(body).events[0]
          const balance = W.balanceOf(last)
          if (last && balance !== null) ctx.state = { revision: last.revision, balance }
        } catch {}
      },
    },
    {
      method: 'POST',
      setupRequest: (req, ctx) => {
        ctx.retrying = false
        if (!ctx.state) {
          W.recordOutcome(tally, 'errors')
          return null // restart the sequence: next command
        }
        const d = W.decideAccount(ctx.state.balance, ctx.cmd)
        if (!d.ok) {
          W.recordOutcome(tally, 'rejections')
          return null
        }
        return { ...req, path: `/v1/streams/${ctx.stream}`, headers: JSON_HEADERS, body: JSON.stringify({ events: [d.event], expectedRevision: ctx.state.revision }) }
      },
      onResponse: (status, _body, ctx) => {
        const kind = W.classifyAppend(status)
        if (kind === 'ok') W.recordOutcome(tally, 'successes')
        else if (kind === 'error') W.recordOutcome(tally, 'errors')
        else {
          tally.conflicts++
          if (ctx.retries++ < maxRetries) ctx.retrying = true
          else W.recordOutcome(tally, 'conflicts_exhausted')
        }
      },
    },
  ]
}

/** S3: one POST /v1/append of `batch` events over 5 streams per request. */
async function shapeS3(_baseUrl, o, tally) {
  let seq = 0
  let n = 0
  const runTag = `p${o.seed}`
  return [
    {
      method: 'POST',
      setupRequest: (req, ctx) => {
        const base = (n++ * 5) % 1000
        ctx.body = W.makeBatch({ batchSize: o.batch, streams: 5, eventSize: 200, stream: (j) => W.streamName('batch', runTag, (base + j) % 1000), seq })
        seq += o.batch
        return { ...req, path: '/v1/append', headers: JSON_HEADERS, body: JSON.stringify(ctx.body) }
      },
      onResponse: (status, _body, ctx) => {
        if (status === 201) {
          W.recordOutcome(tally, 'successes')
          tally.events = (tally.events || 0) + W.countEvents(ctx.body)
        } else W.recordOutcome(tally, 'errors')
      },
    },
  ]
}

/** S5: 90 % single-event appends, 10 % reads of the last 10 events, over 100 streams. */
async function shapeS5(baseUrl, o, tally) {
  const rng = W.createRng(o.seed)
  const runTag = `p${o.seed}`
  const stream = (i) => W.streamName('mixed', runTag, i)
  for (let i = 0; i < 100; i++) await post(baseUrl, `/v1/streams/${stream(i)}`, { events: [{ type: 'Started', data: W.payload(200, 0) }] })
  let seq = 0
  return [
    {
      method: 'GET',
      setupRequest: (req, ctx) => {
        const s = stream(W.randInt(rng, 0, 99))
        ctx.op = W.chooseOp(rng, 0.1)
        if (ctx.op === 'read') return { ...req, method: 'GET', path: `/v1/streams/${s}?direction=backward&limit=10`, headers: { accept: 'application/json' }, body: undefined }
        return { ...req, method: 'POST', path: `/v1/streams/${s}`, headers: JSON_HEADERS, body: JSON.stringify({ events: [{ type: 'Recorded', data: W.payload(200, seq++) }] }) }
      },
      onResponse: (status, _body, ctx) => {
        if (status === (ctx.op === 'write' ? 201 : 200)) {
          W.recordOutcome(tally, 'successes')
          tally[ctx.op === 'write' ? 'writes' : 'reads'] = (tally[ctx.op === 'write' ? 'writes' : 'reads'] || 0) + 1
        } else W.recordOutcome(tally, 'errors')
      },
    },
  ]
}

const SHAPES = { s1: shapeS1, s3: shapeS3, s5: shapeS5 }

async function driveAutocannon(baseUrl, o) {
  const tally = W.newTally()
  const requests = await SHAPES[o.scenario](baseUrl, o, tally)
  const opts = { url: baseUrl, connections: o.connections, duration: o.duration, requests, timeout: 10 }
  if (o.rate) opts.overallRate = o.rate
  const result = await new Promise((res, rej) => {
    const inst = autocannon(opts, (err, r) => (err ? rej(err) : res(r)))
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false })
  })
  const completed = tally.successes + tally.rejections
  return {
    driver: 'autocannon',
    durationSec: o.duration,
    connections: o.connections,
    offeredRate: o.rate,
    requests: result.requests.total,
    requestsPerSec: result.requests.total / o.duration,
    commandsPerSec: completed / o.duration,
    eventsPerSec: tally.events ? tally.events / o.duration : undefined,
    latencyMs: { avg: result.latency.average, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    tally,
    accounting: { ok: tally.attempts === tally.successes + tally.rejections + tally.conflicts_exhausted + tally.errors },
  }
}

async function driveK6(baseUrl, o, dir) {
  const sc = SCENARIOS[o.scenario]
  const env = { ...process.env, BASE_URL: baseUrl, DURATION: `${o.duration}s`, RESULTS_DIR: relative(ROOT, dir), LABEL: 'profile run (node --cpu-prof --heap-prof)' }
  if (o.rate) env.RATE = String(o.rate)
  const code = await new Promise((res) => spawn('k6', ['run', join('load', sc.script)], { cwd: ROOT, stdio: 'inherit', env }).once('exit', (c) => res(c ?? 1)))
  const file = readdirSync(dir).find((f) => f.startsWith(sc.script.replace(/\.js$/, '')) && f.endsWith('.json'))
  const report = file ? loadJson(join(dir, file)) : null
  const m = report?.k6?.metrics || {}
  const trend = m.command_duration || m.op_duration || m.batch_duration || m.page_duration || m.http_req_duration
  const count = (n) => m[n]?.values?.count || 0
  return {
    driver: 'k6',
    k6Exit: code,
    durationSec: o.duration,
    connections: null,
    offeredRate: o.rate,
    requests: count('http_reqs'),
    requestsPerSec: count('http_reqs') / o.duration,
    commandsPerSec: (count('successes') + count('rejections')) / o.duration,
    latencyMs: trend ? { avg: trend.values.avg, p50: trend.values.med, p90: trend.values['p(90)'], p99: trend.values['p(99)'], max: trend.values.max } : null,
    tally: { attempts: count('attempts'), successes: count('successes'), rejections: count('rejections'), conflicts_exhausted: count('conflicts_exhausted'), errors: count('errors'), conflicts: count('conflicts') },
    accounting: report?.accounting || null,
    k6Report: file || null,
  }
}

function summarize(dir, top = 25) {
  const { cpu, heap } = findProfiles(dir)
  const cpus = cpu.map((f) => ({ file: f, ...cpuSelfTimes(loadJson(f), ROOT) })).sort((a, b) => b.busyMs - a.busyMs) // the main thread is the busiest, not the one with most (idle) samples
  const heaps = heap.map((f) => ({ file: f, ...heapSites(loadJson(f), ROOT) })).sort((a, b) => b.totalBytes - a.totalBytes)
  const main = cpus[0] || null
  const mainHeap = heaps[0] || null
  return {
    cpuFiles: cpus.map((c) => ({ file: relative(dir, c.file), samples: c.samples, totalMs: c.totalMs, busyMs: c.busyMs })),
    heapFiles: heaps.map((h) => ({ file: relative(dir, h.file), totalBytes: h.totalBytes })),
    cpu: main && { file: relative(dir, main.file), totalMs: main.totalMs, busyMs: main.busyMs, samples: main.samples, rows: main.rows.slice(0, 200) },
    heap: mainHeap && { file: relative(dir, mainHeap.file), totalBytes: mainHeap.totalBytes, rows: mainHeap.rows.slice(0, 200) },
    top,
  }
}

function markdown(p) {
  const l = p.load
  const lines = [
    `# Profile ${p.startedAt}: ${SCENARIOS[p.scenario].title}`,
    '',
    `- driver: ${l.driver}${l.connections ? `, ${l.connections} connections` : ''}${l.offeredRate ? `, offered ${l.offeredRate}/s` : ', closed loop (as fast as it answers)'}, ${l.durationSec}s, seed ${p.seed}`,
    `- server: node ${process.version} --cpu-prof --heap-prof, fresh database, DURABILITY=${p.durability}`,
    `- machine: ${p.machine}`,
    '',
    '## Load',
    '',
    mdTable(['metric', 'value'], [
      ['requests/s', fmtNum(l.requestsPerSec)],
      ['commands/s (successes + rejections)', fmtNum(l.commandsPerSec)],
      ...(l.eventsPerSec ? [['events/s', fmtNum(l.eventsPerSec)]] : []),
      ['latency avg / p50 / p90 / p99 (ms, per request)', l.latencyMs ? [l.latencyMs.avg, l.latencyMs.p50, l.latencyMs.p90, l.latencyMs.p99].map((x) => fmtNum(x, 2)).join(' / ') : '-'],
      ['attempts = successes + rejections + conflicts_exhausted + errors', l.tally ? `${l.tally.attempts} = ${l.tally.successes} + ${l.tally.rejections} + ${l.tally.conflicts_exhausted} + ${l.tally.errors} (${l.accounting?.ok ? 'adds up' : 'DOES NOT ADD UP'})` : '-'],
      ['conflicts (409, retried)', fmtNum(l.tally?.conflicts)],
    ]),
    '',
    `## Top functions by self time (${p.cpu ? `${p.cpu.file}, ${fmtNum(p.cpu.totalMs)} ms sampled, ${fmtNum(p.cpu.busyMs)} ms not idle` : 'no CPU profile'})`,
    '',
  ]
  if (p.cpu) lines.push(mdTable(['#', 'function', 'self ms', '%'], p.cpu.rows.slice(0, p.top).map((r, i) => [i + 1, r.fn, fmtNum(r.selfMs, 1), r.pct.toFixed(2)])))
  lines.push('', `## Top allocation sites (${p.heap ? `${p.heap.file}, ${fmtBytes(p.heap.totalBytes)} sampled` : 'no heap profile'})`, '')
  lines.push('Sampling heap profile as Node writes it at exit (--heap-prof): sampled allocations still live when the process stopped — what the process holds, not total allocation traffic.', '')
  if (p.heap) lines.push(mdTable(['#', 'site', 'bytes', '%'], p.heap.rows.slice(0, p.top).map((r, i) => [i + 1, r.site, fmtBytes(r.bytes), r.pct.toFixed(2)])))
  lines.push('', `Other profile files: ${[...p.cpuFiles, ...p.heapFiles].map((f) => f.file).join(', ')}`, '')
  return lines.join('\n')
}

async function main() {
  let o
  try {
    o = parseArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`)
    process.exit(2)
  }
  if (o.help) return console.log(USAGE)
  if (!o.scenario || !SCENARIOS[o.scenario]) {
    console.error(`${o.scenario ? `unknown scenario ${o.scenario}` : 'which scenario?'}\n${USAGE}`)
    process.exit(2)
  }
  const useK6 = o.driver === 'k6' || (o.driver === 'auto' && onPath('k6'))
  if (o.driver === 'k6' && !onPath('k6')) {
    console.error('--driver k6 but k6 is not on PATH (npm run load -- s1 prints how to install it)')
    process.exit(2)
  }
  if (!useK6 && !SHAPES[o.scenario]) {
    console.error(`k6 is not on PATH and the autocannon fallback has no shape for ${o.scenario} (it has ${Object.keys(SHAPES).join(', ')}); install k6 to profile ${o.scenario}`)
    process.exit(2)
  }

  const startedAt = new Date()
  const dir = join(ROOT, o.out, timestamp(startedAt))
  mkdirSync(dir, { recursive: true })
  const durability = process.env.DURABILITY || 'full'
  console.log(`profiling ${o.scenario} with ${useK6 ? 'k6' : 'autocannon'} for ${o.duration}s -> ${relative(ROOT, dir)}`)
  const server = await startServer({
    runtime: 'node',
    durability,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--heap-prof', `--heap-prof-dir=${dir}`],
    logFile: join(dir, 'server.log'),
  })
  let load
  try {
    load = useK6 ? await driveK6(server.baseUrl, o, dir) : await driveAutocannon(server.baseUrl, o)
  } finally {
    const exit = await server.stop(60_000)
    server.cleanup()
    if (exit.signal === 'SIGKILL') console.error('server did not exit after SIGTERM; profiles may be missing')
  }
  writeFileSync(join(dir, 'load-summary.json'), JSON.stringify(load, null, 2))
  const os = await import('node:os')
  const p = {
    dir: relative(ROOT, dir),
    scenario: o.scenario,
    driver: load.driver,
    seed: o.seed,
    durability,
    startedAt: startedAt.toISOString(),
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model || 'cpu'}, ${fmtBytes(os.totalmem())} RAM, ${os.platform()} ${os.release()}`,
    load: { ...load, durationSec: o.duration, connections: load.connections },
    ...summarize(dir),
  }
  writeFileSync(join(dir, 'profile.json'), JSON.stringify(p, null, 2))
  const md = markdown(p)
  writeFileSync(join(dir, 'summary.md'), md)
  console.log(md.split('\n').slice(0, 40).join('\n'))
  console.log(`\nprofiles and summary: ${relative(ROOT, dir)}/ (summary.md, profile.json, load-summary.json, *.cpuprofile, *.heapprofile)`)
  if (load.accounting && load.accounting.ok === false) {
    console.error('accounting does not add up')
    process.exit(1)
  }
}

await main()

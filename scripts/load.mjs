#!/usr/bin/env node
// npm run load -- <scenario> [--runtime node|bun|deno] [--media json|cbor]
//                 [--durability full|normal] [--base-url URL] [-- <extra k6 args>]
//
// Starts edgelog on a fresh temporary database with the chosen runtime, waits for
// /health, runs the scenario's k6 script against it, stops the server, and prints where
// the results are. With --base-url it drives that deployment instead of starting one.
// Scenario settings (RATE, DURATION, VUS, BATCH_SIZE, ...) pass through the environment.
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { K6_INSTALL, onPath, ROOT, startServer } from './server-process.mjs'
import { SCENARIOS } from '../load/lib/targets.js'

const USAGE = `usage: npm run load -- <scenario> [--runtime node|bun|deno] [--media json|cbor] [--durability full|normal] [--base-url URL] [-- k6 args]
scenarios: ${Object.values(SCENARIOS).map((s) => `${s.id} (${s.script})`).join(', ')}
settings from the environment: RATE, DURATION, VUS, MAX_VUS, BATCH_SIZE, EVENT_SIZE, SIZES, ... (docs/performance.md)`

export function parseArgs(argv) {
  const o = { scenario: null, runtime: 'node', media: process.env.MEDIA || 'json', durability: process.env.DURABILITY || 'full', baseUrl: null, k6Args: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--') { o.k6Args = argv.slice(i + 1); break }
    else if (a.startsWith('--runtime')) o.runtime = val()
    else if (a.startsWith('--media')) o.media = val()
    else if (a.startsWith('--durability')) o.durability = val()
    else if (a.startsWith('--base-url')) o.baseUrl = val()
    else if (a === '-h' || a === '--help') o.help = true
    else if (!a.startsWith('-') && !o.scenario) o.scenario = a
    else throw new Error(`unknown argument ${a}`)
  }
  return o
}

/** "s1", "S1", "s1-single-stream", "s1-single-stream.js" -> the scenario entry. */
export function findScenario(name) {
  const key = String(name || '').toLowerCase().replace(/^load\//, '').replace(/\.js$/, '').slice(0, 2)
  return SCENARIOS[key] || null
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
  const sc = findScenario(o.scenario)
  if (!sc) {
    console.error(`${o.scenario ? `unknown scenario '${o.scenario}'` : 'which scenario?'}\n${USAGE}`)
    process.exit(2)
  }
  if (!['node', 'bun', 'deno'].includes(o.runtime)) {
    console.error(`--runtime must be node, bun or deno\n${USAGE}`)
    process.exit(2)
  }
  if (!onPath('k6')) {
    console.error(K6_INSTALL)
    process.exit(2)
  }

  const resultsDir = join(ROOT, 'load', 'results')
  mkdirSync(resultsDir, { recursive: true })
  const started = Date.now()
  let server = null
  let baseUrl = o.baseUrl
  if (!baseUrl) {
    console.log(`starting edgelog (${o.runtime}, DURABILITY=${o.durability}) on a fresh temporary database...`)
    // S8 holds SUBSCRIBERS + PROBES subscriptions at once: room for them over the default cap
    const subscribers = Number(process.env.SUBSCRIBERS || 1000) + Number(process.env.PROBES || 4)
    const env = sc.id === 's8' && !process.env.MAX_SUBSCRIPTIONS ? { MAX_SUBSCRIPTIONS: String(subscribers + 100) } : {}
    server = await startServer({ runtime: o.runtime, durability: o.durability, env })
    baseUrl = server.baseUrl
    console.log(`edgelog is healthy at ${baseUrl} (pid ${server.pid}, log ${server.logFile})`)
  }
  const label = o.baseUrl ? `${o.baseUrl}` : `${o.runtime}, durability=${o.durability}, fresh temp db`
  const k6 = spawn('k6', ['run', ...o.k6Args, join('load', sc.script)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, BASE_URL: baseUrl, MEDIA: o.media, LABEL: process.env.LABEL || label, RESULTS_DIR: 'load/results' },
  })
  const stopServer = async () => {
    if (!server) return
    await server.stop()
    server.cleanup()
    server = null
  }
  process.once('SIGINT', () => k6.kill('SIGINT'))
  const code = await new Promise((res) => k6.once('exit', (c, sig) => res(c ?? (sig ? 1 : 0))))
  await stopServer()

  const prefix = sc.script.replace(/\.js$/, '')
  const files = readdirSync(resultsDir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => join(resultsDir, f))
    .filter((f) => statSync(f).mtimeMs >= started)
    .sort()
  const file = files[files.length - 1]
  let exit = code
  if (file) {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    if (!report.accounting?.ok) {
      console.error(`accounting does not add up: ${report.accounting?.message}`)
      exit = exit || 1
    }
    if (!report.passed) exit = exit || 1
    console.log(`results: ${file}`)
  } else {
    console.error('k6 wrote no results file (did setup fail?)')
    exit = exit || 1
  }
  console.log(exit === 0 ? `${sc.id}: all targets met` : `${sc.id}: targets missed or run failed (exit ${exit})`)
  process.exit(exit)
}

if (import.meta.url === `file://${process.argv[1]}`) await main()

#!/usr/bin/env node
// npm run profile:http -- [--seconds 6] [--out profiles/http-<ts>]
// The hot paths of issue 12 one at a time on a Node server run with --cpu-prof: single-event
// appends (100 connections), 100-event appends (append100, 16 connections), head, the last event of a stream, a 100-event JSON page and a
// 100-event CBOR page of /v1/all (50 connections), durability full. One server (and one
// .cpuprofile) per path; prints each profile's top functions by self time (main thread).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { ROOT, startServer } from './server-process.mjs'
import { cpuSelfTimes, loadJson } from './profile-lib.mjs'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, out: { type: 'string' }, only: { type: 'string' }, top: { type: 'string', default: '15' } } })
const out = values.out ?? join('profiles', `http-${new Date().toISOString().replace(/[:.]/g, '-')}`)
const payload = { amount: 125, currency: 'EUR', account: 'account-17', note: 'x'.repeat(200) }
const json = { 'content-type': 'application/json' }
const seedHeaders = { ...json, connection: 'close' }
const hundred = JSON.stringify({ events: Array.from({ length: 100 }, () => ({ type: 'Deposited', data: payload })) })
const paths = {
  append: { connections: 100, requests: [{ method: 'POST', setupRequest: (r) => ({ ...r, path: `/v1/streams/p-${(Math.random() * 1000) | 0}`, headers: json, body: JSON.stringify({ events: [{ type: 'Deposited', data: payload }] }) }) }] },
  append100: { connections: 16, requests: [{ method: 'POST', setupRequest: (r) => ({ ...r, path: `/v1/streams/b-${(Math.random() * 1000) | 0}`, headers: json, body: hundred }) }] },
  head: { connections: 50, requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/v1/streams/seed-${(Math.random() * 100) | 0}/head` }) }] },
  last: { connections: 50, requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/v1/streams/seed-${(Math.random() * 100) | 0}?direction=backward&limit=1` }) }] },
  pageJson: { connections: 50, requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/v1/all?from=${1 + ((Math.random() * 9900) | 0)}&limit=100` }) }] },
  pageCbor: { connections: 50, requests: [{ method: 'GET', headers: { accept: 'application/cbor' }, setupRequest: (r) => ({ ...r, path: `/v1/all?from=${1 + ((Math.random() * 9900) | 0)}&limit=100` }) }] },
}
const summary = {}
for (const [name, shape] of Object.entries(paths)) {
  if (values.only && !values.only.split(',').includes(name)) continue
  const dir = join(ROOT, out, name)
  mkdirSync(dir, { recursive: true })
  const server = await startServer({ durability: 'full', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], env: { LOG_LEVEL: 'error', MAX_QUEUE_EVENTS: '1000000' } })
  try {
    for (let s = 0; s < 100; s++) {
      let r
      for (let tries = 0; tries < 5 && (r = await fetch(`${server.baseUrl}/v1/streams/seed-${s}`, { method: 'POST', headers: seedHeaders, body: hundred })).status !== 201; tries++) {}
      if (r.status !== 201) throw new Error(`seeding: ${r.status} ${await r.text()}`)
    }
    const result = await autocannon({ url: server.baseUrl, connections: shape.connections, duration: Number(values.seconds), requests: shape.requests })
    summary[name] = { rps: result.requests.average, non2xx: result.non2xx }
  } finally {
    await server.stop()
    server.cleanup()
  }
  // the main thread's profile is the busiest (the other is tsx's loader thread)
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f))
  const profiles = files.map((f) => cpuSelfTimes(loadJson(f), ROOT)).sort((a, b) => b.busyMs - a.busyMs)
  const p = profiles[0]
  summary[name].busyMs = p.busyMs
  summary[name].top = p.rows.filter((r) => r.fn !== '(idle)').slice(0, Number(values.top)).map((r) => ({ fn: r.fn, pct: +r.pct.toFixed(1) }))
  console.log(`\n## ${name}: ${Math.round(summary[name].rps)} req/s under --cpu-prof (non-2xx ${summary[name].non2xx})`)
  for (const r of summary[name].top) console.log(`${String(r.pct).padStart(5)}%  ${r.fn}`)
}
writeFileSync(join(ROOT, out, 'summary.json'), JSON.stringify(summary, null, 2))
console.log(`\nprofiles: ${out}`)

// Reading V8 profiles (.cpuprofile, .heapprofile) and comparing profiling runs.
// Formats: Chrome DevTools Protocol Profiler.Profile and HeapProfiler.SamplingHeapProfile.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** "functionName file:line" with the repository prefix removed. */
export function frameKey(cf, root = '') {
  let url = cf.url || ''
  if (root) url = url.replace(`file://${root}/`, '').replace(`${root}/`, '')
  url = url.replace(/^file:\/\//, '')
  const name = cf.functionName || '(anonymous)'
  if (!url) return name
  return `${name} ${url}:${(cf.lineNumber ?? -1) + 1}`
}

/**
 * Self time per function of a .cpuprofile: time deltas attributed to the sampled node,
 * summed over nodes with the same function (name + location).
 */
export function cpuSelfTimes(profile, root = '') {
  const byId = new Map()
  for (const n of profile.nodes) byId.set(n.id, n)
  const selfUs = new Map()
  const samples = profile.samples || []
  const deltas = profile.timeDeltas || []
  let total = 0
  for (let i = 0; i < samples.length; i++) {
    // the delta before sample i+1 is the time sample i stood for; use the next delta when present
    const dt = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0)
    const node = byId.get(samples[i])
    if (!node) continue
    const key = frameKey(node.callFrame, root)
    selfUs.set(key, (selfUs.get(key) || 0) + dt)
    total += dt
  }
  if (samples.length === 0) {
    // hitCount-only profiles
    for (const n of profile.nodes) {
      const key = frameKey(n.callFrame, root)
      selfUs.set(key, (selfUs.get(key) || 0) + (n.hitCount || 0))
      total += n.hitCount || 0
    }
  }
  const rows = [...selfUs.entries()].map(([fn, us]) => ({ fn, selfMs: us / 1000, pct: total ? (100 * us) / total : 0 }))
  rows.sort((a, b) => b.selfMs - a.selfMs)
  const idleMs = (selfUs.get('(idle)') || 0) / 1000
  return { totalMs: total / 1000, busyMs: total / 1000 - idleMs, samples: samples.length, rows }
}

/** Sampled bytes per allocation site (function + location) of a .heapprofile. */
export function heapSites(profile, root = '') {
  const bytes = new Map()
  let total = 0
  const walk = (node) => {
    if (node.selfSize) {
      const key = frameKey(node.callFrame, root)
      bytes.set(key, (bytes.get(key) || 0) + node.selfSize)
      total += node.selfSize
    }
    for (const c of node.children || []) walk(c)
  }
  walk(profile.head)
  const rows = [...bytes.entries()].map(([site, b]) => ({ site, bytes: b, pct: total ? (100 * b) / total : 0 }))
  rows.sort((a, b) => b.bytes - a.bytes)
  return { totalBytes: total, rows }
}

/** The profile files in a folder (one per thread: the main thread and tsx's loader worker). */
export function findProfiles(dir) {
  const files = readdirSync(dir)
  const cpu = files.filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f))
  const heap = files.filter((f) => f.endsWith('.heapprofile')).map((f) => join(dir, f))
  return { cpu, heap }
}

export function loadJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

export const fmtBytes = (b) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KB` : `${b} B`)
export const fmtNum = (n, d = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }))
const pctDelta = (a, b) => (a ? `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %` : '-')

function table(header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`
  return [line(header), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
export { table as mdTable }

/** Side-by-side comparison of two profile folders' profile.json. */
export function compare(a, b, top = 15) {
  const out = []
  out.push(`A: ${a.dir}  (${a.scenario}, ${a.driver}, ${a.load.durationSec}s, ${a.startedAt})`)
  out.push(`B: ${b.dir}  (${b.scenario}, ${b.driver}, ${b.load.durationSec}s, ${b.startedAt})`)
  if (a.scenario !== b.scenario || a.driver !== b.driver || a.load.durationSec !== b.load.durationSec || a.load.connections !== b.load.connections) {
    out.push('WARNING: the two runs did not use the same load (scenario, driver, duration or connections differ)')
  }
  out.push('', '## Throughput and latency', '')
  const la = a.load
  const lb = b.load
  const rows = [
    ['requests/s', la.requestsPerSec, lb.requestsPerSec, 0],
    ['commands/s', la.commandsPerSec, lb.commandsPerSec, 0],
    ['latency avg (ms)', la.latencyMs?.avg, lb.latencyMs?.avg, 2],
    ['latency p50 (ms)', la.latencyMs?.p50, lb.latencyMs?.p50, 2],
    ['latency p90 (ms)', la.latencyMs?.p90, lb.latencyMs?.p90, 2],
    ['latency p99 (ms)', la.latencyMs?.p99, lb.latencyMs?.p99, 2],
    ['errors', la.tally?.errors, lb.tally?.errors, 0],
    ['CPU profile total (ms)', a.cpu?.totalMs, b.cpu?.totalMs, 0],
    ['sampled allocations live at exit', a.heap?.totalBytes, b.heap?.totalBytes, 0],
  ]
  out.push(table(['metric', 'A', 'B', 'change'], rows.map(([m, x, y, d]) => [m, fmtNum(x, d), fmtNum(y, d), typeof x === 'number' && typeof y === 'number' ? pctDelta(x, y) : '-'])))

  out.push('', `## Top functions by self time (% of profile)`, '')
  const cpuA = new Map((a.cpu?.rows || []).map((r) => [r.fn, r]))
  const cpuB = new Map((b.cpu?.rows || []).map((r) => [r.fn, r]))
  const fns = [...new Set([...(a.cpu?.rows || []).slice(0, top).map((r) => r.fn), ...(b.cpu?.rows || []).slice(0, top).map((r) => r.fn)])]
  fns.sort((x, y) => Math.max(cpuB.get(y)?.pct || 0, cpuA.get(y)?.pct || 0) - Math.max(cpuB.get(x)?.pct || 0, cpuA.get(x)?.pct || 0))
  out.push(table(['function', 'A %', 'B %', 'B - A (points)'], fns.map((f) => {
    const x = cpuA.get(f)?.pct || 0
    const y = cpuB.get(f)?.pct || 0
    return [f, x.toFixed(2), y.toFixed(2), `${y - x >= 0 ? '+' : ''}${(y - x).toFixed(2)}`]
  })))

  out.push('', '## Top allocation sites (sampled bytes)', '')
  const hA = new Map((a.heap?.rows || []).map((r) => [r.site, r]))
  const hB = new Map((b.heap?.rows || []).map((r) => [r.site, r]))
  const sites = [...new Set([...(a.heap?.rows || []).slice(0, top).map((r) => r.site), ...(b.heap?.rows || []).slice(0, top).map((r) => r.site)])]
  sites.sort((x, y) => Math.max(hB.get(y)?.bytes || 0, hA.get(y)?.bytes || 0) - Math.max(hB.get(x)?.bytes || 0, hA.get(x)?.bytes || 0))
  out.push(table(['site', 'A', 'B', 'change'], sites.map((s) => {
    const x = hA.get(s)?.bytes || 0
    const y = hB.get(s)?.bytes || 0
    return [s, fmtBytes(x), fmtBytes(y), pctDelta(x, y)]
  })))
  return out.join('\n')
}

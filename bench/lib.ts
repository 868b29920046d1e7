import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'

export interface Row {
  metric: string
  target: string
  actual: string
  status: 'pass' | 'miss' | 'info'
  value?: number
  unit?: string
}

export const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.release.name} ${process.version}, ${process.platform}`

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n)

/** Prints "metric | target | actual | status" and writes the raw figures under bench/results/. */
export function report(title: string, rows: Row[], extra: Record<string, unknown> = {}) {
  const header = ['metric', 'target', 'actual', 'status']
  const cells = rows.map((r) => [r.metric, r.target, r.actual, r.status])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`
  console.log(`\n## ${title}\n_${machine()}_\n`)
  console.log(line(header))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const c of cells) console.log(line(c))
  const dir = join(import.meta.dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ title, machine: machine(), at: new Date().toISOString(), rows, ...extra }, null, 2))
  console.log(`\nraw figures: ${file}`)
}

export const status = (ok: boolean): Row['status'] => (ok ? 'pass' : 'miss')

/** Runs `n` tasks with at most `concurrency` in flight; returns each task's latency in ms. */
export async function runConcurrent(n: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies = new Array<number>(n)
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      const t0 = performance.now()
      await task(i)
      latencies[i] = performance.now() - t0
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return latencies
}

/**
 * A reference server (bench/*-reference.ts) in a child process, on a free port given as PORT,
 * once its /health answers. `cwd` is the project root; `env` is added to this process's.
 */
export async function startReferenceProcess(name: string, cmd: string, args: string[], cwd: string, env: Record<string, string> & { PORT: string }) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: 'ignore' })
  const baseUrl = `http://127.0.0.1:${env.PORT}`
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break
    } catch {}
    if (i > 300) throw new Error(`${name} did not start`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { baseUrl, pid: child.pid!, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) }
}

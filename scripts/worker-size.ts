/**
 * npm run worker:size: bundles the Worker exactly as `wrangler deploy` would (--dry-run,
 * nothing uploaded), prints its size gzipped, and fails above the Workers Free plan's
 * limit: 3 MB after compression (https://developers.cloudflare.com/workers/platform/limits/#worker-size).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const FREE_PLAN_LIMIT = 3 * 1024 * 1024

const outdir = mkdtempSync(join(tmpdir(), 'edgelog-worker-size-'))
try {
  execFileSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', outdir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  // Every module wrangler would upload (source maps and its README are not uploaded).
  const modules = readdirSync(outdir).filter((f) => !f.endsWith('.map') && f !== 'README.md')
  let raw = 0
  let gzip = 0
  for (const f of modules) {
    const bytes = readFileSync(join(outdir, f))
    raw += bytes.length
    gzip += gzipSync(bytes, { level: 9 }).length
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
  const share = ((gzip / FREE_PLAN_LIMIT) * 100).toFixed(1)
  console.log(`worker bundle (${modules.join(', ')}): ${kib(raw)}, gzip ${kib(gzip)} = ${share}% of the free plan's ${kib(FREE_PLAN_LIMIT)}`)
  if (gzip > FREE_PLAN_LIMIT) {
    console.error(`over the Workers Free plan limit by ${kib(gzip - FREE_PLAN_LIMIT)}`)
    process.exitCode = 1
  }
} finally {
  rmSync(outdir, { recursive: true, force: true })
}

// Start and stop an edgelog server on a fresh temporary database, for scripts/load.mjs
// and scripts/profile.mjs.
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
const bin = (name) => join(ROOT, 'node_modules', '.bin', name)

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}

/** Is `cmd` runnable from PATH? */
export function onPath(cmd) {
  const r = spawnSync(cmd, ['version'], { stdio: 'ignore' })
  return !r.error
}

/** The command line that starts edgelog on a runtime. */
function command(runtime, nodeArgs) {
  switch (runtime) {
    case 'node':
      return [process.execPath, [...nodeArgs, '--import', 'tsx', 'src/node.ts']]
    case 'bun':
      return [bin('bun'), ['run', 'src/bun.ts']]
    case 'deno':
      // the flags of the "start" task in deno.json, without deno task's extra process
      return [bin('deno'), ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-write', '--allow-ffi', '--allow-sys', 'src/deno.ts']]
    default:
      throw new Error(`unknown runtime ${runtime} (node, bun or deno)`)
  }
}

/**
 * Start edgelog on a fresh database in a temp folder and wait for GET /health.
 * @param {{ runtime?: string, durability?: string, nodeArgs?: string[], env?: Record<string, string>, logFile?: string, healthTimeoutMs?: number }} o
 */
export async function startServer(o = {}) {
  const runtime = o.runtime || 'node'
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-load-'))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const [cmd, args] = command(runtime, o.nodeArgs || [])
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(dir, 'edgelog.db')}`,
    DURABILITY: o.durability || 'full',
    LOG_LEVEL: process.env.LOG_LEVEL || 'error',
    ...(o.env || {}),
  }
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const logFile = o.logFile || join(dir, 'server.log')
  const log = createWriteStream(logFile)
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  let exited = null
  const exit = new Promise((res) => child.once('exit', (code, signal) => res((exited = { code, signal }))))

  const deadline = Date.now() + (o.healthTimeoutMs || 60_000)
  for (;;) {
    if (exited) throw new Error(`edgelog (${runtime}) exited before it was healthy: ${JSON.stringify(exited)}; log: ${logFile}`)
    try {
      const r = await fetch(`${baseUrl}/health`)
      if (r.status === 200) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`edgelog (${runtime}) not healthy after ${o.healthTimeoutMs || 60_000} ms; log: ${logFile}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }

  return {
    runtime,
    baseUrl,
    dir,
    logFile,
    pid: child.pid,
    /** SIGTERM (the server drains and exits; --cpu-prof files are written then), SIGKILL after a timeout. */
    async stop(timeoutMs = 30_000) {
      if (!exited) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const result = await exit
      clearTimeout(timer)
      log.end()
      return result
    },
    /** Remove the temporary database folder. */
    cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const K6_INSTALL = `k6 is required to run the load scenarios, and it is not on PATH.
Install it (https://grafana.com/docs/k6/latest/set-up/install-k6/):
  Debian/Ubuntu:  sudo gpg -k && sudo gpg --no-default-keyring --keyring /usr/share/keyrings/k6-archive-keyring.gpg \\
                    --keyserver hkp://keyserver.ubuntu.com:80 --recv-keys C5AD17C747E3415A3642D57D77C6C491D6AC1D69
                  echo "deb [signed-by=/usr/share/keyrings/k6-archive-keyring.gpg] https://dl.k6.io/deb stable main" \\
                    | sudo tee /etc/apt/sources.list.d/k6.list && sudo apt-get update && sudo apt-get install k6
  Fedora/CentOS:  sudo dnf install https://dl.k6.io/rpm/repo.rpm && sudo dnf install k6
  macOS:          brew install k6
  Windows:        winget install k6 --source winget   (or: choco install k6)
  Docker:         docker run --rm -i --network host -v "$PWD:/work" -w /work grafana/k6 run load/s1-single-stream.js
  Binaries:       https://github.com/grafana/k6/releases (any k6 from v0.46 on)
Then run this command again. (npm run profile falls back to autocannon without k6.)`

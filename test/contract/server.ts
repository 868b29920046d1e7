/**
 * Test harness: start the real server on one runtime as a child process, against a fresh
 * libSQL file in a temp dir, and wait until GET /health answers 200.
 *
 * @example
 *   const server = await startServer('bun')
 *   await fetch(`${server.baseUrl}/health`)
 *   await server.stop()
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { limitsEnv } from './limits.ts'

export type Runtime = 'node' | 'bun' | 'deno'

export interface StartOptions {
  /** Extra environment for the server (wins over the defaults below). */
  env?: Record<string, string>
  /** Reuse an existing database file (e.g. to restart on the same data). */
  dbPath?: string
  /** How long to wait for GET /health = 200. Default 30 s. */
  healthTimeoutMs?: number
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface RunningServer {
  runtime: Runtime
  baseUrl: string
  port: number
  pid: number
  dbPath: string
  /** Lines the server printed so far, in order. */
  stdout: string[]
  stderr: string[]
  /** Resolves when the process has exited. */
  exited: Promise<Exit>
  /**
   * Send `signal` (default SIGTERM) and wait for exit; SIGKILLs and throws after `timeoutMs`.
   * Throws with the server's output if it had already died on its own.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>
  /** SIGKILL (no chance to clean up) and wait for exit. */
  kill(): Promise<Exit>
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export const commands: Record<Runtime, { bin: string; args: string[] }> = {
  node: { bin: process.execPath, args: ['--import', 'tsx', 'src/node.ts'] },
  bun: { bin: join(root, 'node_modules/.bin/bun'), args: ['run', 'src/bun.ts'] },
  deno: {
    bin: join(root, 'node_modules/.bin/deno'),
    args: [
      'run',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      '--allow-write',
      '--allow-ffi',
      '--allow-sys',
      'src/deno.ts',
    ],
  },
}

// Never leave a server or a temp database behind, even when a test run aborts.
const live = new Set<ChildProcess>()
const tempDirs = new Set<string>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port)
        else reject(new Error('could not pick a free port'))
      })
    })
  })
}

/** A fresh `edgelog.db` path in a new temp dir (the file itself is not created). */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-test-'))
  tempDirs.add(dir)
  return join(dir, 'edgelog.db')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Start the server on `runtime` and resolve once GET /health answers 200. */
export async function startServer(runtime: Runtime, opts: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort()
  const dbPath = opts.dbPath ?? tempDbPath()
  const baseUrl = `http://127.0.0.1:${port}`

  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${dbPath}`,
    ...limitsEnv,
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
    ...opts.env,
  }
  // node --test marks its children; the server is not a test file.
  delete env.NODE_TEST_CONTEXT

  const { bin, args } = commands[runtime]
  const child = spawn(bin, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  // A server a failed test left running must not keep this test file's process alive (its
  // pipes would, and the run would hang until CI's limit): once nothing else is pending the
  // process exits, and the exit handler above kills what is left. A test waiting on the
  // server always has its own request, timer or poll pending.
  child.unref()
  ;(child.stdout as { unref?: () => void } | null)?.unref?.()
  ;(child.stderr as { unref?: () => void } | null)?.unref?.()

  const stdout: string[] = []
  const stderr: string[] = []
  const echo = process.env.EDGELOG_TEST_LOG === '1'
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line)
    if (echo) process.stderr.write(`[${runtime}:${port} out] ${line}\n`)
  })
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line)
    if (echo) process.stderr.write(`[${runtime}:${port} err] ${line}\n`)
  })

  let hasExited = false
  const exited = new Promise<Exit>((resolveExit) => {
    child.on('exit', (code, signal) => {
      hasExited = true
      live.delete(child)
      resolveExit({ code, signal })
    })
  })
  const output = () =>
    `--- stderr ---\n${stderr.join('\n')}\n--- stdout ---\n${stdout.join('\n')}`

  let signalled = false
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> => {
    if (hasExited && !signalled) {
      const { code, signal: by } = await exited
      throw new Error(`${runtime} server had crashed before it was stopped (code ${code}, signal ${by})\n${output()}`)
    }
    if (hasExited) return exited
    signalled = true
    child.kill(signal)
    const timedOut = Symbol('timeout')
    let timer: NodeJS.Timeout | undefined
    const result = await Promise.race([
      exited,
      new Promise<typeof timedOut>((r) => {
        timer = setTimeout(() => r(timedOut), timeoutMs)
      }),
    ])
    clearTimeout(timer)
    if (result === timedOut) {
      child.kill('SIGKILL')
      await exited
      throw new Error(`${runtime} server did not exit within ${timeoutMs} ms of ${signal}\n${output()}`)
    }
    return result
  }

  const server: RunningServer = {
    runtime,
    baseUrl,
    port,
    pid: child.pid!,
    dbPath,
    stdout,
    stderr,
    exited,
    stop,
    kill: () => stop('SIGKILL'),
  }

  const deadline = Date.now() + (opts.healthTimeoutMs ?? 30_000)
  let lastError = 'no answer yet'
  while (Date.now() < deadline) {
    if (hasExited) {
      const { code, signal } = await exited
      throw new Error(`${runtime} server exited during startup (code ${code}, signal ${signal})\n${output()}`)
    }
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) })
      await res.arrayBuffer()
      if (res.status === 200) return server
      lastError = `GET /health answered ${res.status}`
    } catch (err) {
      lastError = String((err as Error).cause ?? err)
    }
    await sleep(100)
  }
  child.kill('SIGKILL')
  await exited
  throw new Error(`${runtime} server not healthy within ${opts.healthTimeoutMs ?? 30_000} ms (${lastError})\n${output()}`)
}

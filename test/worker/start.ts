/**
 * Test harness: run the Worker bundle that `wrangler deploy` would upload under workerd
 * (Miniflare, all local, no network), on a fresh local D1 database migrated with
 * `wrangler d1 migrations apply --local`: the same command a deploy runs with --remote.
 *
 * Miniflare directly rather than wrangler's dev server, which is slower to start. (Its
 * proxy answered "worker restarted mid-request" to the request after a chunked 413 or an
 * early answer of a Durable Object: edgelog's own doing, since fixed and checked under
 * wrangler dev by test/readme-start.runtimes.test.ts.)
 *
 * @example
 *   const worker = await startLocalWorker({ MAX_PAGE_SIZE: '500' })
 *   await fetch(`${worker.baseUrl}/health`)
 *   await worker.stop()
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')
// No telemetry, prompts, or request.cf download from wrangler/Miniflare in tests.
const offline = { CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' }
Object.assign(process.env, offline)

const wrangler = (...args: string[]) =>
  promisify(execFile)(process.execPath, [wranglerBin, ...args], { cwd: root, env: { ...process.env, ...offline } })

export interface LocalWorker {
  baseUrl: string
  /** the local D1 and Durable Object state dir (wrangler --persist-to) */
  persistTo: string
  /**
   * Stops workerd and starts a new one on the same bundle and persisted state (a new
   * isolate, new Durable Object instances); `vars` replace the previous overrides.
   */
  restart(vars?: Record<string, string>): Promise<void>
  /** Fires the Worker's `scheduled` handler, as a cron trigger does. */
  scheduled(): Promise<void>
  stop(): Promise<void>
}

/**
 * A new local D1 state dir with migrations/ applied to each D1 database of `config`
 * (default: wrangler.toml's one), as `wrangler d1 migrations apply` does it.
 */
export async function migratedD1(config?: string): Promise<string> {
  const persistTo = mkdtempSync(join(tmpdir(), 'edgelog-d1-'))
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler')
  // `migrations apply` takes a database's binding as well as its name
  const databases = config ? Object.keys(unstable_getMiniflareWorkerOptions(config).workerOptions.d1Databases ?? {}) : ['edgelog']
  for (const db of databases) await wrangler('d1', 'migrations', 'apply', db, '--local', '--persist-to', persistTo, ...(config ? ['--config', config] : []))
  return persistTo
}

/** Bundles src/worker.ts exactly as a deploy does; returns the output dir. */
export async function bundleWorker(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'edgelog-bundle-'))
  await wrangler('deploy', '--dry-run', '--outdir', outdir)
  return outdir
}

/**
 * Starts the Worker of wrangler.toml (its bindings and [vars]; `vars` override them), or
 * the bundle of wrangler.toml with the bindings and vars of another `config` file.
 */
export async function startLocalWorker(vars: Record<string, string> = {}, config?: string): Promise<LocalWorker> {
  const [persistTo, outdir] = await Promise.all([migratedD1(config), bundleWorker()])
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler')
  const { Miniflare, Log } = await import('miniflare')
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config ?? join(root, 'wrangler.toml'))
  const start = async (overrides: Record<string, string>) => {
    const mf = new Miniflare({
      ...(workerOptions as object),
      name: 'edgelog',
      modules: true,
      scriptPath: join(outdir, 'worker.js'),
      modulesRoot: outdir,
      // wrangler's bundle imports .sql and Swagger UI's files as text (wrangler.toml
      // [[rules]]): the same module rules for Miniflare.
      modulesRules: [{ type: 'Text', include: ['**/*.sql', '**/*swagger-ui-bundle.js', '**/*swagger-ui.css'] }],
      bindings: { ...workerOptions.bindings, ...overrides },
      d1Persist: join(persistTo, 'v3', 'd1'),
      durableObjectsPersist: join(persistTo, 'v3', 'do'),
      host: '127.0.0.1',
      port: 0,
      log: process.env.EDGELOG_TEST_LOG === '1' ? new Log() : undefined,
    })
    return { mf, url: await mf.ready }
  }
  let running = await start(vars)
  return {
    get baseUrl() {
      return running.url.origin
    },
    persistTo,
    async restart(next = vars) {
      await running.mf.dispose()
      running = await start(next)
    },
    async scheduled() {
      const fetcher = await running.mf.getWorker()
      const result = await fetcher.scheduled({ cron: '* * * * *' })
      if (result.outcome !== 'ok') throw new Error(`scheduled handler: ${result.outcome}`)
    },
    async stop() {
      await running.mf.dispose()
      rmSync(persistTo, { recursive: true, force: true })
      rmSync(outdir, { recursive: true, force: true })
    },
  }
}

/**
 * The D1 binding of wrangler.toml on a fresh migrated local database, reached from Node
 * through Miniflare (the queries run in workerd's D1, the same engine the Worker uses).
 */
export async function openLocalD1() {
  const persistTo = await migratedD1()
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler')
  const { Miniflare } = await import('miniflare')
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'))
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch: () => new Response(null, { status: 404 }) }',
    compatibilityDate: workerOptions.compatibilityDate,
    d1Databases: workerOptions.d1Databases,
    d1Persist: join(persistTo, 'v3', 'd1'),
  })
  const d1 = await mf.getD1Database('DB')
  return {
    d1,
    async close() {
      await mf.dispose()
      rmSync(persistTo, { recursive: true, force: true })
    },
  }
}

// Headless Chromium (Debian's, installed by apt when missing; driven by playwright-core)
// against a real Node server, with every request to any other origin blocked:
// - /docs renders Swagger UI and its operations from edgelog's own assets;
// - edgelog/client, bundled for the browser, works from a page on another origin that
//   CORS_ORIGINS allows (append, read, a typed 409, subscribe), and is refused from one it
//   does not allow.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { build } from 'esbuild'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { ensureChromium } from '../scripts/ensure-chromium.ts'
import { freePort, startServer, type RunningServer } from './contract/server.ts'
import { root } from './worker/start.ts'

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

describe('in headless Chromium', () => {
  let server: RunningServer
  let pages: Server
  let pagePort: number
  let context: BrowserContext
  let userDataDir: string

  before(async () => {
    const executablePath = ensureChromium()
    pagePort = await freePort()
    // edgelog allows the page origin http://127.0.0.1:<pagePort> only (localhost: another origin).
    const [started, bundle] = await Promise.all([
      startServer('node', { env: { CORS_ORIGINS: `http://127.0.0.1:${pagePort}`, LOG_LEVEL: 'error' } }),
      build({ entryPoints: [join(root, 'src/client/index.ts')], bundle: true, format: 'iife', globalName: 'edgelog', platform: 'browser', write: false, target: 'es2022' }),
    ])
    server = started
    const clientJs = bundle.outputFiles[0].text
    pages = createServer((req, res) => {
      if (req.url === '/client.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientJs)
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><head><script src="/client.js"></script></head><body>app</body></html>')
    })
    await new Promise<void>((r) => pages.listen(pagePort, '127.0.0.1', r))
    userDataDir = mkdtempSync(join(tmpdir(), 'edgelog-chromium-'))
    context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: FLAGS })
  })
  after(async () => {
    await context?.close()
    await new Promise((r) => (pages ? pages.close(r) : r(undefined)))
    await server?.stop()
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
  })

  /** A page whose requests to any origin but `allowed` are aborted (and recorded). */
  async function offlinePage(...allowed: string[]): Promise<{ page: Page; blocked: string[] }> {
    const page = await context.newPage()
    const blocked: string[] = []
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (allowed.includes(new URL(url).origin)) return route.continue()
      blocked.push(url)
      return route.abort('internetdisconnected')
    })
    return { page, blocked }
  }

  it('/docs renders every operation with the network cut off', async () => {
    const { page, blocked } = await offlinePage(server.baseUrl)
    try {
      const res = await page.goto(`${server.baseUrl}/docs`)
      assert.equal(res?.status(), 200)
      await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 })
      const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path') ?? e.textContent?.trim()))
      for (const p of ['/v1/streams/{stream}', '/v1/append', '/v1/query', '/v1/subscribe', '/v1/consumers/{name}']) {
        assert.ok(paths.includes(p), `${p} not rendered; got ${paths.join(', ')}`)
      }
      assert.ok(paths.length >= 11, `only ${paths.length} operations rendered`)
      assert.deepEqual(blocked, [], 'the page asked for nothing outside edgelog')
    } finally {
      await page.close()
    }
  })

  it('edgelog/client works from a page on an allowed origin (CORS_ORIGINS), and not from another', async () => {
    const pageOrigin = `http://127.0.0.1:${pagePort}`
    const { page, blocked } = await offlinePage(pageOrigin, server.baseUrl)
    try {
      await page.goto(`${pageOrigin}/`)
      const result = await page.evaluate(async (baseUrl) => {
        const { createClient, EdgelogProblem } = (globalThis as any).edgelog
        const log = createClient({ baseUrl })
        const stream = `browser-${crypto.randomUUID().slice(0, 8)}`
        const appended = await log.append(stream, [{ type: 'Opened', data: { by: 'page' } }], { expectedRevision: 'no_stream' })
        const conflict = await log.append(stream, [{ type: 'Late' }], { expectedRevision: 'no_stream' }).catch((e: unknown) => e)
        const sub = log.subscribe({ stream })
        const seen: string[] = []
        const done = (async () => {
          for await (const e of sub) {
            seen.push(e.type)
            if (seen.length === 2) break
          }
        })()
        await log.append(stream, [{ type: 'error' }], { expectedRevision: 0 })
        await done
        return {
          revision: appended.lastRevision,
          conflictKind: EdgelogProblem.is(conflict, 'wrong-expected-revision') ? conflict.kind : String(conflict),
          actualRevision: conflict.problem?.actualRevision,
          head: (await log.head(stream)).revision,
          seen,
        }
      }, server.baseUrl)
      assert.deepEqual(result, { revision: 0, conflictKind: 'wrong-expected-revision', actualRevision: 0, head: 1, seen: ['Opened', 'error'] })
      assert.deepEqual(blocked, [])
    } finally {
      await page.close()
    }

    // the same page served as http://localhost:<port>: an origin edgelog does not allow
    const other = `http://localhost:${pagePort}`
    const { page: refused } = await offlinePage(other, server.baseUrl)
    try {
      await refused.goto(`${other}/`)
      const error = await refused.evaluate(async (baseUrl) => {
        const log = (globalThis as any).edgelog.createClient({ baseUrl })
        return log.readAll({ limit: 1 }).then(
          () => 'allowed',
          (e: Error) => e.name,
        )
      }, server.baseUrl)
      assert.equal(error, 'TypeError', 'the browser refuses the response (no Access-Control-Allow-Origin)')
    } finally {
      await refused.close()
    }
  })
})

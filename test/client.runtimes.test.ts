// edgelog/client itself on Bun, Deno and workerd (the contract suite runs it on Node against
// every runtime's server): test/fixtures/client-smoke.ts against one Node server.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { build } from 'esbuild'
import { startServer, type RunningServer } from './contract/server.ts'
import { root } from './worker/start.ts'

const run = promisify(execFile)
const EXPECTED = { revision: 0, conflict: 0, commandRevision: 1, seen: ['Deposited', 'Withdrawn'] }
const smoke = join(root, 'test/fixtures/client-smoke.ts')

describe('edgelog/client on other runtimes', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node', { env: { LOG_LEVEL: 'error' } })
  })
  after(async () => {
    await server?.stop()
  })

  it('Bun', async () => {
    const { stdout } = await run(join(root, 'node_modules/.bin/bun'), ['run', smoke, server.baseUrl], { cwd: root })
    assert.deepEqual(JSON.parse(stdout), EXPECTED)
  })

  it('Deno (network permission only)', async () => {
    const { stdout } = await run(join(root, 'node_modules/.bin/deno'), ['run', `--allow-net=${new URL(server.baseUrl).host}`, smoke, server.baseUrl], {
      cwd: root,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    })
    assert.deepEqual(JSON.parse(stdout), EXPECTED)
  })

  it('workerd (a Worker that calls edgelog through the client)', async () => {
    const bundle = await build({
      stdin: {
        contents: `import { smoke } from ${JSON.stringify(smoke)}
export default { async fetch(request) { return Response.json(await smoke(new URL(request.url).searchParams.get('base'))) } }`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      target: 'es2022',
    })
    const { Miniflare } = await import('miniflare')
    const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: '2026-04-20' })
    try {
      const res = await mf.dispatchFetch(`http://worker.test/?base=${encodeURIComponent(server.baseUrl)}`)
      const body = await res.text()
      assert.equal(res.status, 200, body)
      assert.deepEqual(JSON.parse(body), EXPECTED)
    } finally {
      await mf.dispose()
    }
  })
})

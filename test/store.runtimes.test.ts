// The store contract on a local file under Bun's and Deno's own test runners (both run
// node:test suites), so the store itself, not only the HTTP API, is checked on each runtime.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, it } from 'node:test'

const run = (bin: string, args: string[]) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    execFile(bin, args, { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    )
  })

describe('store contract on a libSQL file, other runtimes', () => {
  it('bun test', async () => {
    const { code, out } = await run('node_modules/.bin/bun', ['test', 'test/store.file.test.ts'])
    assert.equal(code, 0, out)
    assert.match(out, /\b[1-9]\d* pass\b/)
    assert.match(out, /\b0 fail\b/)
  })

  it('deno test', async () => {
    const { code, out } = await run('node_modules/.bin/deno', ['test', '--allow-all', 'test/store.file.test.ts'])
    assert.equal(code, 0, out)
    assert.match(out.replace(/\x1b\[[0-9;]*m/g, ''), /ok \| [1-9]\d* passed \(\d+ steps\) \| 0 failed/)
  })
})

// Deno Deploy runs no native add-ons: with a remote DATABASE_URL, src/deno.ts must not
// load one. Run it without --allow-ffi (Deploy's permissions, `deno task start:remote`)
// against a closed port: it must fail reaching the server, not loading a driver.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { it } from 'node:test'
import { freePort } from './contract/server.ts'
import { root } from './worker/start.ts'

it('deno: a remote DATABASE_URL needs no native add-on (runs without --allow-ffi)', async () => {
  const port = await freePort()
  const args = ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', 'src/deno.ts']
  const env = { ...process.env, DATABASE_URL: `http://127.0.0.1:${port}`, PORT: String(await freePort()), NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = execFile(join(root, 'node_modules/.bin/deno'), args, { cwd: root, env, timeout: 30_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, output: stdout + stderr }))
  })
  assert.notEqual(code, 0, output)
  assert.match(output, /connect|refused|fetch/i, output)
  assert.doesNotMatch(output, /ffi|\.node\b|dlopen|libsql-linux|Requires ffi access/i, output)
})

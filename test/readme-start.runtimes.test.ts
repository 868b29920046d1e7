// The README's "runtime -> run" table, run as written: each command in a fresh copy of the
// project (its default ./data database, its own .wrangler state), until GET /health is 200.
// The contract suites start the runtimes their own way; this proves the documented way works.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { freePort } from './contract/server.ts'
import { root } from './worker/start.ts'

/** `| runtime | run |` rows of README.md: the runtime and the first command in backticks. */
function readmeStartCommands(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const table = readme.slice(readme.indexOf('| runtime | run |'))
  const rows = new Map<string, string>()
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break
    const [runtime, run] = line.split('|').slice(1, 3).map((s) => s.trim())
    const command = /`([^`]+)`/.exec(run)?.[1]
    if (command) rows.set(runtime, command)
  }
  return rows
}

const commands = readmeStartCommands()
const commandOf = (prefix: string) => {
  const row = [...commands].find(([runtime]) => runtime.startsWith(prefix))
  assert.ok(row, `README's runtime table has no ${prefix} row: ${JSON.stringify([...commands])}`)
  return row[1]
}

/** A copy of what a clone holds (node_modules linked, not copied), so nothing is shared. */
function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-readme-'))
  for (const f of ['package.json', 'package-lock.json', 'deno.json', 'wrangler.toml', 'tsconfig.json', 'tsconfig.worker.json', 'src', 'migrations']) {
    cpSync(join(root, f), join(dir, f), { recursive: true })
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/**
 * Runs `command` in a shell (its own process group), waits for /health = 200, runs
 * `whileUp` against it if given, then stops the group.
 */
async function runUntilHealthy(command: string, port: number, whileUp?: (baseUrl: string) => Promise<void>) {
  const cwd = projectCopy()
  dirs.push(cwd)
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
    // wrangler: no prompts, telemetry or request.cf download
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  }
  delete env.NODE_TEST_CONTEXT
  const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const output: string[] = []
  createInterface({ input: child.stdout! }).on('line', (l) => output.push(l))
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l))
  let exited: { code: number | null } | undefined
  const exit = new Promise<void>((r) => child.on('exit', (code) => ((exited = { code }), r())))
  const stopGroup = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {}
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {}
      }, 10_000)
      await exit
      clearTimeout(killer)
    }
  }
  try {
    const deadline = Date.now() + 120_000
    for (;;) {
      assert.ok(!exited, `\`${command}\` exited (code ${exited?.code}) before /health answered:\n${output.join('\n')}`)
      assert.ok(Date.now() < deadline, `\`${command}\`: no /health 200 within 120 s:\n${output.join('\n')}`)
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined)
      if (res) {
        const body = await res.text()
        if (res.status === 200) {
          await whileUp?.(`http://127.0.0.1:${port}`)
          return { body, output }
        }
      }
      // Poll until the server listens; the exit handler above ends the wait early on a crash.
      await Promise.race([exit, new Promise((r) => setTimeout(r, 200))])
    }
  } finally {
    await stopGroup()
  }
}

describe("README's start commands", () => {
  for (const runtime of ['Node', 'Bun', 'Deno']) {
    it(`${runtime}: \`${commandOf(runtime)}\` serves /health`, async () => {
      const { body } = await runUntilHealthy(commandOf(runtime), await freePort())
      assert.match(body, /"status":"ok"/)
    })
  }

  it(`Cloudflare Workers: \`${commandOf('Cloudflare Workers')}\` (wrangler dev, local D1) serves /health`, async () => {
    const command = commandOf('Cloudflare Workers')
    assert.match(command, /^npm run /, 'the Workers row runs an npm script, so a port can be passed after --')
    const [port, inspector] = [await freePort(), await freePort()]
    // Under wrangler dev, a request a Durable Object answered before reading its body (a
    // 415 here) made the next one fail ("Your worker restarted mid-request"): the gateway
    // reads bodies to the end before handing them on (src/worker/body.ts).
    // And a chunked body over MAX_BODY_BYTES (4 MiB) got its 413 and then the same: the
    // drain of the rest failed on workerd, which takes one read at a time (src/http/app.ts).
    const chunked = (bytes: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent < bytes; sent += 65_536) controller.enqueue(new Uint8Array(65_536).fill(120))
          controller.close()
        },
      })
    const earlyAnswerFailsAlone = async (baseUrl: string) => {
      for (let round = 0; round < 3; round++) {
        const refusals: Array<[number, RequestInit]> = [
          [415, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(60_000) }],
          [413, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked(4.5 * 2 ** 20), duplex: 'half' } as RequestInit],
        ]
        for (const [status, init] of refusals) {
          const refused = await fetch(`${baseUrl}/v1/streams/readme-early`, init)
          assert.equal(refused.status, status, await refused.text())
          const after = await fetch(`${baseUrl}/v1/streams/readme-after`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ type: 'After' }] }) })
          assert.equal(after.status, 201, `the append after a ${status}: ${after.status} ${await after.text()}`)
        }
      }
    }
    const { body } = await runUntilHealthy(`${command} -- --ip 127.0.0.1 --port ${port} --inspector-port ${inspector}`, port, earlyAnswerFailsAlone)
    assert.match(body, /"status":"ok"/)
    // the same Worker on its local D1 (STORE=d1): the app itself reads the body, no gateway
    const [d1Port, d1Inspector] = [await freePort(), await freePort()]
    await runUntilHealthy(`${command} -- --ip 127.0.0.1 --port ${d1Port} --inspector-port ${d1Inspector} --var STORE:d1`, d1Port, earlyAnswerFailsAlone)
  })
})

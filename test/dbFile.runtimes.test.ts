// The database file deleted or replaced under a running server (an operator's rm, a restore
// copied over it): SQLite would go on committing into the open, unlinked file, and every
// append would be acknowledged and then lost at the next start. Now no append is
// acknowledged once the path is not the file the server opened: 503s, /health 503, on
// Node, Bun and Deno; a restart opens what is at the path.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { call, expectProblem, expectStatus, newEvent, uniqueStream } from './contract/http.ts'
import { commands, freePort, startServer, tempDbPath, type Runtime } from './contract/server.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Starts the server on `runtime` with DATABASE_URL `url`, expecting it to stop by itself: its exit code and output. */
async function failedStart(runtime: Runtime, url: string) {
  const { bin, args } = commands[runtime]
  const child = spawn(bin, args, { cwd: root, env: { ...process.env, DATABASE_URL: url, PORT: String(await freePort()), LOG_LEVEL: 'info' } })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const [code] = await once(child, 'exit')
  clearTimeout(timer)
  return { code, output }
}

const append = (baseUrl: string, stream: string, type: string) => call(baseUrl, 'POST', `/v1/streams/${stream}`, { json: { events: [newEvent(type)] } })

for (const runtime of ['node', 'bun', 'deno'] as Runtime[]) {
  describe(`a database file a ${runtime} server cannot open`, () => {
    it('a directory, or a path under a file: the start stops with one line naming the file, exit 1, no stack trace', async () => {
      const dir = dirname(tempDbPath())
      const directory = join(dir, 'a-directory.db')
      mkdirSync(directory)
      writeFileSync(join(dir, 'a-file'), '')
      for (const path of [directory, join(dir, 'a-file', 'sub', 'edgelog.db')]) {
        const { code, output } = await failedStart(runtime, `file:${path}`)
        assert.equal(code, 1, output)
        assert.match(output, new RegExp(`cannot start: database file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: it cannot be opened or created there`), output)
        assert.doesNotMatch(output, /^\s+at /m, `a stack trace: ${output}`)
      }
    })
  })

  describe(`the database file gone from under a ${runtime} server`, () => {
    it('deleted: appends are 503s, never acknowledged; reads and /health are 503s', async () => {
      const server = await startServer(runtime)
      try {
        const stream = uniqueStream('gone')
        expectStatus(await append(server.baseUrl, stream, 'Before'), 201)
        rmSync(server.dbPath)
        for (let i = 0; i < 3; i++) {
          const problem = expectProblem(await append(server.baseUrl, stream, 'After'), 503, 'unavailable')
          assert.ok(problem, 'an append after the file was deleted')
        }
        expectProblem(await call(server.baseUrl, 'GET', `/v1/streams/${stream}`), 503, 'unavailable')
        const health = await call(server.baseUrl, 'GET', '/health')
        assert.equal(health.status, 503, JSON.stringify(health.body))
        assert.match(health.body.database, /deleted, moved or replaced/)
        assert.ok(server.stderr.concat(server.stdout).some((l) => l.includes(server.dbPath)), "the log names the file")
      } finally {
        await server.stop()
      }
    })

    it('replaced by another file: appends are 503s; after a restart the new file holds none of them', async () => {
      const first = await startServer(runtime)
      const stream = uniqueStream('replaced')
      try {
        expectStatus(await append(first.baseUrl, stream, 'Before'), 201)
        // a restore of an empty backup: a new file renamed over the path
        writeFileSync(`${first.dbPath}.restored`, '')
        renameSync(`${first.dbPath}.restored`, first.dbPath)
        rmSync(`${first.dbPath}-wal`, { force: true })
        rmSync(`${first.dbPath}-shm`, { force: true })
        expectProblem(await append(first.baseUrl, stream, 'After'), 503, 'unavailable')
      } finally {
        await first.stop()
      }
      const second = await startServer(runtime, { dbPath: first.dbPath })
      try {
        // the restored (empty) file is what the path holds: the refused append is not in it
        expectProblem(await call(second.baseUrl, 'GET', `/v1/streams/${stream}`), 404, 'stream-not-found')
        expectStatus(await append(second.baseUrl, stream, 'Again'), 201)
        const page = expectStatus(await call(second.baseUrl, 'GET', `/v1/streams/${stream}`), 200)
        assert.deepEqual(
          page.events.map((e: { type: string }) => e.type),
          ['Again'],
        )
      } finally {
        await second.stop()
      }
    })
  })
}

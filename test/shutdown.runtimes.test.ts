// Graceful shutdown is bounded by SHUTDOWN_TIMEOUT_MS on every runtime, even when clients
// hold connections open, and loses no acknowledged append (docs/api.md#shutdown).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { copyFileSync, existsSync, statSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { describe, it } from 'node:test'
import { call, expectStatus, newEvent, sleep, uniqueStream } from './contract/http.ts'
import { MAX_PAGE_SIZE } from './contract/limits.ts'
import { startServer, tempDbPath, type Runtime } from './contract/server.ts'

const DEADLINE_MS = 1500
// Generous: the point is that the process ends at all (it used to run for minutes).
const OUTER_TIMEOUT_MS = 60_000

/** Resolves once `socket` has received text matching `pattern` (the socket stays open). */
function received(socket: Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += String(chunk)
      if (!pattern.test(text)) return
      socket.off('data', onData).off('end', onEnd)
      resolve(text)
    }
    const onEnd = () => reject(new Error(`socket ended before ${pattern}: ${JSON.stringify(text)}`))
    socket.on('data', onData).on('end', onEnd)
  })
}

async function readAll(baseUrl: string): Promise<Set<string>> {
  const ids = new Set<string>()
  for (let from = 0; ; ) {
    const page = expectStatus(await call(baseUrl, 'GET', `/v1/all?from=${from}&limit=${MAX_PAGE_SIZE}`), 200)
    if (page.events.length === 0) return ids
    for (const e of page.events) ids.add(e.id)
    from = page.next
  }
}

for (const runtime of ['node', 'bun', 'deno'] as Runtime[]) {
  describe(`shutdown deadline (${runtime})`, () => {
    it('SIGTERM ends the process while a client holds a half-sent request', async () => {
      const server = await startServer(runtime, { env: { SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS) } })
      const socket = connect(server.port, '127.0.0.1')
      socket.on('error', () => {}) // the server may reset it when it force-closes
      try {
        await once(socket, 'connect')
        // Expect: 100-continue makes the server say when it has read the headers and waits
        // for the body (RFC 9110 §10.1.1), so the request is provably in flight.
        const body = '{"events":'
        socket.write(
          `POST /v1/streams/${uniqueStream('half')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Content-Length: 100\r\nExpect: 100-continue\r\n\r\n`,
        )
        await received(socket, /^HTTP\/1\.1 100/)
        socket.write(body) // 10 of the 100 bytes, and never the rest
        const exit = await server.stop('SIGTERM', OUTER_TIMEOUT_MS)
        assert.deepEqual(exit, { code: 0, signal: null }, [...server.stderr, ...server.stdout].join('\n'))
      } finally {
        socket.destroy()
        await server.kill().catch(() => {})
      }
    })

    it('answers an append in flight at SIGTERM with Connection: close, and exits without waiting for the deadline', async () => {
      // A deadline far beyond the outer timeout: the process can only exit in time if the
      // connection closes after its answer.
      const server = await startServer(runtime, { env: { SHUTDOWN_TIMEOUT_MS: '120000' } })
      const socket = connect(server.port, '127.0.0.1')
      socket.on('error', () => {}) // a reset shows as a missing or partial answer below
      try {
        await once(socket, 'connect')
        const stream = uniqueStream('inflight')
        const event = newEvent('InFlight')
        const body = JSON.stringify({ events: [event] })
        socket.write(
          `POST /v1/streams/${stream} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
        )
        await received(socket, /^HTTP\/1\.1 100/)
        let answer = ''
        socket.setEncoding('utf8').on('data', (chunk) => (answer += chunk))
        const closed = once(socket, 'end')
        // The request is in the server; stop it, and send the body once it is shutting down.
        const stopped = server.stop('SIGTERM', 30_000)
        for (let until = Date.now() + 20_000; !server.stdout.some((l) => l.includes('shutting down')); await sleep(5)) {
          assert.ok(Date.now() < until, 'the server never logged that it is shutting down')
        }
        socket.write(body)
        assert.deepEqual(await stopped, { code: 0, signal: null }, [...server.stderr, ...server.stdout].join('\n'))
        await closed
        assert.match(answer, /^HTTP\/1\.1 201 /, answer)
        // Deno's graceful shutdown closes the connection itself and sends no Connection header.
        if (runtime !== 'deno') assert.match(answer, /\r\nconnection: close\r\n/i, answer)

        const again = await startServer(runtime, { dbPath: server.dbPath })
        try {
          assert.ok((await readAll(again.baseUrl)).has(event.id), 'the append answered during shutdown is not stored')
        } finally {
          await again.stop()
        }
      } finally {
        socket.destroy()
        await server.kill().catch(() => {})
      }
    })

    it('SIGTERM ends the process while keep-alive clients loop appends; every 201 is stored, in the main file alone', async () => {
      const server = await startServer(runtime, { env: { SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS), LOG_LEVEL: 'error' } })
      const acked: string[] = []
      const stream = uniqueStream('loop')
      let stopping = false
      // node:http with a keep-alive agent sends the next request on the same connection as
      // soon as an answer ends, so a connection never sits idle for the server to close.
      const agent = new Agent({ keepAlive: true, maxSockets: 8 })
      const post = (body: string) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: server.port, method: 'POST', path: `/v1/streams/${stream}`, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
            (res) => {
              let text = ''
              res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('error', reject)
              res.on('end', () => resolve({ status: res.statusCode!, text }))
            },
          )
          req.on('error', reject).end(body)
        })
      const client = async () => {
        for (;;) {
          const events = [newEvent('Looped'), newEvent('Looped')]
          try {
            const reply = await post(JSON.stringify({ events }))
            if (reply.status === 201) acked.push(...events.map((e) => e.id))
            // while stopping, the writer refuses new appends with a 503
            else if (!stopping || reply.status !== 503) throw new Error(`${reply.status} ${reply.text}`)
          } catch (err) {
            if (stopping) return // the server went away
            throw err
          }
        }
      }
      const clients = Promise.all(Array.from({ length: 8 }, client))
      let exit
      try {
        while (acked.length < 200) await Promise.race([clients, new Promise((r) => setImmediate(r))])
        stopping = true
        exit = await server.stop('SIGTERM', OUTER_TIMEOUT_MS)
        await clients
      } finally {
        agent.destroy()
        if (!exit) await server.kill().catch(() => {})
      }
      assert.deepEqual(exit, { code: 0, signal: null }, [...server.stderr, ...server.stdout].join('\n'))

      // After a graceful stop the main file alone holds every acknowledged event: the WAL
      // is checkpointed and emptied, so a copy of edgelog.db is a backup, and nothing done
      // to the WAL file afterwards can lose an event.
      const wal = `${server.dbPath}-wal`
      assert.equal(existsSync(wal) ? statSync(wal).size : 0, 0, 'the WAL still holds pages after a graceful stop')
      const copy = tempDbPath()
      copyFileSync(server.dbPath, copy)
      const again = await startServer(runtime, { dbPath: copy })
      try {
        const stored = await readAll(again.baseUrl)
        const missing = acked.filter((id) => !stored.has(id))
        assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events are missing from a copy of the main file`)
      } finally {
        await again.stop()
      }
    })
  })
}

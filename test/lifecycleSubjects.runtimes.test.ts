// Erasure by crypto-shredding, against the real Node entry on a fresh file: events naming a
// data subject (tag subject:<id>) are stored encrypted; DELETE /v1/subjects/:subject
// destroys the key; the raw bytes of the database file and its WAL then hold neither the
// plaintext nor the key; other events read back unchanged; a wrong ENCRYPTION_KEY stops the
// start with a clear error. On Node, Bun and Deno (WebCrypto on each); on Workers in
// test/lifecycle.worker.test.ts.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent } from './contract/http.ts'
import { startServer, tempDbPath, type Runtime, type RunningServer } from './contract/server.ts'
import { erasureTests } from './contract/subjects.ts'

const KEY = randomBytes(32).toString('base64')
/**
 * A subject's wrapped key as stored, read by a short-lived process of its own. Not a
 * connection in this process: the driver's close() waits for its statements to be
 * garbage-collected, and rawBytes' readFileSync drops this process's locks on the file
 * (https://sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_),
 * so the connection, closed at some later GC, could find itself "last" while a server
 * starts and delete the WAL the server is writing.
 */
const wrappedKeyOf = (dbPath: string, subject: string): Buffer =>
  Buffer.from(
    execFileSync(process.execPath, ['-e', `const D = require('libsql'); const db = new D(process.argv[1], { readonly: true }); process.stdout.write(db.prepare('SELECT hex(wrapped) AS h FROM subject_keys WHERE subject = ?').get([process.argv[2]]).h)`, dbPath, subject], { encoding: 'utf8' }),
    'hex',
  )
const rawBytes = (dbPath: string) => Buffer.concat([dbPath, `${dbPath}-wal`].filter(existsSync).map((p) => readFileSync(p)))

for (const runtime of ['node', 'bun', 'deno'] as Runtime[]) describe(`erasure by crypto-shredding (${runtime}, local file)`, () => {
  const dbPath = tempDbPath()
  let server: RunningServer
  const req = (method: string, path: string, json?: unknown, accept?: string) => call(server.baseUrl, method, path, { json, accept })
  before(async () => {
    server = await startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: KEY, LOG_LEVEL: 'error' } })
  })
  after(async () => {
    await server?.stop().catch(() => {})
  })

  erasureTests(() => server.baseUrl, { rawBytes: () => rawBytes(dbPath), metrics: true })

  it('the subject key itself is gone from the file and the WAL after erasure', async () => {
    const subject = `k${randomUUID().slice(0, 8)}`
    const stream = `keyed${randomUUID().slice(0, 6)}-1`
    expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [{ type: 'T', data: { a: 1 }, tags: [`subject:${subject}`] }] }), 201)
    // stop to read the key row as stored, then start again on the same file
    await server.stop()
    const wrapped = wrappedKeyOf(dbPath, subject)
    assert.equal(wrapped.length, 12 + 32 + 16, 'IV + wrapped 32-byte key + tag')
    assert.ok(rawBytes(dbPath).includes(wrapped), 'the wrapped key is in the file before erasure')
    server = await startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: KEY, LOG_LEVEL: 'error' } })
    expectStatus(await req('DELETE', `/v1/subjects/${subject}`), 200)
    assert.ok(!rawBytes(dbPath).includes(wrapped), 'the wrapped key is still in the file or the WAL after erasure')
    assert.equal(expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events[0].erased, true)
  })

  it('a wrong ENCRYPTION_KEY, or none, at start is a clear error naming it', async () => {
    // a stored subject key is what a wrong key fails to unwrap (also when this test runs alone)
    expectStatus(await req('POST', `/v1/streams/wk${randomUUID().slice(0, 6)}-1`, { events: [{ type: 'T', data: { a: 1 }, tags: [`subject:w${randomUUID().slice(0, 8)}`] }] }), 201)
    await server.stop()
    await assert.rejects(startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: randomBytes(32).toString('base64') } }), /ENCRYPTION_KEY does not unwrap/)
    await assert.rejects(startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: '' } }), /ENCRYPTION_KEY is not set/)
    await assert.rejects(startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: 'c2hvcnQ=' } }), /ENCRYPTION_KEY must be base64 of 32 bytes/)
    server = await startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: KEY } })
  })

  it('rotation: with the old key as ENCRYPTION_KEY_PREVIOUS the subject keys are re-wrapped, events still read back', async () => {
    const subject = `r${randomUUID().slice(0, 8)}`
    const stream = `rot${randomUUID().slice(0, 6)}-1`
    expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [{ type: 'T', data: { secret: 42 }, tags: [`subject:${subject}`] }] }), 201)
    await server.stop()
    const next = randomBytes(32).toString('base64')
    await assert.rejects(startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: next } }), /ENCRYPTION_KEY_PREVIOUS/)
    server = await startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: next, ENCRYPTION_KEY_PREVIOUS: KEY } })
    assert.deepEqual(expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events[0].data, { secret: 42 })
    await server.stop()
    // re-wrapped: the new key alone now opens them
    server = await startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: next } })
    assert.deepEqual(expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events[0].data, { secret: 42 })
  })

  it('without ENCRYPTION_KEY an event naming a subject is refused (it would be stored in clear)', async () => {
    const plain = await startServer(runtime)
    try {
      expectProblem(await call(plain.baseUrl, 'POST', `/v1/streams/nokey-1`, { json: { events: [{ type: 'T', data: { a: 1 }, tags: ['subject:x'] }] } }), 501, 'encryption-not-configured')
      expectProblem(await call(plain.baseUrl, 'DELETE', '/v1/subjects/x'), 501, 'encryption-not-configured')
    } finally {
      await plain.stop()
    }
  })
})

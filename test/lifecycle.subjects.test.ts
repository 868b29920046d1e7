// Erasure by crypto-shredding, against the real Node entry on a fresh file: events naming a
// data subject (tag subject:<id>) are stored encrypted; DELETE /v1/subjects/:subject
// destroys the key; the raw bytes of the database file and its WAL then hold neither the
// plaintext nor the key; other events read back unchanged; a wrong ENCRYPTION_KEY stops the
// start with a clear error. On Node, Bun and Deno (WebCrypto on each); not on Workers, which
// do not read ENCRYPTION_KEY yet (docs/api.md "Erasure").
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent } from './contract/http.ts'
import { startServer, tempDbPath, type Runtime, type RunningServer } from './contract/server.ts'
import { openSse } from './subscribe/sse.ts'

const KEY = randomBytes(32).toString('base64')
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

  it('a subject\'s payloads are stored encrypted, read back in clear until erased, then null with erased: true on every route; other events unchanged; the erasure is in the log', async () => {
    const subject = `p${randomUUID().slice(0, 8)}`
    const other = `p${randomUUID().slice(0, 8)}`
    const marker = `MARKER-${randomUUID()}`
    const otherMarker = `KEEP-${randomUUID()}`
    const stream = `person${randomUUID().slice(0, 6)}-1`
    const mine = { ...newEvent('Registered', { name: marker, email: `${marker}@example.com` }), metadata: { by: marker }, tags: [`subject:${subject}`] }
    const theirs = { ...newEvent('Registered', { name: otherMarker }), tags: [`subject:${other}`] }
    const plain = { ...newEvent('Counted', { n: 7, note: otherMarker }), tags: ['plain'] }
    const appended = expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [mine, theirs, plain] }), 201)
    const positions = appended.events.map((e: any) => e.position)

    // encrypted at rest: the marker is nowhere in the file or the WAL, but reads give it back
    assert.ok(!rawBytes(dbPath).includes(marker), 'plaintext of a subject event found in the database file')
    assert.ok(rawBytes(dbPath).includes(`Counted`), 'the scan reads the database (an unencrypted event is found)')
    const read = expectStatus(await req('GET', `/v1/streams/${stream}`), 200)
    assert.deepEqual(read.events[0].data, mine.data)
    assert.deepEqual(read.events[0].metadata, mine.metadata)
    assert.equal(read.events[0].erased, undefined)
    const cborRead = expectStatus(await req('GET', `/v1/streams/${stream}`, undefined, 'application/cbor'), 200)
    assert.deepEqual(cborRead.events[0].data, mine.data)

    expectProblem(await req('DELETE', `/v1/subjects/${randomUUID()}`), 404, 'subject-not-found')
    const erased = expectStatus(await req('DELETE', `/v1/subjects/${subject}`), 200)
    assert.equal(erased.subject, subject)
    expectProblem(await req('DELETE', `/v1/subjects/${subject}`), 404, 'subject-not-found')
    expectProblem(await req('POST', `/v1/streams/${stream}`, { events: [{ type: 'Again', data: { x: 1 }, tags: [`subject:${subject}`] }] }), 410, 'subject-erased')

    const check = (e: any, i: number) => {
      assert.equal(e.position, positions[i])
      assert.equal(e.revision, i)
      assert.equal(e.type, i === 2 ? 'Counted' : 'Registered')
    }
    const pages = [
      expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events,
      expectStatus(await req('GET', `/v1/streams/${stream}`, undefined, 'application/cbor'), 200).events,
      expectStatus(await req('GET', `/v1/all?from=${positions[0]}&limit=3`), 200).events,
      expectStatus(await req('GET', `/v1/categories/${stream.split('-')[0]}?from=0`), 200).events,
      expectStatus(await req('POST', '/v1/query', { items: [{ types: ['Registered', 'Counted'] }], from: positions[0] }), 200).events.slice(0, 3),
    ]
    const sub = await openSse(`${server.baseUrl}/v1/subscribe?stream=${stream}&from=0`)
    try {
      pages.push(await sub.take(3))
    } finally {
      sub.close()
    }
    for (const events of pages) {
      events.forEach(check)
      assert.equal(events[0].data, null)
      assert.equal(events[0].metadata, null)
      assert.equal(events[0].erased, true)
      assert.deepEqual(events[0].tags, [`subject:${subject}`])
      assert.deepEqual(events[1].data, theirs.data)
      assert.equal(events[1].erased, undefined)
      assert.deepEqual(events[2].data, plain.data)
    }
    const metrics = (await call(server.baseUrl, 'GET', '/metrics')).text
    assert.match(metrics, /^edgelog_subjects_erased_total 1$/m)
    assert.match(metrics, /^edgelog_subject_events_sealed_total 2$/m)
    const record = expectStatus(await req('GET', `/v1/all?from=${erased.position}&limit=1`), 200).events[0]
    assert.equal(record.type, 'SubjectErased')
    assert.deepEqual(record.data, { subject })
    assert.deepEqual(record.tags, [`erased:${subject}`])

    // the subject's wrapped key was in the file before the erasure; now neither it nor the plaintext is
    const bytes = rawBytes(dbPath)
    assert.ok(!bytes.includes(marker))
    assert.ok(bytes.includes(Buffer.from('Counted')))
  })

  it('the subject key itself is gone from the file and the WAL after erasure', async () => {
    const subject = `k${randomUUID().slice(0, 8)}`
    const stream = `keyed${randomUUID().slice(0, 6)}-1`
    expectStatus(await req('POST', `/v1/streams/${stream}`, { events: [{ type: 'T', data: { a: 1 }, tags: [`subject:${subject}`] }] }), 201)
    // stop to read the key row as stored, then start again on the same file
    await server.stop()
    const { default: Database } = await import('libsql')
    const db = new Database(dbPath)
    const row = db.prepare('SELECT wrapped FROM subject_keys WHERE subject = ?').get([subject]) as { wrapped: Buffer }
    db.close()
    assert.equal(row.wrapped.length, 12 + 32 + 16, 'IV + wrapped 32-byte key + tag')
    assert.ok(rawBytes(dbPath).includes(row.wrapped), 'the wrapped key is in the file before erasure')
    server = await startServer(runtime, { dbPath, env: { ENCRYPTION_KEY: KEY, LOG_LEVEL: 'error' } })
    expectStatus(await req('DELETE', `/v1/subjects/${subject}`), 200)
    assert.ok(!rawBytes(dbPath).includes(row.wrapped), 'the wrapped key is still in the file or the WAL after erasure')
    assert.equal(expectStatus(await req('GET', `/v1/streams/${stream}`), 200).events[0].erased, true)
  })

  it('a wrong ENCRYPTION_KEY, or none, at start is a clear error naming it', async () => {
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

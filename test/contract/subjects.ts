// Erasure by crypto-shredding (docs/api.md "Erasure") over HTTP, on every runtime and backend
// that has an ENCRYPTION_KEY: events naming a data subject (tag subject:<id>) read back in
// clear until DELETE /v1/subjects/:subject destroys the key, then with data and metadata null
// and erased: true on every route and subscription; other events unchanged.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { it } from 'node:test'
import { call, expectProblem, expectStatus, newEvent } from './http.ts'
import { openSse } from '../subscribe/sse.ts'

export interface ErasureOptions {
  /** the raw bytes of the database (file and WAL), where the test can read them */
  rawBytes?: () => Buffer
  /** the server has /metrics */
  metrics?: boolean
}

export function erasureTests(getBaseUrl: () => string, options: ErasureOptions = {}): void {
  const req = (method: string, path: string, json?: unknown, accept?: string) => call(getBaseUrl(), method, path, { json, accept })
  const { rawBytes } = options
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
    if (rawBytes) {
      assert.ok(!rawBytes().includes(marker), 'plaintext of a subject event found in the database file')
      assert.ok(rawBytes().includes(`Counted`), 'the scan reads the database (an unencrypted event is found)')
    }
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
    const sub = await openSse(`${getBaseUrl()}/v1/subscribe?stream=${stream}&from=0`)
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
    if (options.metrics) {
      const metrics = (await call(getBaseUrl(), 'GET', '/metrics')).text
      assert.match(metrics, /^edgelog_subjects_erased_total 1$/m)
      assert.match(metrics, /^edgelog_subject_events_sealed_total 2$/m)
    }
    const record = expectStatus(await req('GET', `/v1/all?from=${erased.position}&limit=1`), 200).events[0]
    assert.equal(record.type, 'SubjectErased')
    assert.deepEqual(record.data, { subject })
    assert.deepEqual(record.tags, [`erased:${subject}`])

    // the subject's wrapped key was in the file before the erasure; now neither it nor the plaintext is
    if (rawBytes) {
      const bytes = rawBytes()
      assert.ok(!bytes.includes(marker))
      assert.ok(bytes.includes(Buffer.from('Counted')))
    }
  })

  it('appends racing an erasure are each answered 201 before it (and erased with the rest) or 410; none is acknowledged after it', async () => {
    const subject = `p${randomUUID().slice(0, 8)}`
    const stream = `race${randomUUID().slice(0, 6)}`
    const named = (k: number, i: number) => ({ ...newEvent('Noted', { k, i }), tags: [`subject:${subject}`] })
    expectStatus(await req('POST', `/v1/streams/${stream}-first`, { events: [named(-1, 0)] }), 201)
    const outcomes: Array<{ status: number; position?: number; detail?: string }> = []
    const appender = async (k: number) => {
      for (let i = 0; i < 400; i++) {
        const r = await req('POST', `/v1/streams/${stream}-${k}`, { events: [named(k, i)] })
        outcomes.push({ status: r.status, position: r.body?.lastPosition, detail: r.body?.type })
        if (r.status !== 201) return
      }
    }
    const appenders = Array.from({ length: 8 }, (_, k) => appender(k))
    // erase while the appenders run (once each has been answered a few times)
    for (let turns = 0; outcomes.length < 40; turns++) {
      assert.ok(turns < 1_000_000 && !outcomes.some((o) => o.status !== 201), JSON.stringify(outcomes.slice(-3)))
      await new Promise((r) => setImmediate(r))
    }
    const erased = expectStatus(await req('DELETE', `/v1/subjects/${subject}`), 200)
    await Promise.all(appenders)
    const late = outcomes.filter((o) => o.status === 201 && o.position! > erased.position)
    assert.deepEqual(late, [], `acknowledged after the erasure at ${erased.position}`)
    for (const o of outcomes) assert.ok(o.status === 201 || (o.status === 410 && o.detail === 'https://edgelog.dev/problems/subject-erased'), JSON.stringify(o))
    assert.ok(outcomes.some((o) => o.status === 410), 'appends after the erasure are refused')
  })
}

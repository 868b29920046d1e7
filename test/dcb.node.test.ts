// Dynamic Consistency Boundary over HTTP against the real Node server: the examples from
// dcb.events (course subscriptions with a capacity, unique username, invoice number
// sequence) written as command handlers that query, decide and append on a condition,
// with concurrent attempts where exactly one may win; JSON and CBOR; every bad query.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { call, expectProblem, expectStatus, type CallOptions } from './contract/http.ts'
import { MAX_PAGE_SIZE } from './contract/limits.ts'
import { startServer, type RunningServer } from './contract/server.ts'

type Item = { types?: string[]; tags?: string[] }
type Format = 'json' | 'cbor'

describe('DCB over HTTP (node)', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node', { env: { AUTH_TOKENS: 'rw-token', AUTH_READ_TOKENS: 'ro-token', LOG_LEVEL: 'error' } })
  })
  after(async () => {
    await server?.stop()
  })

  const req = (method: string, path: string, body?: unknown, format: Format = 'json', opts: CallOptions = {}) =>
    call(server.baseUrl, method, path, {
      ...(body === undefined ? {} : format === 'json' ? { json: body } : { cbor: body }),
      accept: format === 'json' ? 'application/json' : 'application/cbor',
      headers: { authorization: 'Bearer rw-token' },
      ...opts,
    })

  /** Every matching event (all pages) and the position the last page is consistent with. */
  async function query(items: Item[], format: Format = 'json') {
    const events: any[] = []
    let position = 0
    for (let from: number | null = 0; from !== null; ) {
      const page = expectStatus(await req('POST', '/v1/query', { items, from, limit: MAX_PAGE_SIZE }, format), 200)
      events.push(...page.events)
      position = page.position
      from = page.next
    }
    return { events, position }
  }

  /** Appends stream-less events on a condition: 201 body, or the 409 problem. */
  async function appendIf(events: unknown[], failIfEventsMatch: Item[], after: number | undefined, format: Format = 'json') {
    const reply = await req('POST', '/v1/append', { events, condition: after === undefined ? { failIfEventsMatch } : { failIfEventsMatch, after } }, format)
    if (reply.status === 409) return { ok: false as const, problem: expectProblem(reply, 409, 'condition-failed') }
    return { ok: true as const, result: expectStatus(reply, 201) }
  }

  describe('course subscriptions with a capacity (dcb.events example)', () => {
    const decisionModel = (course: string, student: string): Item[] => [
      { types: ['CourseDefined', 'CourseCapacityChanged'], tags: [`course:${course}`] },
      { types: ['StudentSubscribedToCourse'], tags: [`course:${course}`] },
      { types: ['StudentSubscribedToCourse'], tags: [`student:${student}`] },
    ]

    /** The command handler: query, decide, append on the condition; retry when it failed. */
    async function subscribe(course: string, student: string, format: Format = 'json', retries = 20): Promise<string> {
      for (let attempt = 0; attempt < retries; attempt++) {
        const items = decisionModel(course, student)
        const { events, position } = await query(items, format)
        let capacity: number | undefined
        let subscribers = 0
        let already = false
        for (const e of events) {
          if (e.type === 'CourseDefined' || e.type === 'CourseCapacityChanged') capacity = e.data.capacity
          if (e.type === 'StudentSubscribedToCourse' && e.tags.includes(`course:${course}`)) {
            subscribers++
            if (e.tags.includes(`student:${student}`)) already = true
          }
        }
        if (capacity === undefined) return 'no such course'
        if (already) return 'already subscribed'
        if (subscribers >= capacity) return 'course full'
        const event = { id: randomUUID(), type: 'StudentSubscribedToCourse', data: { course, student }, tags: [`course:${course}`, `student:${student}`] }
        const r = await appendIf([event], items, position, format)
        if (r.ok) return 'subscribed'
        assert.ok(r.problem.positions.every((p: number) => p > position), JSON.stringify(r.problem))
      }
      return 'gave up'
    }

    it('fills a course to its capacity under concurrent subscribers, never beyond', async () => {
      const course = `c${randomUUID().slice(0, 8)}`
      expectStatus(await req('POST', '/v1/append', { events: [{ type: 'CourseDefined', data: { capacity: 3 }, tags: [`course:${course}`] }] }), 201)
      const students = Array.from({ length: 12 }, (_, i) => `s${i}`)
      const outcomes = await Promise.all(students.map((s, i) => subscribe(course, s, i % 2 ? 'cbor' : 'json')))
      assert.equal(outcomes.filter((o) => o === 'subscribed').length, 3, outcomes.join())
      assert.equal(outcomes.filter((o) => o === 'course full').length, 9, outcomes.join())
      const { events } = await query([{ types: ['StudentSubscribedToCourse'], tags: [`course:${course}`] }])
      assert.equal(events.length, 3)
      assert.ok(events.every((e) => e.stream === null && e.revision === null))
      assert.equal(await subscribe(course, 's-late'), 'course full')
      // Raising the capacity lets one more in; a student cannot subscribe twice.
      expectStatus(await req('POST', '/v1/append', { events: [{ type: 'CourseCapacityChanged', data: { capacity: 4 }, tags: [`course:${course}`] }] }), 201)
      const subscribed = events[0].data.student
      assert.equal(await subscribe(course, subscribed), 'already subscribed')
      assert.equal(await subscribe(course, 's-late'), 'subscribed')
      assert.equal(await subscribe(`nope-${course}`, 's1'), 'no such course')
    })

    it('of concurrent appends decided on the same read, exactly one wins', async () => {
      const course = `c${randomUUID().slice(0, 8)}`
      expectStatus(await req('POST', '/v1/append', { events: [{ type: 'CourseDefined', data: { capacity: 1 }, tags: [`course:${course}`] }] }), 201)
      const items = decisionModel(course, 'x')
      const { position } = await query(items)
      const attempts = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          appendIf([{ type: 'StudentSubscribedToCourse', tags: [`course:${course}`, `student:x`], data: { i } }], items, position, i % 2 ? 'cbor' : 'json'),
        ),
      )
      const winners = attempts.filter((a) => a.ok)
      assert.equal(winners.length, 1)
      const won = (winners[0] as any).result.events[0].position
      for (const a of attempts) if (!a.ok) assert.deepEqual(a.problem.positions, [won])
    })
  })

  describe('unique username (dcb.events example)', () => {
    async function register(username: string, format: Format): Promise<number> {
      const items = [{ types: ['AccountRegistered', 'UsernameChanged'], tags: [`username:${username}`] }]
      const { events, position } = await query(items, format)
      if (events.length) return 409
      const r = await appendIf([{ type: 'AccountRegistered', data: { username }, tags: [`username:${username}`] }], items, position, format)
      return r.ok ? 201 : 409
    }

    for (const format of ['json', 'cbor'] as const) {
      it(`of concurrent registrations of one username exactly one succeeds (${format})`, async () => {
        const name = `u${randomUUID().slice(0, 8)}`
        const statuses = await Promise.all(Array.from({ length: 10 }, () => register(name, format)))
        assert.deepEqual(statuses.filter((s) => s === 201).length, 1, statuses.join())
        assert.equal((await query([{ tags: [`username:${name}`] }], format)).events.length, 1)
        assert.equal(await register(name, format), 409)
        assert.equal(await register(`${name}-other`, format), 201)
      })
    }

    it('with no `after`, any matching event fails the condition', async () => {
      const tag = `username:${randomUUID()}`
      const first = await appendIf([{ type: 'AccountRegistered', tags: [tag] }], [{ tags: [tag] }], undefined)
      assert.ok(first.ok)
      const second = await appendIf([{ type: 'AccountRegistered', tags: [tag] }], [{ tags: [tag] }], undefined)
      assert.ok(!second.ok)
      assert.equal(second.problem.after, null)
      assert.deepEqual(second.problem.positions, [first.result.position])
    })
  })

  describe('invoice number sequence (dcb.events example)', () => {
    it('concurrent invoices get consecutive numbers with no gap and no duplicate', async () => {
      const type = `InvoiceCreated${randomUUID().slice(0, 8)}`
      const items = [{ types: [type] }]
      const create = async (format: Format): Promise<number> => {
        for (;;) {
          const { events, position } = await query(items, format)
          const number = events.length ? events[events.length - 1].data.invoiceNumber + 1 : 1
          const r = await appendIf([{ type, data: { invoiceNumber: number }, tags: [`invoice:${number}`] }], items, position, format)
          if (r.ok) return number
        }
      }
      const numbers = await Promise.all(Array.from({ length: 8 }, (_, i) => create(i % 2 ? 'cbor' : 'json')))
      assert.deepEqual([...numbers].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8])
      const { events } = await query(items)
      assert.deepEqual(events.map((e) => e.data.invoiceNumber), [1, 2, 3, 4, 5, 6, 7, 8])
    })
  })

  describe('reads and appends', () => {
    it('a query page is paged by position and says the position it is consistent with', async () => {
      const tag = `k:${randomUUID()}`
      const appended = expectStatus(
        await req('POST', '/v1/append', { events: Array.from({ length: 5 }, (_, i) => ({ type: 'P', data: { i }, tags: [tag] })) }),
        201,
      )
      const positions = appended.events.map((e: any) => e.position)
      const p1 = expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }], limit: 2 }), 200)
      assert.deepEqual(p1.events.map((e: any) => e.position), positions.slice(0, 2))
      assert.equal(p1.next, positions[1] + 1)
      assert.ok(p1.position >= positions[4])
      const p3 = expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }], from: positions[4], limit: 2 }, 'cbor'), 200)
      assert.deepEqual(p3.events.map((e: any) => e.data), [{ i: 4 }])
      assert.equal(p3.next, null)
    })

    it('a conditional append is atomic with a stream expected revision', async () => {
      const tag = `k:${randomUUID()}`
      const stream = `acct-${randomUUID().slice(0, 8)}`
      const before = expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }] }), 200).position
      const bad = await req('POST', '/v1/append', {
        streams: [{ stream, expectedRevision: 4, events: [{ type: 'Opened' }] }],
        events: [{ type: 'Claimed', tags: [tag] }],
        condition: { failIfEventsMatch: [{ tags: [tag] }], after: before },
      })
      expectProblem(bad, 409, 'wrong-expected-revision')
      expectProblem(await req('GET', `/v1/streams/${stream}/head`), 404, 'stream-not-found')
      assert.equal(expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }] }), 200).events.length, 0)
      const ok = expectStatus(
        await req('POST', '/v1/append', {
          streams: [{ stream, expectedRevision: 'no_stream', events: [{ type: 'Opened', tags: [tag] }] }],
          events: [{ type: 'Claimed', tags: [tag] }],
          condition: { failIfEventsMatch: [{ tags: [tag] }], after: before },
        }),
        201,
      )
      assert.equal(ok.streams[0].stream, stream)
      assert.equal(ok.events[0].revision, null)
      assert.equal(ok.position, ok.events[0].position)
      const again = await req('POST', '/v1/append', {
        streams: [{ stream, expectedRevision: 0, events: [{ type: 'More' }] }],
        condition: { failIfEventsMatch: [{ tags: [tag] }], after: before },
      })
      const problem = expectProblem(again, 409, 'condition-failed')
      assert.deepEqual(problem.positions, [ok.streams[0].lastPosition, ok.events[0].position])
      assert.equal(expectStatus(await req('GET', `/v1/streams/${stream}/head`), 200).revision, 0)
    })

    it('a retry of a conditional append (same ids) answers the original result and writes nothing', async () => {
      for (const format of ['json', 'cbor'] as const) {
        const tag = `k:${randomUUID()}`
        // Its own events match its condition: the retry is recognised before the condition runs.
        const body = { events: [{ id: randomUUID(), type: 'Once', tags: [tag] }], condition: { failIfEventsMatch: [{ tags: [tag] }] } }
        const original = expectStatus(await req('POST', '/v1/append', body, format), 201)
        const retry = await req('POST', '/v1/append', body, format)
        assert.deepEqual(expectStatus(retry, 201), original)
        assert.equal(retry.headers.get('idempotent-replayed'), 'true')
        assert.equal(expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }] }), 200).events.length, 1)
        // A different event under a used id is still refused.
        const reused = await req('POST', '/v1/append', { ...body, events: [{ ...body.events[0], type: 'Other' }] }, format)
        expectProblem(reused, 409, 'event-id-reused')
      }
    })

    it('GET /v1/all?tags= keeps events that carry all the tags', async () => {
      const a = `a:${randomUUID()}`
      const b = `b:${randomUUID()}`
      const r = expectStatus(await req('POST', '/v1/append', { events: [{ type: 'X', tags: [a] }, { type: 'Y', tags: [a, b] }, { type: 'X', tags: [b, a] }] }), 201)
      const [, p2, p3] = r.events.map((e: any) => e.position)
      const page = expectStatus(await req('GET', `/v1/all?tags=${encodeURIComponent(`${a},${b}`)}`), 200)
      assert.deepEqual(page.events.map((e: any) => e.position), [p2, p3])
      const typed = expectStatus(await req('GET', `/v1/all?tags=${encodeURIComponent(a)}&types=X&from=${p2}`, undefined, 'cbor'), 200)
      assert.deepEqual(typed.events.map((e: any) => e.position), [p3])
    })

    it('a read-only token may query but not append', async () => {
      const ro = { headers: { authorization: 'Bearer ro-token' } }
      expectStatus(await req('POST', '/v1/query', { items: [{ types: ['X'] }] }, 'json', ro), 200)
      expectProblem(await req('POST', '/v1/append', { events: [{ type: 'X' }] }, 'json', ro), 403, 'forbidden')
    })

    it('the OpenAPI document describes the query and the condition', async () => {
      const doc = expectStatus(await req('GET', '/openapi.json'), 200)
      assert.ok(doc.paths['/v1/query']?.post)
      assert.ok(doc.components.schemas.AppendCondition)
      assert.ok(doc.components.schemas.QueryItem)
    })
  })

  describe('bad queries are problem+json 400s', () => {
    const item = { types: ['A'] }
    const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i))
    const bad: Array<[string, unknown]> = [
      ['empty item', { items: [{}] }],
      ['item with empty lists', { items: [{ types: [], tags: [] }] }],
      ['no items', { items: [] }],
      ['items missing', { from: 0 }],
      ['items not an array', { items: { types: ['A'] } }],
      ['too many items', { items: many(33, (i) => ({ types: [`T${i}`] })) }],
      ['too many types in an item', { items: [{ types: many(33, (i) => `T${i}`) }] }],
      ['too many tags in an item', { items: [{ tags: many(33, (i) => `t:${i}`) }] }],
      ['unknown field in the body', { items: [item], direction: 'backward' }],
      ['unknown field in an item', { items: [{ ...item, eventTypes: ['A'] }] }],
      ['empty tag', { items: [{ tags: [''] }] }],
      ['type not a string', { items: [{ types: [7] }] }],
      ['negative from', { items: [item], from: -1 }],
      ['from not a number', { items: [item], from: '5' }],
      ['limit 0', { items: [item], limit: 0 }],
      ['limit over the page size', { items: [item], limit: MAX_PAGE_SIZE + 1 }],
    ]
    for (const format of ['json', 'cbor'] as const) {
      for (const [name, body] of bad) {
        it(`${name} (${format})`, async () => {
          const problem = expectProblem(await req('POST', '/v1/query', body, format), 400, 'invalid-request')
          assert.ok(Array.isArray(problem.errors) && problem.errors.length > 0, JSON.stringify(problem))
        })
      }
    }

    it('an empty query item in a condition, an unknown condition field, a bad after: 400 and nothing written', async () => {
      const tag = `k:${randomUUID()}`
      const events = [{ type: 'Never', tags: [tag] }]
      for (const condition of [
        { failIfEventsMatch: [{}] },
        { failIfEventsMatch: [] },
        { failIfEventsMatch: [item], after: -1 },
        { failIfEventsMatch: [item], before: 3 },
        { query: [item] },
      ]) {
        expectProblem(await req('POST', '/v1/append', { events, condition }), 400, 'invalid-request')
      }
      expectProblem(await req('POST', '/v1/append', { events: [], condition: { failIfEventsMatch: [item] } }), 400, 'invalid-request')
      expectProblem(await req('POST', '/v1/append', {}), 400, 'invalid-request')
      assert.equal(expectStatus(await req('POST', '/v1/query', { items: [{ tags: [tag] }] }), 200).events.length, 0)
    })

    it('a malformed query body is a 400 malformed-body', async () => {
      const reply = await call(server.baseUrl, 'POST', '/v1/query', { body: '{"items": [', headers: { 'content-type': 'application/json', authorization: 'Bearer rw-token' } })
      expectProblem(reply, 400, 'malformed-body')
    })
  })
})

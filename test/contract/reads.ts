// Reads: streams forward and backward, head, the global log, categories and consumer groups.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { UUID, type ContractClient } from './client.ts'
import { expectProblem, expectStatus, newEvent, uniqueStream } from './http.ts'
import { MAX_BODY_BYTES, MAX_EVENT_BYTES, MAX_PAGE_BYTES, MAX_PAGE_SIZE } from './limits.ts'

export function readTests(client: ContractClient): void {
  const { get, streamPath, appendOk, head, readFeed } = client

  describe('stream reads', () => {
    const fiveEvents = async () => {
      const stream = uniqueStream('read')
      const result = await appendOk(stream, [0, 1, 2, 3, 4].map((n) => newEvent(`E${n}`, { n })))
      return { stream, result }
    }

    it('reads forward in pages with from, limit and next', async () => {
      const { stream } = await fiveEvents()
      const revisions = (page: any) => page.events.map((e: any) => e.revision)

      const first = expectStatus(await get(`${streamPath(stream)}?limit=2`), 200)
      assert.deepEqual(revisions(first), [0, 1])
      assert.equal(first.next, 2)
      const second = expectStatus(await get(`${streamPath(stream)}?from=2&limit=2&direction=forward`), 200)
      assert.deepEqual(revisions(second), [2, 3])
      assert.equal(second.next, 4)
      const last = expectStatus(await get(`${streamPath(stream)}?from=4&limit=2`), 200)
      assert.deepEqual(revisions(last), [4])
      assert.equal(last.next, null)
      assert.deepEqual(last.events[0].data, { n: 4 })

      const all = expectStatus(await get(streamPath(stream)), 200)
      assert.deepEqual(revisions(all), [0, 1, 2, 3, 4])
      assert.equal(all.next, null)
    })

    it('reads backward from the end by default, and from a revision', async () => {
      const { stream } = await fiveEvents()
      const revisions = (page: any) => page.events.map((e: any) => e.revision)

      const first = expectStatus(await get(`${streamPath(stream)}?direction=backward&limit=2`), 200)
      assert.deepEqual(revisions(first), [4, 3])
      assert.equal(first.next, 2)
      const second = expectStatus(await get(`${streamPath(stream)}?direction=backward&from=${first.next}&limit=2`), 200)
      assert.deepEqual(revisions(second), [2, 1])
      assert.equal(second.next, 0)
      const last = expectStatus(await get(`${streamPath(stream)}?direction=backward&from=0&limit=2`), 200)
      assert.deepEqual(revisions(last), [0])
      assert.equal(last.next, null)
    })

    it('following next visits every event exactly once, both ways', async () => {
      const { stream } = await fiveEvents()
      for (const [direction, expected] of [
        ['forward', [0, 1, 2, 3, 4]],
        ['backward', [4, 3, 2, 1, 0]],
      ] as const) {
        const seen: number[] = []
        let query = `direction=${direction}&limit=2`
        for (let guard = 0; ; guard++) {
          assert.ok(guard < 10, 'paging does not end')
          const page = expectStatus(await get(`${streamPath(stream)}?${query}`), 200)
          seen.push(...page.events.map((e: any) => e.revision))
          if (page.next === null) break
          query = `direction=${direction}&limit=2&from=${page.next}`
        }
        assert.deepEqual(seen, expected, direction)
      }
    })

    it('carries the current revision as ETag', async () => {
      const { stream } = await fiveEvents()
      const reply = await get(`${streamPath(stream)}?limit=1`)
      expectStatus(reply, 200)
      assert.equal(reply.headers.get('etag'), '"4"')
    })

    it('head answers stream, revision and position', async () => {
      const { stream, result } = await fiveEvents()
      const reply = await head(stream)
      assert.deepEqual(expectStatus(reply, 200), { stream, revision: 4, position: result.lastPosition })
    })

    it('reading or heading an unknown stream is a 404 stream-not-found', async () => {
      const stream = uniqueStream('missing')
      expectProblem(await get(streamPath(stream)), 404, 'stream-not-found')
      expectProblem(await head(stream), 404, 'stream-not-found')
    })

    it('an unknown route is a 404 not-found problem', async () => {
      expectProblem(await get('/v1/nothing-here'), 404, 'not-found')
    })
  })

  describe('global log (GET /v1/all)', () => {
    it('pages through the log with from and next, in position order', async () => {
      const s1 = uniqueStream('all1')
      const s2 = uniqueStream('all2')
      const t = randomUUID().slice(0, 8)
      const r1 = await appendOk(s1, [newEvent(`A${t}`), newEvent(`B${t}`)])
      await appendOk(s2, [newEvent(`C${t}`), newEvent(`A${t}`)])
      const r3 = await appendOk(s1, [newEvent(`B${t}`)])

      const events = await readFeed('/v1/all', r1.firstPosition, 2)
      const positions = events.map((e) => e.position)
      for (let i = 1; i < positions.length; i++) assert.ok(positions[i - 1] < positions[i], `not increasing: ${positions}`)
      assert.equal(positions[0], r1.firstPosition, 'from is inclusive')
      const ours = events.filter((e) => e.stream === s1 || e.stream === s2)
      assert.deepEqual(
        ours.map((e) => `${e.stream === s1 ? 's1' : 's2'}:${e.revision}:${e.type}`),
        [`s1:0:A${t}`, `s1:1:B${t}`, `s2:0:C${t}`, `s2:1:A${t}`, `s1:2:B${t}`],
      )
      assert.equal(ours[4].position, r3.lastPosition)
      for (const e of ours) {
        assert.match(e.id, UUID)
        assert.equal(e.metadata, null)
        assert.deepEqual(e.tags, [])
      }
    })

    it('from defaults to the start, and an empty page answers next = from', async () => {
      await appendOk(uniqueStream('start'), [newEvent()])
      const implicit = expectStatus(await get('/v1/all?limit=3'), 200)
      const explicit = expectStatus(await get('/v1/all?from=0&limit=3'), 200)
      assert.deepEqual(implicit, explicit)
      assert.ok(implicit.events.length > 0)
      assert.ok(implicit.events[0].position >= 1, 'positions are 1-based')

      const far = 1_000_000_000
      assert.deepEqual(expectStatus(await get(`/v1/all?from=${far}`), 200), { events: [], next: far })
    })

    it('filters by types', async () => {
      const t = randomUUID().slice(0, 8)
      const s = uniqueStream('types')
      const r = await appendOk(s, [newEvent(`A${t}`), newEvent(`B${t}`), newEvent(`C${t}`), newEvent(`A${t}`)])
      const page = expectStatus(await get(`/v1/all?from=${r.firstPosition}&types=A${t},C${t}&limit=${MAX_PAGE_SIZE}`), 200)
      assert.ok(page.events.every((e: any) => e.type === `A${t}` || e.type === `C${t}`), JSON.stringify(page.events))
      assert.deepEqual(
        page.events.map((e: any) => e.revision),
        [0, 2, 3],
      )
    })

    it('accepts limit = MAX_PAGE_SIZE', async () => {
      const page = expectStatus(await get(`/v1/all?limit=${MAX_PAGE_SIZE}`), 200)
      assert.ok(page.events.length <= MAX_PAGE_SIZE)
    })
  })

  describe('categories (GET /v1/categories/:category)', () => {
    /** A fresh category with 13 streams (incl. the bare category name) of 2 interleaved events each. */
    const seedCategory = async () => {
      const category = `t${randomUUID().slice(0, 8)}`
      const streams = [category, ...Array.from({ length: 12 }, (_, i) => `${category}-${i}`)]
      for (let round = 0; round < 2; round++) {
        for (const stream of streams) await appendOk(stream, [newEvent(`R${round}`)])
      }
      // Same prefix, other categories: must not show up.
      await appendOk(`${category}x-1`, [newEvent()])
      await appendOk(`${category}_y`, [newEvent()])
      return { category, streams }
    }

    it('reads every event of the category and nothing else, in position order', async () => {
      const { category, streams } = await seedCategory()
      const events = await readFeed(`/v1/categories/${category}`, 0, 5)
      assert.equal(events.length, 26)
      assert.deepEqual(new Set(events.map((e) => e.stream)), new Set(streams))
      for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].position < events[i].position)
      assert.deepEqual(
        events.slice(0, 13).map((e) => e.type),
        Array(13).fill('R0'),
      )
    })

    it('matches the category name literally (no LIKE wildcards)', async () => {
      const c = randomUUID().slice(0, 8)
      await appendOk(`t${c}_a-1`, [newEvent()])
      await appendOk(`t${c}Xa-1`, [newEvent()]) // `_` would match X as a LIKE pattern
      const page = expectStatus(await get(`/v1/categories/t${c}_a?limit=${MAX_PAGE_SIZE}`), 200)
      assert.deepEqual(page.events.map((e: any) => e.stream), [`t${c}_a-1`])
    })

    it('consumer group members together see each event exactly once, a stream per member', async () => {
      const { category } = await seedCategory()
      const all = await readFeed(`/v1/categories/${category}`, 0, MAX_PAGE_SIZE)
      const size = 3
      const memberOfEvent = new Map<string, number>()
      const memberOfStream = new Map<string, number>()
      for (let member = 0; member < size; member++) {
        const events = await readFeed(`/v1/categories/${category}?member=${member}&size=${size}`, 0, 4)
        for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].position < events[i].position)
        for (const e of events) {
          assert.ok(!memberOfEvent.has(e.id), `event ${e.id} seen by members ${memberOfEvent.get(e.id)} and ${member}`)
          memberOfEvent.set(e.id, member)
          const owner = memberOfStream.get(e.stream) ?? member
          assert.equal(owner, member, `stream ${e.stream} split across members ${owner} and ${member}`)
          memberOfStream.set(e.stream, member)
        }
      }
      assert.deepEqual(new Set(memberOfEvent.keys()), new Set(all.map((e) => e.id)))
      // Same split on a second read: the hash is stable.
      const again = await readFeed(`/v1/categories/${category}?member=1&size=${size}`, 0, MAX_PAGE_SIZE)
      assert.deepEqual(
        again.map((e) => e.id),
        all.filter((e) => memberOfEvent.get(e.id) === 1).map((e) => e.id),
      )
      const single = await readFeed(`/v1/categories/${category}?member=0&size=1`, 0, MAX_PAGE_SIZE)
      assert.equal(single.length, all.length)
    })

    it('member >= size, or member without size, is a 400', async () => {
      expectProblem(await get('/v1/categories/account?member=3&size=3'), 400, 'invalid-request')
      expectProblem(await get('/v1/categories/account?member=1'), 400, 'invalid-request')
    })
  })

  describe('byte budget (MAX_PAGE_BYTES)', () => {
    /** 40 events of ~7 KB (under MAX_EVENT_BYTES) in one fresh stream, tagged; their positions. */
    const seedLarge = async () => {
      const t = randomUUID().slice(0, 8)
      const stream = `big${t}-1`
      const tag = `big:${t}`
      const payload = 'x'.repeat(MAX_EVENT_BYTES - 1200)
      const perRequest = Math.floor(MAX_BODY_BYTES / (payload.length + 200))
      const positions: number[] = []
      for (let n = 0; n < 40; ) {
        const k = Math.min(perRequest, 40 - n)
        const events = Array.from({ length: k }, (_, i) => ({ ...newEvent('Big', { n: n + i, payload }), tags: [tag] }))
        positions.push(...(await appendOk(stream, events)).events.map((e: any) => e.position))
        n += k
      }
      return { stream, category: `big${t}`, tag, positions }
    }
    const accepts = [
      ['JSON', 'application/json'],
      ['CBOR', 'application/cbor'],
    ] as const

    /** Follows `next` from `first`; every page must be within the budget and hold at least one event. */
    const walk = async (request: (from: number | null) => Promise<any>, first: number | null, stop: (page: any) => boolean) => {
      const seen: any[] = []
      let from = first
      for (let guard = 0; ; guard++) {
        assert.ok(guard < 100, 'paging does not end')
        const reply = await request(from)
        const page = expectStatus(reply, 200)
        assert.ok(reply.size <= MAX_PAGE_BYTES, `a page of ${reply.size} bytes is over MAX_PAGE_BYTES (${MAX_PAGE_BYTES})`)
        seen.push(...page.events)
        if (stop(page)) return seen
        assert.ok(page.events.length > 0, 'a page that continues holds at least one event')
        from = page.next
      }
    }

    for (const [name, accept] of accepts) {
      it(`${name}: stream, log and category pages of large events are cut by bytes, and next walks all of them once`, async () => {
        const { stream, category, positions } = await seedLarge()
        const revisions = positions.map((_, i) => i)
        const fwd = await walk((from) => get(`${streamPath(stream)}?limit=${MAX_PAGE_SIZE}&from=${from}`, { accept }), 0, (p) => p.next === null)
        assert.deepEqual(fwd.map((e) => e.revision), revisions)
        assert.equal(fwd[39].data.n, 39)
        assert.ok(fwd.every((e) => e.data.payload === 'x'.repeat(MAX_EVENT_BYTES - 1200)), 'every payload reads back as sent')
        const back = await walk(
          (from) => get(`${streamPath(stream)}?direction=backward&limit=${MAX_PAGE_SIZE}${from === null ? '' : `&from=${from}`}`, { accept }),
          null,
          (p) => p.next === null,
        )
        assert.deepEqual(back.map((e) => e.revision), [...revisions].reverse())
        const all = await walk((from) => get(`/v1/all?from=${from}&limit=${MAX_PAGE_SIZE}`, { accept }), positions[0], (p) => p.next > positions[39])
        assert.deepEqual(all.filter((e) => e.stream === stream).map((e) => e.position), positions)
        const cat = await walk((from) => get(`/v1/categories/${category}?from=${from}&limit=${MAX_PAGE_SIZE}`, { accept }), 0, (p) => p.events.length === 0)
        assert.deepEqual(cat.map((e) => e.position), positions)
        // The same walk, long-polling: a page that is there at once is cut the same way.
        const polled = expectStatus(await get(`/v1/all?from=${positions[0]}&limit=${MAX_PAGE_SIZE}&wait=5s`, { accept }), 200)
        assert.ok(polled.events.length > 0 && polled.events.length < 40, `${polled.events.length} events in a long-poll page`)
      })

      it(`${name}: a query page of large events is cut by bytes, next continues until null, nothing skipped or repeated`, async () => {
        const { tag, positions } = await seedLarge()
        const query = (from: number | null) => client.req('POST', '/v1/query', { json: { items: [{ tags: [tag] }], from, limit: MAX_PAGE_SIZE }, accept })
        const pages: number[] = []
        const seen = await walk(
          async (from) => {
            const reply = await query(from)
            pages.push(reply.body?.events?.length)
            return reply
          },
          0,
          (p) => p.next === null,
        )
        assert.deepEqual(seen.map((e) => e.position), positions)
        assert.ok(pages.length > 2, `pages: ${pages}`)
      })
    }
  })
}

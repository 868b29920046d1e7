// Pages read as one row (rows.ts packedPage, the local driver's form) against the same
// pages read row by row: the same events, bytes for bytes, in the same order, cut at the
// same byte budget, for every kind of read, over random logs (fast-check).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { openSqliteDb } from '../src/store/sqlite.ts'
import { createReader } from '../src/store/reads.ts'
import type { EventList, QueryItem } from '../src/core/types.ts'
import { openTestLog } from './helpers.ts'

const STREAMS = ['acct-1', 'acct-2', 'order-7', 'x']
const TYPES = ['Deposited', 'Dépôt,"x"\\𝄞', 'a,b,c', 'line\u2028sep']
const TAGS = ['t1', 'tag,"2"', 'ünï-𝄞']

const payload = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 2 }),
  fc.uint8Array({ maxLength: 300 }), // CBOR byte strings: NULs and every other byte
  fc.uint8Array({ minLength: 0, maxLength: 0 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
)
const event = fc.record({
  type: fc.constantFrom(...TYPES),
  data: payload,
  metadata: fc.oneof(fc.constant(undefined), fc.constant(undefined), payload),
  tags: fc.oneof(fc.constant(undefined), fc.subarray(TAGS)),
})
const append = fc.record({ stream: fc.option(fc.constantFrom(...STREAMS), { nil: null }), events: fc.array(event, { minLength: 1, maxLength: 6 }) })
const read = fc.record({
  from: fc.integer({ min: 0, max: 40 }),
  limit: fc.integer({ min: 2, max: 30 }),
  maxBytes: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
  stream: fc.constantFrom(...STREAMS),
  backward: fc.boolean(),
  items: fc.array(fc.record({ types: fc.option(fc.subarray(TYPES), { nil: undefined }), tags: fc.option(fc.subarray(TAGS, { maxLength: 2 }), { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
  member: fc.integer({ min: 0, max: 2 }),
})

test('pages read as one row equal the pages read row by row, on random logs and reads', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(append, { minLength: 1, maxLength: 12 }), fc.array(read, { minLength: 1, maxLength: 8 }), async (appends, reads) => {
      const t = await openTestLog()
      const packedDb = openSqliteDb(t.path, { durability: 'full' })
      const rowsDb = openSqliteDb(t.path, { durability: 'full' })
      try {
        assert.equal(packedDb.packsPages, true)
        const packed = createReader(packedDb)
        const rows = createReader({ ...rowsDb, packsPages: false })
        for (const a of appends) {
          if (a.stream) await t.log.appendToStream(a.stream, 'any', a.events)
          else await t.log.append({ streams: [], events: a.events })
        }
        const same = async (what: string, f: (r: typeof packed) => Promise<EventList>) => {
          const [p, r] = [await f(packed), await f(rows)]
          assert.deepStrictEqual(p, r, what)
          assert.equal(p.cut, r.cut, `${what}: cut`)
        }
        for (const q of reads) {
          const { from, limit, maxBytes } = q
          await same(`all ${JSON.stringify(q)}`, (r) => r.readAll({ from, limit, maxBytes }))
          await same('all by type', (r) => r.readAll({ from, limit, maxBytes, types: q.items[0].types }))
          await same('all by tag', (r) => r.readAll({ from, limit, maxBytes, tags: q.items[0].tags }))
          await same('stream', (r) => r.readStream(q.stream, { from: q.backward ? undefined : from, limit, maxBytes, direction: q.backward ? 'backward' : 'forward' }))
          await same('stream from', (r) => r.readStream(q.stream, { from, limit, maxBytes, direction: q.backward ? 'backward' : 'forward' }))
          await same('category', (r) => r.readCategory(q.stream.split('-')[0], { from, limit, maxBytes }))
          await same('category member', (r) => r.readCategory(q.stream.split('-')[0], { from, limit, maxBytes, member: q.member, size: 3 }))
          const items: QueryItem[] = q.items
          const [pq, rq] = [await packed.query(items, { from, limit, maxBytes }), await rows.query(items, { from, limit, maxBytes })]
          assert.deepStrictEqual(pq, rq, 'query')
        }
        // and what was read is what was appended: every event of the log, its bytes as stored
        const all = await packed.readAll({ from: 0, limit: 1000 })
        assert.equal(all.length, appends.reduce((n, a) => n + a.events.length, 0))
        const sent = appends.flatMap((a) => a.events)
        // the store API's values as its codec stores them (docs/api.md: -0 is the integer 0)
        const stored = (v: unknown) => (v === undefined ? undefined : t.log.codec.decode(new Uint8Array(t.log.codec.encode(v))))
        all.forEach((e, i) => {
          assert.deepStrictEqual(e.data === null ? undefined : t.log.codec.decode(e.data), stored(sent[i].data))
          assert.deepStrictEqual(e.metadata === null ? undefined : t.log.codec.decode(e.metadata), stored(sent[i].metadata ?? undefined)) // null metadata is none
          assert.deepStrictEqual(new Set(e.tags), new Set(sent[i].tags ?? []))
          assert.equal(e.type, sent[i].type)
        })
      } finally {
        packedDb.close()
        rowsDb.close()
        await t.close()
      }
    }),
    { numRuns: 40 },
  )
})

// The bytes of a rendered page are a wire contract: clients we did not write (cbor2,
// EventSource, browsers) read them, so a faster renderer must write exactly what the
// previous one wrote. A fixed corpus of pages (fast-check with a fixed seed: event ids,
// streams and types with non-ASCII and astral text, integers at every CBOR head width,
// positions past 2^32, payloads of every kind and size, erased events) is rendered as CBOR
// (encodeEventPage) and as JSON (jsonPage, eagerly and streamed), and each output's
// SHA-256 is compared with the digest of the renderers before the hot-path work (issue 12).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { StoredEvent } from '../src/core/types.ts'
import { encodeEventPage } from '../src/http/render/cborPage.ts'
import { eventJson, eventJsonParts } from '../src/http/render/events.ts'
import { jsonPage } from '../src/http/render/jsonPage.ts'
import { codec } from '../src/store/codec.ts'

const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }),
  fc.constantFrom('Deposited', 'account-17', 'x'.repeat(300), 'é'.repeat(40)),
)
const integer = fc.oneof(
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: 2 ** 31 }),
)
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' }),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
  fc.uint8Array({ maxLength: 24 }),
  fc.double(),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.double(), fc.bigInt()), { maxKeys: 4 }),
  // long texts: the streamed JSON path copies printable ASCII as stored bytes
  fc.constantFrom('v'.repeat(5000), `${'w'.repeat(4200)}"\\`, { note: 'n'.repeat(4500), n: 1 }),
)
const payload = fc.option(value.map((v) => codec.encode(v)), { nil: null, freq: 4 })

const storedEvent: fc.Arbitrary<StoredEvent> = fc
  .record({
    id: fc.uuid(),
    stream: fc.option(text, { nil: null, freq: 5 }),
    type: text,
    revision: fc.option(integer, { nil: null, freq: 5 }),
    position: integer,
    time: fc.integer({ min: 0, max: 2 ** 42 }),
    data: payload,
    metadata: payload,
    tags: fc.array(text, { maxLength: 3 }),
    erased: fc.option(fc.constant(true as const), { nil: undefined, freq: 4 }),
  })
  .map(({ erased, ...e }) => (erased ? { ...e, erased } : e))

const page = fc.record({
  fields: fc.oneof(
    fc.record({ next: fc.option(integer, { nil: null }) }),
    fc.record({ stream: text, next: fc.option(integer, { nil: null }) }),
    fc.constant({}),
  ),
  // runs of one commit time, as pages have them
  events: fc.array(storedEvent, { maxLength: 12 }).map((es) => es.map((e, i) => (i % 3 ? { ...e, time: es[i - (i % 3)].time } : e))),
})

const corpus = fc.sample(page, { seed: 12, numRuns: 300 })

const digest = (chunks: Array<string | Uint8Array>) => {
  const h = createHash('sha256')
  for (const c of chunks) h.update(c).update('\u0001')
  return h.digest('hex')
}

const readAll = async (body: string | ReadableStream<Uint8Array>) => {
  if (typeof body === 'string') return body
  return Buffer.from(await new Response(body).arrayBuffer()).toString('utf8')
}

describe('rendered pages keep their bytes', () => {
  it('CBOR pages (encodeEventPage)', () => {
    const out = corpus.map(({ fields, events }) => encodeEventPage(fields, events, codec))
    assert.equal(digest(out), '45e23f44ffa8008e490bd03765dc01ecd74c1a3162f9502b4aaec3b19517e7ca')
  })

  it('JSON events (eventJson) and pages (jsonPage), rendered at once and streamed', async () => {
    const out: string[] = []
    for (const { fields, events } of corpus) {
      for (const e of events) out.push(eventJson(e, codec), Buffer.concat(eventJsonParts(e, codec, ',')).toString('utf8'))
      const render = (e: StoredEvent) => eventJson(e, codec)
      // 4 MiB: one string; 3 KiB: a stream cut by bytes, with `next` from the events shown
      for (const maxBytes of [4 << 20, 3 << 10]) {
        const fieldsOf = (shown: StoredEvent[]) => ({ ...fields, shown: shown.length })
        out.push(await readAll(jsonPage(events, render, fieldsOf, maxBytes, (e, prefix) => eventJsonParts(e, codec, prefix))))
      }
    }
    assert.equal(digest(out), 'a3eafca965153ca2625f0db04c52c693c5807473f7314e1bae2fd0d5468e015a')
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Decoder } from 'cbor-x'
import type { StoredEvent } from '../src/core/types.ts'
import { encodeEventPage } from '../src/http/render/cborPage.ts'
import { renderEvent } from '../src/http/render/events.ts'
import { codec } from '../src/store/codec.ts'

// An independent decoder (the package's main build), not the codec that wrote the payloads.
const decoder = new Decoder({ mapsAsObjects: true })

/** Byte strings as plain arrays: decoders differ on Buffer vs Uint8Array for the same bytes. */
const plain = (v: unknown): unknown =>
  v instanceof Uint8Array ? Array.from(v) : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v

const event = (over: Partial<StoredEvent>): StoredEvent => ({
  id: '01a2121e-2ab0-76e9-86f9-27bba8c71a3f',
  stream: 'account-17',
  type: 'Deposited',
  revision: 3,
  position: 42,
  time: Date.UTC(2026, 10, 25, 10, 0, 0, 123),
  data: codec.encode({ amount: 100 }),
  metadata: null,
  tags: [],
  ...over,
})

const cases: Array<[string, StoredEvent[]]> = [
  ['an empty page', []],
  ['plain events', [event({}), event({ revision: 4, position: 43, metadata: codec.encode({ by: 'ann' }), tags: ['account:17', 'eur'] })]],
  ['stream-less DCB event with null payloads', [event({ stream: null, revision: null, data: null, tags: ['course:c1'] })]],
  ['non-ASCII strings everywhere', [event({ stream: 'konto-ä', type: 'Überweisung✓', tags: ['名前:太郎'], data: codec.encode({ note: 'café 🚀' }) })]],
  ['integers at every head width', [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER].map((n) => event({ position: n, revision: n }))],
  ['long strings (1-, 2- and 4-byte lengths)', [event({ type: 'T'.repeat(200), tags: ['x'.repeat(300)], data: codec.encode('y'.repeat(70_000)) })]],
  ['nested, float, negative and binary payloads', [event({ data: codec.encode({ a: [1, -2.5, { b: null, c: true }], d: -70000, e: new Uint8Array([0, 255]) }) })]],
  ['a page of 1,000 events', Array.from({ length: 1000 }, (_, i) => event({ position: i + 1, revision: i }))],
  // the buffer is sized for ASCII text: this much other text grows it while writing
  ['non-ASCII text past the size estimate (grows the buffer)', Array.from({ length: 50 }, (_, i) => event({ position: i + 1, type: 'ü'.repeat(200), tags: ['名'.repeat(100)] }))],
]

describe('CBOR event pages copy stored payloads', () => {
  for (const [name, events] of cases) {
    it(`decode like the decode-and-re-encode path: ${name}`, () => {
      const fields = { stream: 'account-17', next: events.length ? 7 : null, position: 2 ** 40 }
      const direct = decoder.decode(encodeEventPage(fields, events, codec))
      const viaValues = decoder.decode(codec.encode({ ...fields, events: events.map((e) => renderEvent(e, codec)) }))
      assert.deepEqual(plain(direct), plain(viaValues))
    })
  }

  it('carries the stored payload bytes verbatim', () => {
    const data = codec.encode({ amount: 100, note: 'exact bytes' })
    const page = encodeEventPage({}, [event({ data })], codec)
    const at = Buffer.from(page).indexOf(Buffer.from(data))
    assert.ok(at > 0, 'the stored bytes appear unchanged in the page')
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse, validate, version } from 'uuid'
import { uuidToBytes, uuidToString, uuidv7Bytes } from '../src/core/uuid.ts'
import { uuidOfHex } from '../src/store/rows.ts'

describe('UUIDv7', () => {
  it('is a valid RFC 9562 version 7 UUID carrying the millisecond time', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0, 123)
    const id = uuidToString(uuidv7Bytes(now))
    assert.ok(validate(id), id)
    assert.equal(version(id), 7)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), now)
  })

  it('round-trips between bytes and the canonical string, like the uuid package', () => {
    for (let i = 0; i < 1000; i++) {
      const bytes = uuidv7Bytes()
      const id = uuidToString(bytes)
      assert.deepEqual(uuidToBytes(id), bytes)
      assert.deepEqual(Uint8Array.from(parse(id)), bytes)
    }
    const v4 = crypto.randomUUID()
    assert.equal(uuidToString(uuidToBytes(v4)), v4)
  })

  it('reads back from SQLite hex() (uppercase digits, as reads select ids) in the canonical form', () => {
    for (let i = 0; i < 1000; i++) {
      const bytes = i % 2 ? uuidv7Bytes() : uuidToBytes(crypto.randomUUID())
      assert.equal(uuidOfHex(Buffer.from(bytes).toString('hex').toUpperCase()), uuidToString(bytes))
    }
  })

  it('orders ids by time and does not repeat', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => uuidToString(uuidv7Bytes(1_700_000_000_000 + Math.floor(i / 100))))
    assert.equal(new Set(ids).size, ids.length)
    for (let i = 100; i < ids.length; i += 100) assert.ok(ids[i] > ids[i - 1])
  })

  it('orders ids made within one millisecond (a counter, RFC 9562 §6.2), also past the counter\'s overflow', () => {
    const ms = 1_800_000_000_000
    const ids = Array.from({ length: 10_000 }, () => uuidToString(uuidv7Bytes(ms)))
    assert.equal(new Set(ids).size, ids.length)
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `${ids[i - 1]} then ${ids[i]}`)
    for (const id of ids) assert.ok(validate(id) && version(id) === 7, id)
    // 10,000 ids need at least three 4,096-value counters: the time moved on, by little
    const last = parseInt(ids.at(-1)!.replace(/-/g, '').slice(0, 12), 16)
    assert.ok(last > ms && last < ms + 10, String(last - ms))
  })

  it('never goes backwards when the clock steps back a little; starts over from an old time far back', () => {
    const a = uuidToString(uuidv7Bytes(1_900_000_000_005))
    const b = uuidToString(uuidv7Bytes(1_900_000_000_001))
    assert.ok(b > a, `${a} then ${b}`)
    const old = uuidToString(uuidv7Bytes(1_000_000_000_000))
    assert.equal(parseInt(old.replace(/-/g, '').slice(0, 12), 16), 1_000_000_000_000)
  })
})

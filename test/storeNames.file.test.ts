// The store API (EventLog) takes types and tags as the HTTP schema does: 1-200 characters of
// valid Unicode without control characters. A NUL in a type was stored whole and read back
// cut short ("ctl" for "ctl\u0000x") by the local driver's text conversion.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { openTestLog } from './helpers.ts'

test('the store API refuses types and tags a reader could not read back, and writes nothing', async () => {
  const t = await openTestLog()
  try {
    const refused: Array<[string, Parameters<typeof t.log.appendToStream>[2], string]> = [
      ['a NUL in a type', [{ type: 'ctl\u0000x' }], 'events.0.type'],
      ['a control character in a type', [{ type: 'Deposited' }, { type: 'bell\u0007' }], 'events.1.type'],
      ['an empty type', [{ type: '' }], 'events.0.type'],
      ['a type of 201 characters', [{ type: 'x'.repeat(201) }], 'events.0.type'],
      ['a lone surrogate in a type', [{ type: 'half\ud800' }], 'events.0.type'],
      ['a control character in a tag', [{ type: 'Deposited', tags: ['ok', 'bad\u001f'] }], 'events.0.tags.1'],
    ]
    for (const [what, events, path] of refused) {
      await assert.rejects(async () => t.log.appendToStream('acct-1', 'any', events), (e: { status?: number; extensions?: { errors?: Array<{ path: string }> } }) => {
        assert.equal(e.status, 400, what)
        assert.equal(e.extensions?.errors?.[0]?.path, path, what)
        return true
      })
    }
    await assert.rejects(async () => t.log.append({ streams: [], events: [{ type: 'x', tags: ['\u0000'] }] }), { status: 400 })
    // bad input is a rejected promise, as every other failure is, not a throw at the call
    // (a caller chaining .catch() would otherwise miss it)
    const pending = [t.log.appendToStream('acct-1', 'any', [{ type: '' }]), t.log.append({ streams: [{ stream: 'acct-1', events: [{ type: '' }] }] })]
    for (const p of pending) await assert.rejects(p, { status: 400 })
    assert.equal(await t.store.reader.lastPosition(), 0)
    // what the HTTP schema takes, the store API takes, and reads back as sent (the last event's one-row read too)
    const type = 'Dépôt\u2028"𝄞"'.padEnd(200, 'é')
    await t.log.appendToStream('acct-1', 'any', [{ type, tags: ['ünï', 'x'.repeat(200)] }, { type }])
    const [last] = await t.store.reader.readStream('acct-1', { limit: 1, direction: 'backward' })
    assert.equal(last.type, type)
    const all = await t.store.reader.readAll({ from: 0, limit: 10, maxBytes: 1 << 20 })
    assert.deepEqual(all.map((e) => e.type), [type, type])
    assert.deepEqual(new Set(all[0].tags), new Set(['ünï', 'x'.repeat(200)]))
  } finally {
    await t.close()
  }
})

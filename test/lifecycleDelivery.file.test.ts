// Removed or erased events are never delivered after the removal commits, even when a slow
// subscriber already holds them in memory (its live inbox, filled by the shared tail): a
// delete, a truncation, a retention step or an erasure committed while events are
// buffered, then the subscriber reads on, in randomized rounds. Event-driven: the test
// waits for the tail to have fanned the events out (a condition), never on a timer.
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import type { EventLog } from '../src/core/eventLog.ts'
import type { StoredEvent } from '../src/core/types.ts'
import { createApp } from '../src/http/app.ts'
import { openTestLog } from './helpers.ts'

const json = (method: string, body?: unknown) => ({
  method,
  headers: (body === undefined ? {} : { 'content-type': 'application/json' }) as Record<string, string>,
  body: body === undefined ? undefined : JSON.stringify(body),
})

describe('nothing removed or erased is delivered after the removal commits (buffered in a slow subscription)', () => {
  let t: Awaited<ReturnType<typeof openTestLog>>
  let log: EventLog
  let app: ReturnType<typeof createApp>

  before(async () => {
    t = await openTestLog({ durability: 'normal' }, { ENCRYPTION_KEY: randomBytes(32).toString('base64'), RETENTION_BATCH: '3' })
    log = t.log
    app = createApp(t.deps)
  })
  after(() => t?.close())

  const ok = async (path: string, method = 'GET', body?: unknown, status = 200) => {
    const r = await app.request(path, json(method, body))
    const text = await r.text()
    assert.equal(r.status, status, `${method} ${path}: ${text}`)
    return text ? JSON.parse(text) : undefined
  }
  /** Resolves once the shared tail has offered everything up to `position` to the live subscriber. */
  const fannedOut = async (position: number) => {
    for (;;) {
      const s = log.subscriptions.stats()
      if (s.live === 1 && s.head >= position && s.maxLag === 0) return
      await new Promise((r) => setImmediate(r))
    }
  }

  it('delete, hard delete, truncate, retention and erasure while events are buffered: none of them is handed out afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('soft', 'hard', 'truncate', 'retention', 'erase'),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 4 }),
        async (kind, gone, kept) => {
          const cat = `dl${randomUUID().slice(0, 8)}`
          const subject = `s${randomUUID().slice(0, 8)}`
          const sub = log.subscriptions.subscribe({ from: 1 + (await log.reader.lastPosition()), filter: { category: cat } })
          try {
            // the first event makes the subscriber live (it joined the shared tail); then it stops pulling
            const first = sub.next()
            await ok(`/v1/streams/${cat}-keep`, 'POST', { events: [{ type: 'Start' }] }, 201)
            assert.equal(((await first).value as StoredEvent[])[0].type, 'Start')

            const tags = kind === 'erase' ? [`subject:${subject}`] : []
            const victim = await ok(`/v1/streams/${cat}-gone`, 'POST', { events: Array.from({ length: gone }, (_, i) => ({ type: 'Gone', data: { i, secret: subject }, tags })) }, 201)
            const last = await ok(`/v1/streams/${cat}-keep`, 'POST', { events: Array.from({ length: kept + 1 }, (_, i) => ({ type: 'Kept', data: { i } })) }, 201)
            const lastPosition: number = last.events.at(-1).position
            await fannedOut(lastPosition)

            // the removal commits while every one of those events sits in the subscriber's inbox
            if (kind === 'soft' || kind === 'hard') await ok(`/v1/streams/${cat}-gone${kind === 'hard' ? '?hard=true' : ''}`, 'DELETE')
            if (kind === 'truncate') await ok(`/v1/streams/${cat}-gone/truncate`, 'POST', { before: gone })
            if (kind === 'retention') {
              await ok(`/v1/retention/streams/${cat}-gone`, 'PUT', { maxCount: 1 })
              // until done: earlier rounds' large deletes left rows to the pass too (batch of 3)
              for (let i = 0; !(await ok('/v1/retention/run', 'POST', {})).done; i++) assert.ok(i < 10_000, 'the pass never ends')
            }
            if (kind === 'erase') await ok(`/v1/subjects/${subject}`, 'DELETE')

            const got: StoredEvent[] = []
            while (!got.some((e) => e.position === lastPosition)) got.push(...((await sub.next()).value as StoredEvent[]))
            const victims = got.filter((e) => e.stream === `${cat}-gone`)
            if (kind === 'erase') {
              assert.equal(victims.length, gone)
              for (const e of victims) assert.deepEqual([e.data, e.metadata, e.erased], [null, null, true])
            } else if (kind === 'retention') {
              assert.deepEqual(victims.map((e) => e.revision), [gone - 1], 'only the event maxCount keeps')
            } else {
              assert.deepEqual(victims, [], `${kind}: removed events were delivered`)
            }
            assert.equal(got.filter((e) => e.stream === `${cat}-keep`).length, kept + 1, 'the other stream is delivered in full')
            assert.ok(victim.lastRevision === gone - 1)
          } finally {
            await sub.return(undefined)
          }
        },
      ),
      { numRuns: 25 },
    )
  })
})

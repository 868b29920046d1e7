// Without trusted memory (remote server, shared file) a group goes as one write batch with
// its conditions in SQL; a refused guard falls back to command-by-command evaluation.
// Checks that the one-trip path really commits (not only falls back), and what it writes.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { EdgelogError } from '../src/core/errors.ts'
import { prepareEvents } from '../src/core/events.ts'
import type { AppendCommand, AppendResult } from '../src/core/types.ts'
import { codec } from '../src/store/codec.ts'
import { openStore } from '../src/store/node.ts'
import type { Store } from '../src/store/store.ts'
import { tempDir } from './helpers.ts'

const events = (types: string[], tags: string[][] = [], ids: string[] = []) =>
  prepareEvents(types.map((type, i) => ({ type, tags: tags[i], id: ids[i], data: { i } })), codec, 1e6)
const ok = (o: AppendResult | Error) => {
  assert.ok(!(o instanceof Error), String(o))
  return o as AppendResult
}
const kind = (o: AppendResult | Error) => (o instanceof EdgelogError ? o.kind : 'ok')

describe('commit group in one write batch (no trusted memory)', () => {
  const { dir, cleanup } = tempDir()
  let store: Store
  const stats = () => store.backend.stats!()
  before(async () => {
    store = await openStore({ url: `file:${dir}/one-trip.db`, sharedWriters: true })
  })
  after(async () => {
    await store.close()
    cleanup()
  })

  it('commits streams, several streams at once and stream-less events in one batch, with revisions, positions and tags', async () => {
    const group: AppendCommand[] = [
      { streams: [{ stream: 'acc-1', expected: 'no_stream', events: events(['Opened', 'Deposited'], [['acc:1'], []]) }] },
      { streams: [{ stream: 'acc-1', expected: 1, events: events(['Withdrawn']) }, { stream: 'acc-2', expected: 'any', events: events(['Opened']) }] },
      { streams: [], events: events(['Registered', 'Registered'], [['user:ann', 'team:a'], ['user:bob']]) },
    ]
    const outcomes = await store.backend.commitGroup(group)
    assert.deepEqual(stats(), { ...stats(), oneTripGroups: 1, fallbackGroups: 0 })
    const [a, b, c] = outcomes.map(ok)
    assert.deepEqual(a.streams[0].events.map((e) => [e.revision, e.position]), [[0, 1], [1, 2]])
    assert.deepEqual(b.streams.map((s) => [s.stream, s.firstRevision, s.firstPosition]), [['acc-1', 2, 3], ['acc-2', 0, 4]])
    assert.deepEqual(c.events.map((e) => [e.revision, e.position]), [[null, 5], [null, 6]])
    assert.equal(c.position, 6)
    const all = await store.reader.readAll({ from: 0, limit: 100 })
    assert.deepEqual(all.map((e) => [e.position, e.stream, e.revision, e.type]), [
      [1, 'acc-1', 0, 'Opened'], [2, 'acc-1', 1, 'Deposited'], [3, 'acc-1', 2, 'Withdrawn'],
      [4, 'acc-2', 0, 'Opened'], [5, null, null, 'Registered'], [6, null, null, 'Registered'],
    ])
    assert.deepEqual(all.map((e) => e.id), [...a.streams[0].events, ...b.streams.flatMap((s) => s.events), ...c.events].map((e) => e.id))
    const byTag = async (tag: string) => (await store.reader.query([{ tags: [tag] }], { from: 0, limit: 10 })).events.map((e) => e.position)
    assert.deepEqual(await byTag('acc:1'), [1])
    assert.deepEqual(await byTag('team:a'), [5])
    assert.deepEqual(await byTag('user:bob'), [6])
  })

  it('a refused guard falls back: the conflicting command fails alone, its neighbours commit', async () => {
    const before = stats()
    const outcomes = await store.backend.commitGroup([
      { streams: [{ stream: 'acc-3', expected: 'no_stream', events: events(['Opened']) }] },
      { streams: [{ stream: 'acc-1', expected: 'no_stream', events: events(['Opened']) }] }, // exists
      { streams: [{ stream: 'acc-2', expected: 5, events: events(['X']) }] }, // at 0
      { streams: [{ stream: 'acc-4', expected: 'stream_exists', events: events(['X']) }] }, // does not exist
    ])
    assert.deepEqual(outcomes.map(kind), ['ok', 'wrong-expected-revision', 'wrong-expected-revision', 'wrong-expected-revision'])
    assert.equal(stats().fallbackGroups, before.fallbackGroups + 1)
    assert.equal(stats().oneTripGroups, before.oneTripGroups)
    assert.equal((await store.reader.head('acc-3'))!.revision, 0)
    assert.equal(await store.reader.head('acc-4'), null)
  })

  it('a DCB condition is a guard too: it sees earlier commands of the batch, and a match falls back to condition-failed', async () => {
    const last = await store.reader.lastPosition()
    const claim = (user: string): AppendCommand => ({
      streams: [],
      events: events(['Claimed'], [[`name:${user}`]]),
      condition: { failIfEventsMatch: [{ types: ['Claimed'], tags: [`name:${user}`] }], after: last },
    })
    const first = await store.backend.commitGroup([claim('cy'), claim('di')])
    assert.deepEqual(first.map(kind), ['ok', 'ok'])
    const oneTrip = stats().oneTripGroups
    const second = await store.backend.commitGroup([claim('ed'), claim('ed'), claim('cy')])
    assert.deepEqual(second.map(kind), ['ok', 'condition-failed', 'condition-failed'])
    assert.equal(stats().oneTripGroups, oneTrip, 'the conflicting group fell back')
  })

  it('a retry with the same client ids is found by the fallback and answers the original result', async () => {
    const ids = [crypto.randomUUID()]
    const original = ok((await store.backend.commitGroup([{ streams: [{ stream: 'acc-5', expected: 'any', events: events(['A'], [], ids) }] }]))[0])
    const retry = ok((await store.backend.commitGroup([{ streams: [{ stream: 'acc-5', expected: 'any', events: events(['A'], [], ids) }] }]))[0])
    assert.equal(retry.replayed, true)
    assert.deepEqual(retry.streams, original.streams)
    assert.equal((await store.reader.head('acc-5'))!.revision, 0)
  })
})

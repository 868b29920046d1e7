// Workload generators and configuration shared by the k6 scenarios and the profiler.
import { test } from 'node:test'
import assert from 'node:assert/strict'

const lib = (p: string): Promise<any> => import(new URL(`../load/lib/${p}`, import.meta.url).href)
const w = await lib('workloads.js')
const config = await lib('config.js')

test('rng: seeded, repeatable, in [0, 1)', () => {
  const a = w.createRng(7)
  const b = w.createRng(7)
  const xs = Array.from({ length: 1000 }, () => a())
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()))
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, w.createRng(8)))
})

test('randInt and distinct stay in range', () => {
  const rng = w.createRng(1)
  const seen = new Set<number>()
  for (let i = 0; i < 2000; i++) {
    const x = w.randInt(rng, 3, 7)
    assert.ok(x >= 3 && x <= 7 && Number.isInteger(x))
    seen.add(x)
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7])
  for (let i = 0; i < 200; i++) {
    const d = w.distinct(rng, 5, 3)
    assert.equal(new Set(d).size, 3)
    assert.ok(d.every((x: number) => x >= 0 && x < 5))
  }
  assert.throws(() => w.distinct(rng, 2, 3))
})

test('uuidv7: RFC 9562 layout, time-ordered', () => {
  const rng = w.createRng(3)
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  const t = Date.UTC(2025, 0, 1)
  const ids = [w.uuidv7(t, rng), w.uuidv7(t + 1, rng), w.uuidv7(t + 1000, rng)]
  for (const id of ids) assert.match(id, re)
  assert.deepEqual([...ids].sort(), ids)
  assert.equal(parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16), t)
})

test('stream names: category before the first dash, run tags keep runs apart', () => {
  assert.equal(w.streamName('account', 'abc', 17), 'account-abc.17')
  assert.equal(w.streamName('account', '', 17), 'account-17')
  const tag = w.makeRunTag(Date.UTC(2025, 0, 1), w.createRng(1))
  assert.match(tag, /^[0-9a-z]+$/)
  assert.match(w.streamName('account', tag, 1), /^[A-Za-z0-9_.:@+=-]{1,200}$/)
})

test('S1: command mix is about 50/35/15 and amounts are in range', () => {
  const rng = w.createRng(11)
  const counts: Record<string, number> = { Deposited: 0, Withdrawn: 0, TransferSent: 0 }
  for (let i = 0; i < 20000; i++) {
    const c = w.accountCommand(rng, { maxAmount: 500, accounts: 100 })
    counts[c.type]++
    assert.ok(c.amount >= 1 && c.amount <= 500)
    if (c.type === 'TransferSent') assert.ok(c.to >= 0 && c.to < 100)
  }
  assert.ok(Math.abs(counts.Deposited / 20000 - 0.5) < 0.02)
  assert.ok(Math.abs(counts.Withdrawn / 20000 - 0.35) < 0.02)
  assert.ok(Math.abs(counts.TransferSent / 20000 - 0.15) < 0.02)
})

test('S1: no withdrawal below zero; events carry the balance they leave', () => {
  assert.deepEqual(w.decideAccount(100, { type: 'Withdrawn', amount: 101 }), { ok: false, reason: 'insufficient-funds' })
  assert.deepEqual(w.decideAccount(100, { type: 'TransferSent', amount: 101, to: 3 }), { ok: false, reason: 'insufficient-funds' })
  const ok = w.decideAccount(100, { type: 'Withdrawn', amount: 100 })
  assert.equal(ok.ok, true)
  assert.deepEqual(ok.event, { type: 'Withdrawn', data: { amount: 100, balance: 0 } })
  assert.equal(w.decideAccount(0, { type: 'Deposited', amount: 5 }).event.data.balance, 5)

  // a simulated account: the last event's balance equals folding the whole stream
  const rng = w.createRng(5)
  const events: any[] = [w.accountOpened(1000)]
  let rejected = 0
  for (let i = 0; i < 2000; i++) {
    const balance = w.balanceOf(events[events.length - 1])
    const d = w.decideAccount(balance, w.accountCommand(rng, { maxAmount: 500, accounts: 10 }))
    if (d.ok) events.push(d.event)
    else rejected++
    assert.ok(w.balanceOf(events[events.length - 1]) >= 0)
  }
  assert.ok(rejected > 0, 'some commands are rejected for insufficient funds')
  assert.equal(w.foldBalance(events), w.balanceOf(events[events.length - 1]))
  assert.equal(w.balanceOf({ data: {} }), null)
  assert.equal(w.balanceOf(undefined), null)
})

test('S2: orders touch 2..5 streams, 1..3 distinct products, every shape occurs', () => {
  const rng = w.createRng(21)
  const counts = new Map<number, number>()
  for (let i = 0; i < 5000; i++) {
    const s = w.orderShape(rng, { products: 50, customers: 1000, maxQty: 3 })
    const n = w.orderStreamCount(s)
    assert.ok(n >= 2 && n <= 5)
    assert.ok(s.lines.length >= 1 && s.lines.length <= 3)
    assert.equal(new Set(s.lines.map((l: any) => l.product)).size, s.lines.length)
    for (const l of s.lines) assert.ok(l.qty >= 1 && l.qty <= 3 && l.product >= 0 && l.product < 50)
    if (s.customer !== null) assert.ok(s.customer >= 0 && s.customer < 1000)
    counts.set(n, (counts.get(n) ?? 0) + 1)
  }
  assert.deepEqual([...counts.keys()].sort(), [2, 3, 4, 5])
})

test('S2: stock never goes below zero; the append carries every expected revision', () => {
  const shape = { customer: 3, lines: [{ product: 4, qty: 2 }, { product: 9, qty: 1 }] }
  assert.deepEqual(w.decideOrder(shape, { 4: 5, 9: 0 }), { ok: false, reason: 'out-of-stock', product: 9 })
  const d = w.decideOrder(shape, { 4: 5, 9: 1 })
  assert.deepEqual(d, { ok: true, reservations: [{ product: 4, qty: 2, stock: 3 }, { product: 9, qty: 1, stock: 0 }] })
  assert.throws(() => w.decideOrder(shape, { 4: 5 }))
  const body = w.buildOrderAppend({
    orderStream: 'order-t.1',
    customerStream: 'customer-t.3',
    customerRevision: null,
    productStream: (p: number) => `product-t.${p}`,
    productRevisions: { 4: 12, 9: 0 },
    reservations: d.reservations,
  })
  assert.deepEqual(body.streams.map((s: any) => [s.stream, s.expectedRevision]), [
    ['order-t.1', 'no_stream'],
    ['customer-t.3', 'no_stream'],
    ['product-t.4', 12],
    ['product-t.9', 0],
  ])
  assert.equal(w.stockOf(body.streams[3].events[0]), 0)
  const guest = w.buildOrderAppend({ orderStream: 'order-t.2', customerStream: null, customerRevision: null, productStream: (p: number) => `p-${p}`, productRevisions: { 4: 1 }, reservations: [{ product: 4, qty: 1, stock: 2 }] })
  assert.equal(guest.streams.length, 2)
  const known = w.buildOrderAppend({ orderStream: 'o', customerStream: 'c', customerRevision: 7, productStream: String, productRevisions: { 1: 0 }, reservations: [{ product: 1, qty: 1, stock: 0 }] })
  assert.equal(known.streams[1].expectedRevision, 7)
})

test('S3: batches split evenly over streams, payloads have the requested size', () => {
  assert.deepEqual(w.splitBatch(100, 5), [20, 20, 20, 20, 20])
  assert.deepEqual(w.splitBatch(7, 5), [2, 2, 1, 1, 1])
  assert.deepEqual(w.splitBatch(2, 5), [1, 1])
  assert.deepEqual(w.splitBatch(1, 5), [1])
  assert.throws(() => w.splitBatch(0, 5))
  for (const size of [1, 2, 5, 10, 20, 50, 100]) {
    const body = w.makeBatch({ batchSize: size, streams: 5, eventSize: 200, stream: (j: number) => `batch-${j}`, seq: 0 })
    assert.equal(w.countEvents(body), size)
    assert.ok(body.streams.every((s: any) => s.expectedRevision === 'any'))
    assert.equal(new Set(body.streams.map((s: any) => s.stream)).size, body.streams.length)
  }
  for (const size of [200, 10240]) assert.equal(JSON.stringify(w.payload(size, 12345)).length, size)
  const withIds = w.makeBatch({ batchSize: 3, streams: 1, eventSize: 50, stream: () => 's', seq: 0, ids: () => 'id' })
  assert.ok(withIds.streams[0].events.every((e: any) => e.id === 'id'))
  const seqs = w.makeBatch({ batchSize: 10, streams: 3, eventSize: 50, stream: String, seq: 100 }).streams.flatMap((s: any) => s.events.map((e: any) => e.data.seq))
  assert.deepEqual(seqs, Array.from({ length: 10 }, (_, i) => 100 + i))
})

test('S4: round robin covers every size and kind equally', () => {
  const sizes = [100, 1000, 10000]
  const kinds = ['stream', 'type', 'category']
  const seen = new Map<string, number>()
  for (let i = 0; i < 900; i++) {
    const p = w.s4Pick(i, sizes, kinds)
    seen.set(`${p.size}/${p.kind}`, (seen.get(`${p.size}/${p.kind}`) ?? 0) + 1)
  }
  assert.equal(seen.size, 9)
  assert.ok([...seen.values()].every((n) => n === 100))
  const rng = w.createRng(2)
  for (let i = 0; i < 500; i++) {
    const s = w.pageStart(rng, 1000, 100)
    assert.ok(s >= 0 && s <= 900)
  }
  assert.equal(w.pageStart(rng, 50, 100), 0)
  assert.equal(w.s4Type(1000), 'Seeded1000')
  assert.equal(w.s4Tag(1000), 'size:1000')
})

test('S5: about 10 % reads', () => {
  const rng = w.createRng(9)
  let reads = 0
  for (let i = 0; i < 20000; i++) if (w.chooseOp(rng, 0.1) === 'read') reads++
  assert.ok(Math.abs(reads / 20000 - 0.1) < 0.01)
  assert.equal(w.chooseOp(rng, 0), 'write')
  assert.equal(w.chooseOp(rng, 1), 'read')
})

test('S6: SSE parsing, checkpoints and loss window', () => {
  const text = ': heartbeat\n\nid: 41\nevent: event\ndata: {"position":41}\n\nid: 42\ndata: line1\ndata: line2\r\n\r\nid: 43\ndata: partial'
  const { messages, rest } = w.parseSse(text)
  assert.deepEqual(messages, [
    { id: '41', event: 'event', data: '{"position":41}' },
    { id: '42', event: 'message', data: 'line1\nline2' },
  ])
  assert.equal(rest, 'id: 43\ndata: partial')
  assert.equal(w.checkpointsFor(100000, 1), 100000)
  assert.equal(w.checkpointsFor(100000, 1000), 100)
  assert.equal(w.checkpointsFor(1050, 100), 11)
  assert.throws(() => w.checkpointsFor(10, 0))
  assert.deepEqual([1, 10, 100, 1000].map(w.lossWindow), [0, 9, 99, 999])
})

test('outcomes: attempts move with exactly one outcome', () => {
  const t = w.newTally()
  w.recordOutcome(t, 'successes')
  w.recordOutcome(t, 'rejections')
  w.recordOutcome(t, 'errors')
  w.recordOutcome(t, 'conflicts_exhausted')
  assert.equal(t.attempts, 4)
  assert.equal(t.successes + t.rejections + t.errors + t.conflicts_exhausted, t.attempts)
  assert.throws(() => w.recordOutcome(t, 'conflicts'))
  assert.deepEqual([200, 201, 409, 412, 404, 500, 503, 0].map(w.classifyAppend), ['ok', 'ok', 'conflict', 'conflict', 'error', 'error', 'error', 'error'])
})

test('config: defaults, parsing and validation', () => {
  const c = config.loadConfig({})
  assert.equal(c.baseUrl, 'http://127.0.0.1:3000')
  assert.equal(c.media, 'json')
  assert.equal(c.rate, null)
  assert.equal(c.durationSec, 30)
  assert.deepEqual(c.checkpointEvery, [1, 10, 100, 1000])
  const d = config.loadConfig({ BASE_URL: 'https://x.example/', MEDIA: 'CBOR', RATE: '250', DURATION: '1m30s', VUS: '7', SIZES: '100, 1000000', TAG_READS: 'true', READ_RATIO: '0.25' })
  assert.equal(d.baseUrl, 'https://x.example')
  assert.equal(d.media, 'cbor')
  assert.equal(d.rate, 250)
  assert.equal(d.durationSec, 90)
  assert.equal(d.vus, 7)
  assert.deepEqual(d.sizes, [100, 1000000])
  assert.equal(d.tagReads, true)
  assert.equal(d.readRatio, 0.25)
  assert.equal(config.loadConfig({}, { duration: '10m' }).durationSec, 600)
  assert.throws(() => config.loadConfig({ MEDIA: 'xml' }), /MEDIA/)
  assert.throws(() => config.loadConfig({ RATE: 'fast' }), /not a number/)
  assert.throws(() => config.loadConfig({ READ_RATIO: '2' }), /READ_RATIO/)
  assert.throws(() => config.loadConfig({ DURATION: '10 parsecs' }), /duration/)
  assert.equal(config.parseDuration('500ms'), 0.5)
  assert.equal(config.parseDuration('2h'), 7200)
  assert.equal(config.parseDuration('45'), 45)
  assert.equal(config.mediaType('cbor'), 'application/cbor')
  assert.equal(config.timestamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678))), '20250102T030405Z')
})

test('S8 fan-out: the phases follow each other, the subscribers connect between them and stay until the end', async () => {
  const fanout = await lib('fanout.js')
  const cfg = config.loadConfig({ DURATION: '20s', CONNECT: '15s' })
  assert.equal(cfg.subscribers, 1000)
  assert.equal(cfg.match, 'none')
  const p = fanout.phases(cfg)
  assert.deepEqual(p.none, { start: 0, duration: 20 })
  assert.ok(p.memoryBefore > p.none.start + p.none.duration && p.memoryBefore < p.subscribe.start, 'memory is read after phase 1, before anyone subscribes')
  assert.ok(p.memoryAfter > p.subscribe.start && p.memoryAfter < p.loaded.start, 'and again once they connected, before phase 2')
  assert.equal(p.loaded.start, p.subscribe.start + 15)
  assert.equal(p.subscribe.until, p.loaded.start + p.loaded.duration)
  assert.equal(fanout.dur(20.5), '20500ms')
  assert.throws(() => config.loadConfig({ MATCH: 'some' }), /MATCH must be none or all/)
})

test('S8 fan-out: subscribers filter on a type no append has (none) or the type of every phase-2 append (all); probes on their own', async () => {
  const fanout = await lib('fanout.js')
  const t = fanout.types('run1')
  assert.equal(new Set([t.none, t.loaded, t.never, t.probe(1, 0), t.probe(1, 1), t.probe(2, 0)]).size, 6)
  assert.equal(fanout.subscriberPath('run1', 'none'), `/v1/subscribe?from=0&types=${t.never}`)
  assert.equal(fanout.subscriberPath('run1', 'all'), `/v1/subscribe?from=0&types=${t.loaded}`)
  assert.equal(fanout.probePath('S8Probe-run1-1-0'), '/v1/subscribe?from=0&max=1&types=S8Probe-run1-1-0')
})

test('S8 fan-out: delivery latency from an SSE body as edgelog sends it, and resident memory from /metrics', async () => {
  const fanout = await lib('fanout.js')
  const event = { id: 'x', type: 'S8Probe-a-1-0', stream: 's', revision: 0, position: 7, time: '2026-12-08T02:00:00.000Z', data: null }
  const body = `: edgelog subscription from position 0\n\nid: 7\ndata: ${JSON.stringify(event)}\n\n: end\n`
  assert.equal(fanout.deliveryMs(body, 'S8Probe-a-1-0', Date.parse('2026-12-08T02:00:00.012Z')), 12)
  assert.equal(fanout.deliveryMs(body, 'other', Date.now()), null)
  assert.equal(fanout.deliveryMs(': only a comment\n\n', 'S8Probe-a-1-0', Date.now()), null)
  assert.equal(fanout.residentBytes('# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 73728000\n'), 73728000)
  assert.equal(fanout.residentBytes('nodejs_heap_size_total_bytes 1\n'), null)
})

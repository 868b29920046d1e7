import { codec } from '../src/store/codec.ts'
import { GroupCommitWriter } from '../src/core/groupCommitWriter.ts'
import { prepareEvents } from '../src/core/events.ts'
import type { AppendCommand, CommitBackend } from '../src/core/types.ts'
import { fmt, status, type Row } from './lib.ts'
import { freshLog, payloadOf } from './setup.ts'

const gc = (globalThis as { gc?: () => void }).gc
const heap = () => {
  gc?.()
  return process.memoryUsage().heapUsed
}

function nsPerOp(n: number, f: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) f(i) // warm up
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) f(i)
  return Number(process.hrtime.bigint() - t0) / n
}

export async function microBenchmarks(): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const rows: Row[] = []
  const raw: Record<string, unknown> = {}
  const payload = payloadOf(200)
  const cbor = codec.encode(payload)
  const json = new TextEncoder().encode(JSON.stringify(payload))
  const utf8 = new TextDecoder()
  const te = new TextEncoder()
  const costs = {
    cborEncode: nsPerOp(200_000, () => codec.encode(payload)),
    cborDecode: nsPerOp(200_000, () => codec.decode(cbor)),
    jsonEncode: nsPerOp(200_000, () => te.encode(JSON.stringify(payload))),
    jsonDecode: nsPerOp(200_000, () => JSON.parse(utf8.decode(json))),
  }
  raw.codec = { ...costs, cborBytes: cbor.length, jsonBytes: json.length }
  rows.push({
    metric: `payload codec per event (~200 B): CBOR ${cbor.length} B vs JSON ${json.length} B`,
    target: 'measure',
    actual: `CBOR enc ${fmt(costs.cborEncode)} / dec ${fmt(costs.cborDecode)} ns; JSON enc ${fmt(costs.jsonEncode)} / dec ${fmt(costs.jsonDecode)} ns`,
    status: 'info',
  })

  // Hand-off: what append() costs the caller before any I/O (S7). The backend never
  // resolves during the loop, so nothing but queueing is timed.
  const idle: CommitBackend = { commitGroup: async (cs) => cs.map(() => ({ streams: [], events: [], position: 0, replayed: false })) }
  const n = 200_000
  const writer = new GroupCommitWriter(idle, { maxBatchEvents: 1e9, maxBatchBytes: 1e12, maxQueueEvents: 1e9 })
  const commands: AppendCommand[] = Array.from({ length: 1000 }, () => ({
    streams: [{ stream: 'account-1', expected: 'any', events: prepareEvents([{ type: 'Deposited', data: payload }], codec, 1e6) }],
  }))
  // Rounds of 1,000 appends, awaited between rounds, so the queue stays at its working
  // size; only the synchronous append() calls are timed.
  let handoffTotal = 0n
  let allocatedTotal = 0
  const pending: Promise<unknown>[] = new Array(1000)
  for (let round = 0; round < n / 1000; round++) {
    const before = process.memoryUsage().heapUsed
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < 1000; i++) pending[i] = writer.append(commands[i])
    handoffTotal += process.hrtime.bigint() - t0
    const grown = process.memoryUsage().heapUsed - before
    if (grown > 0) allocatedTotal += grown // a scavenge during the round makes it negative: skip it
    await Promise.all(pending)
  }
  const handoffNs = Number(handoffTotal) / n
  const allocated = allocatedTotal / n
  const prepareNs = nsPerOp(100_000, () => prepareEvents([{ type: 'Deposited', data: payload }], codec, 1e6))
  raw.handoff = { handoffNs, bytesPerAppend: allocated, prepareNs }
  rows.push({ metric: 'writer hand-off per append, no I/O (S7)', target: '< 1,000 ns', actual: `${fmt(handoffNs)} ns/op, ~${fmt(allocated)} B allocated/append`, status: status(handoffNs < 1000), value: handoffNs, unit: 'ns' })
  rows.push({ metric: 'prepare one event (validate, UUIDv7, CBOR encode)', target: 'measure', actual: `${fmt(prepareNs)} ns/event`, status: 'info', value: prepareNs, unit: 'ns' })

  // Memory the process holds per stored event (S7: a report measured 58 KB/event).
  const t = await freshLog('normal')
  await t.log.appendToStream('warm-1', 'any', [{ type: 'Deposited', data: payload }])
  const start = heap()
  const total = 100_000
  for (let done = 0; done < total; done += 1000) {
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        t.log.appendToStream(`account-${(done / 100 + k) % 100}`, 'any', Array.from({ length: 100 }, () => ({ type: 'Deposited', data: payload }))),
      ),
    )
  }
  const perEvent = (heap() - start) / total
  await t.close()
  raw.memory = { bytesPerStoredEvent: perEvent, events: total, gcExposed: Boolean(gc) }
  rows.push({
    metric: `process memory per stored event after ${fmt(total)} appends${gc ? '' : ' (run with --expose-gc for accuracy)'}`,
    target: '< 1,024 B (flat)',
    actual: `${fmt(perEvent, 1)} B/event`,
    status: status(perEvent < 1024),
    value: perEvent,
    unit: 'bytes',
  })
  return { rows, raw }
}

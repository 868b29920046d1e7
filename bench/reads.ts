import { encodeEventPage } from '../src/http/render/cborPage.ts'
import { renderEvent } from '../src/http/render/events.ts'
import { fmt, type Row } from './lib.ts'
import { freshLog, payloadOf } from './setup.ts'

/** Keyset page reads through the store API (payloads stay encoded; decode timed separately). */
export async function readBenchmarks(): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const rows: Row[] = []
  const raw: Record<string, unknown> = {}
  const payload = payloadOf(200)
  const t = await freshLog('normal')
  const batch = Array.from({ length: 1000 }, () => ({ type: 'Deposited', data: payload }))
  for (let i = 0; i < 10; i++) await t.log.appendToStream('account-big', 'any', batch)
  for (let i = 0; i < 90; i++) await t.log.appendToStream(`other-${i % 50}`, 'any', batch)

  const time = async (f: () => Promise<number>) => {
    const t0 = performance.now()
    const n = await f()
    return n / ((performance.now() - t0) / 1000)
  }
  const stream = await time(async () => {
    let n = 0
    for (let from = 0; ; ) {
      const page = await t.store.reader.readStream('account-big', { from, limit: 1000, direction: 'forward' })
      n += page.length
      if (page.length < 1000) return n
      from = page[page.length - 1].revision! + 1
    }
  })
  const all = await time(async () => {
    let n = 0
    for (let from = 0; ; ) {
      const page = await t.store.reader.readAll({ from, limit: 1000 })
      n += page.length
      if (page.length < 1000) return n
      from = page[page.length - 1].position + 1
    }
  })
  const decoded = await time(async () => {
    const page = await t.store.reader.readAll({ from: 0, limit: 1000 })
    for (const e of page) t.log.codec.decode(e.data!)
    return page.length
  })
  // A 1,000-event page for CBOR clients: stored payload bytes copied vs decoded and re-encoded.
  const page = await t.store.reader.readAll({ from: 0, limit: 1000 })
  const perEventUs = (f: () => unknown) => {
    for (let i = 0; i < 30; i++) f() // warm up (JIT)
    const t0 = performance.now()
    for (let i = 0; i < 100; i++) f()
    return ((performance.now() - t0) * 1000) / 100 / page.length
  }
  const direct = perEventUs(() => encodeEventPage({ next: 1 }, page, t.log.codec))
  const reencoded = perEventUs(() => t.log.codec.encode({ next: 1, events: page.map((e) => renderEvent(e, t.log.codec)) }))
  raw.cborPage = { directUsPerEvent: direct, reencodedUsPerEvent: reencoded }
  rows.push({
    metric: 'CBOR page of 1,000 events: stored payloads copied vs decoded + re-encoded',
    target: 'faster than re-encoding',
    actual: `${fmt(direct, 2)} vs ${fmt(reencoded, 2)} µs/event (${fmt(reencoded / direct, 1)}x)`,
    status: direct < reencoded ? 'pass' : 'miss',
    value: direct,
    unit: 'µs/event',
  })
  await t.close()
  raw.reads = { streamEventsPerSec: stream, allEventsPerSec: all, decodedEventsPerSec: decoded }
  rows.push({ metric: 'read a 10K-event stream, pages of 1000', target: 'measure', actual: `${fmt(stream)} ev/s`, status: 'info', value: stream, unit: 'events/s' })
  rows.push({ metric: 'read the global log at 100K events, pages of 1000', target: 'measure', actual: `${fmt(all)} ev/s`, status: 'info', value: all, unit: 'events/s' })
  rows.push({ metric: 'same page with payloads decoded from CBOR', target: 'measure', actual: `${fmt(decoded)} ev/s`, status: 'info', value: decoded, unit: 'events/s' })
  return { rows, raw }
}

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
  await t.close()
  raw.reads = { streamEventsPerSec: stream, allEventsPerSec: all, decodedEventsPerSec: decoded }
  rows.push({ metric: 'read a 10K-event stream, pages of 1000', target: 'measure', actual: `${fmt(stream)} ev/s`, status: 'info', value: stream, unit: 'events/s' })
  rows.push({ metric: 'read the global log at 100K events, pages of 1000', target: 'measure', actual: `${fmt(all)} ev/s`, status: 'info', value: all, unit: 'events/s' })
  rows.push({ metric: 'same page with payloads decoded from CBOR', target: 'measure', actual: `${fmt(decoded)} ev/s`, status: 'info', value: decoded, unit: 'events/s' })
  return { rows, raw }
}

/**
 * One of two writer processes racing on the same libSQL file (test/storeRace.file.test.ts):
 * its own store with sharedWriters (nothing trusted in memory), appending to the same
 * streams as the other process. Prints one JSON line: every acknowledged event.
 *
 * usage: node --import tsx test/store/racer.ts <file: url> <a|b> <appends once both run> <streams>
 */
import { createEventLog } from '../../src/core/eventLog.ts'
import { EdgelogError } from '../../src/core/errors.ts'
import { DEFAULT_LIMITS } from '../../src/core/limits.ts'
import { codec } from '../../src/store/codec.ts'
import { openStore } from '../../src/store/node.ts'

const [url, name, appends, streams] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])]
const store = await openStore({ url, sharedWriters: true })
// Start together: say ready, wait for the parent's go on stdin.
console.log('ready')
await new Promise((resolve) => process.stdin.once('data', resolve))
process.stdin.pause()
const log = createEventLog({ ...store, codec, limits: DEFAULT_LIMITS })
const acked: Array<{ id: string; stream: string; revision: number; position: number }> = []
let conflicts = 0
let retries = 0

async function one(i: number) {
  const stream = `race-${i % streams}`
  const events = [{ id: crypto.randomUUID(), type: 'Raced', data: { name, i } }, { id: crypto.randomUUID(), type: 'Raced', data: { name, i, second: true } }]
  // Half the appends check the head they read (optimistic concurrency, retried on conflict),
  // half append at whatever the head is; failures are retried with the same ids.
  for (let attempt = 0; ; attempt++) {
    try {
      const expected = i % 2 ? ((await store.reader.head(stream))?.revision ?? 'no_stream') : 'any'
      const r = await log.appendToStream(stream, expected, events)
      for (const e of r.streams[0].events) acked.push({ id: e.id, stream, revision: e.revision!, position: e.position })
      return
    } catch (e) {
      if (e instanceof EdgelogError && e.kind === 'wrong-expected-revision') conflicts++
      else retries++
      if (attempt > 50) throw e
    }
  }
}

// Say we started (a marker stream), then append until the other process has started too
// and `appends` more of ours went in after that: the two are sure to overlap.
const other = name === 'a' ? 'b' : 'a'
const marker = await log.appendToStream(`racer-${name}`, 'no_stream', [{ type: 'Started' }])
acked.push({ id: marker.streams[0].events[0].id, stream: `racer-${name}`, revision: 0, position: marker.position })
let next = 0
let stopAt = Infinity
// 8 appends in flight at a time: the writer groups them, the other process races them.
await Promise.all(Array.from({ length: 8 }, async () => {
  while (next < stopAt) {
    if (stopAt === Infinity && next % 8 === 0 && (await store.reader.head(`racer-${other}`))) stopAt = next + appends
    await one(next++)
  }
}))
await log.close()
await store.close()
console.log(JSON.stringify({ name, acked, conflicts, retries }))

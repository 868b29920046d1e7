// The k6 scripts themselves (load/*.js), not only their plain modules: each one's setup(),
// a few iterations of each function its scenarios run, and its handleSummary, in JSON and
// CBOR, against a real Node server started as `npm run load` starts it (its default limits).
// k6 is not installable here, so they run in Node with
// stand-ins for k6's modules (test/fixtures/k6/: synchronous http as k6 documents it,
// metrics kept as samples). What this catches: a script that throws, a request the server
// refuses, an error counted, a summary that does not build. What k6 alone can tell (its
// JavaScript runtime, executors, thresholds) stays with the runs under real k6.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
// @ts-expect-error plain JS helper shared with the load scripts
import { startServer } from '../scripts/server-process.mjs'

const run = promisify(execFile)
let server: { baseUrl: string; stop: () => Promise<unknown>; cleanup: () => void }
const results = mkdtempSync(join(tmpdir(), 'edgelog-k6-'))

before(async () => {
  server = await startServer({ runtime: 'node', durability: 'full' })
})
after(async () => {
  await server?.stop()
  server?.cleanup()
  rmSync(results, { recursive: true, force: true })
})

interface Outcome {
  metrics: Record<string, { type: string; values: Record<string, number> }>
  requests: Array<{ method: string; url: string; name?: string; status: number }>
  summary: string | null
  files: string[]
}

/** Runs `script` (setup, then `plan`: function=iterations,...) with `env` as its __ENV. */
async function k6(script: string, plan: string, env: Record<string, string> = {}): Promise<Outcome> {
  const { stdout } = await run(process.execPath, ['--import', './test/fixtures/k6/register.mjs', 'test/fixtures/k6/run.mjs', script, plan], {
    env: { ...process.env, K6_ENV: JSON.stringify({ BASE_URL: server.baseUrl, RESULTS_DIR: results, ...env }) },
    timeout: 120_000,
    maxBuffer: 64 * 2 ** 20,
  })
  return JSON.parse(stdout.trim().split('\n').pop()!)
}

const count = (o: Outcome, name: string) => o.metrics[name]?.values.count ?? 0

/** What every run must show: attempts made, no error counted, a table, a results file. */
function assertClean(o: Outcome, label: string) {
  assert.ok(count(o, 'attempts') > 0, `${label}: no attempt recorded`)
  assert.equal(count(o, 'errors'), 0, `${label}: errors counted; requests: ${JSON.stringify(o.requests.filter((r) => r.status >= 400 || r.status === 0).slice(0, 5))}`)
  assert.match(o.summary ?? '', /^metric +\| target +\| actual +\| status$/m, label)
  assert.equal(o.files.length, 1, `${label}: one results file`)
}

for (const media of ['json', 'cbor']) {
  describe(`k6 scripts in Node, MEDIA=${media}`, () => {
    it('S1: commands read, decide, append and add up', async () => {
      const o = await k6('load/s1-single-stream.js', 'default=20', { MEDIA: media, ACCOUNTS: '5' })
      assertClean(o, 's1')
      const outcomes = ['successes', 'rejections', 'conflicts_exhausted', 'errors'].reduce((n, c) => n + count(o, c), 0)
      assert.equal(outcomes, count(o, 'attempts'))
    })

    it('S2: orders append to several streams with their expected revisions', async () => {
      const o = await k6('load/s2-multi-stream.js', 'default=20', { MEDIA: media, PRODUCTS: '5', CUSTOMERS: '10' })
      assertClean(o, 's2')
    })

    it('S3: batches of 100 events', async () => {
      const o = await k6('load/s3-batched-writes.js', 'default=3', { MEDIA: media })
      assertClean(o, 's3')
      assert.equal(count(o, 'events_written'), 300)
    })

    it('S4: pages by stream, type, category and tag at two log sizes', async () => {
      const o = await k6('load/s4-reads.js', 'default=12', { MEDIA: media, SIZES: '100,1000' })
      assertClean(o, 's4')
      assert.ok(count(o, 'events_read') > 0 || Object.keys(o.metrics).some((m) => m.startsWith('events_read')), JSON.stringify(Object.keys(o.metrics)))
    })

    it('S5: mixed appends and reads', async () => {
      const o = await k6('load/s5-mixed.js', 'default=30', { MEDIA: media })
      assertClean(o, 's5')
    })

    it('S6: consumers read through subscriptions and save checkpoints', async () => {
      const o = await k6('load/s6-consumers.js', 'default=1', { MEDIA: media, CONSUMER_EVENTS: '2000', CHECKPOINT_EVERY: '10,100' })
      assertClean(o, 's6')
      assert.equal(count(o, 'events_consumed'), 4000)
    })
  })
}

describe('k6 scripts in Node: S8 fan-out', () => {
  it('both phases append, probes measure delivery, memory is read, a subscriber stays until its timeout', async () => {
    const o = await k6('load/s8-fanout.js', 'appendNone=5,memory=1,subscribe=1,appendLoaded=5,probe=3', { DURATION: '1s', CONNECT: '1s' })
    assertClean(o, 's8')
    assert.equal(count(o, 'appended_none'), 5)
    assert.equal(count(o, 'appended_loaded'), 5)
    assert.equal(count(o, 'delivery_latency'), 3)
    assert.equal(count(o, 'subscriber_errors'), 0)
    assert.ok(o.metrics.memory_before?.values.value > 0 && o.metrics.memory_after?.values.value > 0, JSON.stringify(o.metrics))
    assert.ok(o.requests.some((r) => r.name === 'subscriber' && r.status === 0), 'the subscriber ended by its timeout')
  })
})

// The end-of-run table and the accounting check: a summary that does not add up (the
// report that printed a 134 % success rate) must be flagged.
import { test } from 'node:test'
import assert from 'node:assert/strict'

const lib = (p: string): Promise<any> => import(new URL(`../load/lib/${p}`, import.meta.url).href)
const summary = await lib('summary.js')
const targets = await lib('targets.js')
const config = await lib('config.js')

const counter = (count: number) => ({ type: 'counter', contains: 'default', values: { count, rate: count / 30 } })
const trend = (p95: number, extra: Record<string, number> = {}) => ({
  type: 'trend',
  contains: 'time',
  values: { avg: p95 / 2, min: 0.1, med: p95 / 2, max: p95 * 2, 'p(90)': p95 * 0.9, 'p(95)': p95, 'p(99)': p95 * 1.5, ...extra },
})

function s1Data(o: { attempts: number; successes: number; rejections: number; exhausted: number; errors: number; p95: number; thresholdsOk?: boolean }) {
  return {
    state: { testRunDurationMs: 31000 },
    metrics: {
      attempts: counter(o.attempts),
      successes: counter(o.successes),
      rejections: counter(o.rejections),
      conflicts_exhausted: counter(o.exhausted),
      ...(o.errors ? { errors: counter(o.errors) } : {}),
      conflicts: counter(1234),
      command_duration: { ...trend(o.p95), thresholds: { 'p(95)<10': { ok: o.thresholdsOk ?? o.p95 < 10 } } },
    },
  }
}

const cfg = config.loadConfig({ DURATION: '30s' })

test('accounting: adds up', () => {
  const data = s1Data({ attempts: 330000, successes: 300000, rejections: 25000, exhausted: 4000, errors: 1000, p95: 4 })
  const a = summary.checkAccounting(summary.normalize(data).metrics)
  assert.equal(a.ok, true)
  assert.equal(a.sum, 330000)
  assert.equal(a.message, 'adds up')
})

test('accounting: outcomes above attempts (the 134 % report) are flagged', () => {
  const data = s1Data({ attempts: 5000, successes: 6732, rejections: 0, exhausted: 0, errors: 0, p95: 1 })
  const r = summary.buildReport({ scenario: 's1', data, cfg })
  assert.equal(r.accounting.ok, false)
  assert.ok(r.accounting.successRate > 1)
  assert.equal(r.passed, false)
  const text = summary.renderReport(r)
  assert.match(text, /ACCOUNTING DOES NOT ADD UP: attempts 5000 != outcomes 6732/)
  assert.match(text, /RESULT: MISS/)
})

test('accounting: outcomes below attempts (lost outcomes) are flagged', () => {
  const a = summary.checkAccounting(summary.normalize(s1Data({ attempts: 100, successes: 90, rejections: 0, exhausted: 0, errors: 0, p95: 1 })).metrics)
  assert.equal(a.ok, false)
  assert.match(a.message, /difference 10/)
})

test('accounting: an empty run is not a pass', () => {
  const a = summary.checkAccounting({})
  assert.equal(a.ok, false)
  assert.equal(a.message, 'no attempts recorded')
})

test('S1 table: throughput from completed commands over the configured duration, p95 against 10 ms', () => {
  // 300,000 successes + 15,000 rejections in 30 s = 10,500 commands/s
  const data = s1Data({ attempts: 316000, successes: 300000, rejections: 15000, exhausted: 500, errors: 500, p95: 6.5 })
  const r = summary.buildReport({ scenario: 's1', data, cfg, now: new Date(Date.UTC(2025, 0, 1)) })
  const row = (m: string) => r.rows.find((x: any) => x.metric === m)
  assert.equal(row('commands/s').value, 10500)
  assert.equal(row('commands/s').status, 'PASS')
  assert.equal(row('commands/s').actual, '10,500/s')
  assert.equal(row('p95 command latency').status, 'PASS')
  assert.equal(row('p95 command latency').actual, '6.50 ms')
  assert.equal(row('p50 command latency').status, 'INFO')
  assert.equal(row('errors').status, 'MISS', '500 errors miss the 0-errors target')
  assert.equal(r.accounting.ok, true)
  assert.equal(r.passed, false)
  const text = summary.renderReport(r)
  assert.match(text, /^metric +\| target +\| actual +\| status$/m)
  assert.match(text, /commands\/s +\| >= 10,000\/s +\| 10,500\/s +\| PASS/)
  assert.match(text, /attempts = successes \+ rejections \+ conflicts_exhausted \+ errors \| equal +\| 316000 = 300000 \+ 15000 \+ 500 \+ 500 \| PASS/)
})

test('S1 table: everything met passes; a crossed k6 threshold does not', () => {
  const ok = summary.buildReport({ scenario: 's1', data: s1Data({ attempts: 310000, successes: 300000, rejections: 10000, exhausted: 0, errors: 0, p95: 3 }), cfg })
  assert.equal(ok.passed, true, JSON.stringify(ok.rows))
  assert.match(summary.renderReport(ok), /RESULT: PASS/)
  const crossed = summary.buildReport({ scenario: 's1', data: s1Data({ attempts: 310000, successes: 300000, rejections: 10000, exhausted: 0, errors: 0, p95: 3, thresholdsOk: false }), cfg })
  assert.equal(crossed.passed, false)
  assert.match(summary.renderReport(crossed), /k6 thresholds crossed: command_duration p\(95\)<10/)
})

test('missing metrics read as NO DATA, absent counters as 0', () => {
  const data = { metrics: { attempts: counter(10), successes: counter(10) } }
  const r = summary.buildReport({ scenario: 's1', data, cfg })
  assert.equal(r.rows.find((x: any) => x.metric === 'p95 command latency').status, 'NO DATA')
  assert.equal(r.rows.find((x: any) => x.metric === 'errors').status, 'PASS')
  assert.equal(r.accounting.ok, true)
})

test('the machine-readable 1.0.0 summary shape is read too', () => {
  const data = {
    version: '1.0.0',
    config: { duration: 30 },
    results: {
      metrics: [
        { name: 'attempts', ...counter(10) },
        { name: 'successes', ...counter(9) },
        { name: 'errors', ...counter(1) },
        { name: 'op_duration', ...trend(2) },
      ],
    },
  }
  const n = summary.normalize(data)
  assert.equal(n.testRunDurationSec, 30)
  assert.equal(summary.value(n.metrics, 'op_duration', 'p(95)'), 2)
  assert.equal(summary.checkAccounting(n.metrics).ok, true)
})

test('S4 growth row: flat page cost passes, growing cost misses', () => {
  const c4 = config.loadConfig({ SIZES: '100,1000,10000' })
  const mk = (p95s: number[]) => ({
    metrics: {
      attempts: counter(30),
      successes: counter(30),
      ...Object.fromEntries(c4.sizes.map((s: number, i: number) => [`page_duration{size:${s}}`, trend(p95s[i])])),
      ...Object.fromEntries(c4.sizes.map((s: number) => [`events_read{size:${s}}`, counter(1000)])),
    },
  })
  const growth = (d: any) => summary.buildReport({ scenario: 's4', data: d, cfg: c4 }).rows.find((r: any) => r.metric.startsWith('p95 growth'))
  assert.equal(growth(mk([2, 2.2, 2.4])).status, 'PASS')
  assert.equal(growth(mk([2, 5, 20])).status, 'MISS')
})

test('S3 knee mode: a row per batch size, target only at batch 100', () => {
  const c3 = config.loadConfig({ S3_MODE: 'knee', BATCH_SIZES: '1,10,100', STEP_DURATION: '10s' })
  const rows = targets.targetRows('s3', c3)
  const tp = rows.filter((r: any) => r.metric.startsWith('events/s'))
  assert.deepEqual(tp.map((r: any) => r.op), [null, null, '>='])
  const data = { metrics: { attempts: counter(1), successes: counter(1), 'events_written{batch:100}': counter(1_200_000), 'events_written{batch:1}': counter(50_000) } }
  const r = summary.buildReport({ scenario: 's3', data, cfg: c3 })
  const row = r.rows.find((x: any) => x.metric === 'events/s at batch 100')
  assert.equal(row.value, 120000)
  assert.equal(row.status, 'PASS')
  assert.equal(r.rows.find((x: any) => x.metric === 'events/s at batch 1').value, 5000)
})

test('thresholds: every scenario encodes its targets in k6 syntax', () => {
  const re = /^(count|rate|avg|min|med|max|p\(\d+(\.\d+)?\))\s*(<|<=|>|>=|==)\s*\d+(\.\d+)?$/
  for (const id of Object.keys(targets.SCENARIOS)) {
    const t = targets.thresholds(id, config.loadConfig({}, { duration: targets.DEFAULTS[id].duration }))
    assert.deepEqual(t.errors, ['count==0'], id)
    for (const [metric, list] of Object.entries(t) as [string, string[]][]) {
      for (const expr of list) assert.match(expr, re, `${id} ${metric}: ${expr}`)
    }
  }
  const s1 = targets.thresholds('s1', cfg)
  assert.deepEqual(s1.command_duration, ['p(95)<10'])
  // offered 11,000/s by default: kept up = the target's 10,000/s x 30 s (95 % would be 313,500)
  assert.deepEqual(s1.completed, [`count>=${10000 * 30}`])
  // offered below the target: 95 % of what was offered
  assert.deepEqual(targets.thresholds('s1', config.loadConfig({ DURATION: '30s', RATE: '5000' })).completed, [`count>=${Math.floor(5000 * 30 * 0.95)}`])
  assert.deepEqual(targets.thresholds('s6', config.loadConfig({}))['consumer_rate{every:100}'], ['avg>=100000'])
  assert.equal(targets.offeredRate('s1', config.loadConfig({ RATE: '500' })), 500)
})

test('handleSummary: prints the table and writes JSON under the results folder', () => {
  const c = config.loadConfig({ RESULTS_DIR: 'load/results/', LABEL: 'node, durability=full' })
  const out = summary.makeHandleSummary('s1', c)(s1Data({ attempts: 10, successes: 10, rejections: 0, exhausted: 0, errors: 0, p95: 1 }))
  const files = Object.keys(out).filter((k) => k !== 'stdout')
  assert.equal(files.length, 1)
  assert.match(files[0], /^load\/results\/s1-single-stream-\d{8}T\d{6}Z\.json$/)
  assert.match(out.stdout, /S1 single-stream commands/)
  assert.match(out.stdout, /results: load\/results\/s1-single-stream-/)
  const json = JSON.parse(out[files[0]])
  assert.equal(json.scenario, 's1')
  assert.equal(json.label, 'node, durability=full')
  assert.ok(json.k6.metrics.attempts)
  assert.equal(typeof json.text, 'string')
})

test('default offered rates are over each throughput target: a run that keeps up with 95 % of it passes the row and k6 alike', () => {
  for (const id of ['s1', 's2', 's3', 's5']) {
    const target = targets.TARGET_RATES[id]
    const offered = targets.DEFAULTS[id].rate
    assert.ok(offered * 0.95 >= target, `${id}: offered ${offered}/s, 95 % of it is under the target ${target}/s`)
  }
  // S1 at the default rate, 96 % completed: the table's row and k6's threshold both pass
  const completed = Math.floor(targets.DEFAULTS.s1.rate * 30 * 0.96)
  const r = summary.buildReport({ scenario: 's1', data: s1Data({ attempts: completed, successes: completed - 9000, rejections: 9000, exhausted: 0, errors: 0, p95: 3 }), cfg })
  assert.equal(r.rows.find((x: any) => x.metric === 'commands/s').status, 'PASS')
  const [threshold] = targets.thresholds('s1', cfg).completed
  assert.ok(completed >= Number(threshold.split('>=')[1]), `${completed} completed crosses ${threshold}`)
})

test('S8 table: appends/s with subscribers over none, delivery p99, memory per idle subscriber', () => {
  const c = config.loadConfig({ DURATION: '20s' })
  const gauge = (value: number) => ({ type: 'gauge', contains: 'default', values: { value, min: value, max: value } })
  const data = (loaded: number, p99: number, perSubscriberKb: number) => ({
    metrics: {
      attempts: counter(20000 + loaded + 100),
      successes: counter(20000 + loaded + 100),
      appended_none: counter(20000),
      appended_loaded: counter(loaded),
      delivery_latency: trend(p99 / 1.5, { 'p(99)': p99 }),
      memory_before: gauge(80e6),
      memory_after: gauge(80e6 + perSubscriberKb * 1024 * 1000),
    },
  })
  const row = (r: any, m: RegExp) => r.rows.find((x: any) => m.test(x.metric))
  const ok = summary.buildReport({ scenario: 's8', data: data(19000, 30, 11), cfg: c })
  assert.equal(row(ok, /^appends\/s, no subscriber/).actual, '1,000/s')
  assert.equal(row(ok, /with 1000 subscribers \/ with none/).actual, '0.95x')
  assert.equal(row(ok, /with 1000 subscribers \/ with none/).status, 'PASS')
  assert.equal(row(ok, /delivery p99/).status, 'PASS')
  assert.equal(row(ok, /per idle subscriber/).actual, '11')
  assert.equal(row(ok, /per idle subscriber/).status, 'PASS')
  assert.equal(ok.passed, true, JSON.stringify(ok.rows))
  const slow = summary.buildReport({ scenario: 's8', data: data(17000, 80, 25), cfg: c })
  assert.deepEqual(
    [row(slow, /\/ with none/).status, row(slow, /delivery p99/).status, row(slow, /per idle subscriber/).status],
    ['MISS', 'MISS', 'MISS'],
  )
  // receiving every event: half the rate is the target, memory is reported only
  const all = summary.buildReport({ scenario: 's8', data: data(11000, 30, 25), cfg: config.loadConfig({ DURATION: '20s', MATCH: 'all' }) })
  assert.equal(row(all, /\/ with none/).target, '>= 0.50x')
  assert.equal(row(all, /\/ with none/).status, 'PASS')
  assert.equal(row(all, /memory per subscriber/).status, 'INFO')
  // no /metrics (or no RSS in it): the memory row has no data
  const { memory_before: _b, memory_after: _a, ...noMemory } = data(19000, 30, 11).metrics
  assert.equal(row(summary.buildReport({ scenario: 's8', data: { metrics: noMemory }, cfg: c }), /per idle subscriber/).status, 'NO DATA')
})

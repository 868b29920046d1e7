import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startServer, type RunningServer } from './contract/server.ts'

/** Value of one sample line, e.g. `edgelog_appends_total{outcome="ok"}`; 0 when absent. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.split(' ')[0] === name)
  return line ? Number(line.split(' ').pop()) : 0
}

for (const runtime of ['node', 'bun', 'deno'] as const) {
  describe(`GET /metrics (${runtime})`, () => {
    let server: RunningServer
    before(async () => {
      server = await startServer(runtime)
    })
    after(() => server.stop())

    it('counts appends, events, conflicts, commit groups and HTTP requests in Prometheus text', async () => {
      const post = (body: unknown) =>
        fetch(`${server.baseUrl}/v1/streams/metrics-1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      assert.equal((await post({ events: [{ type: 'A' }, { type: 'B' }] })).status, 201)
      assert.equal((await post({ events: [{ type: 'C' }], expectedRevision: 1 })).status, 201)
      assert.equal((await post({ events: [{ type: 'D' }], expectedRevision: 0 })).status, 409)
      const res = await fetch(`${server.baseUrl}/metrics`)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
      const text = await res.text()
      assert.equal(sample(text, 'edgelog_appends_total{outcome="ok"}'), 2)
      assert.equal(sample(text, 'edgelog_appends_total{outcome="conflict"}'), 1)
      assert.equal(sample(text, 'edgelog_events_appended_total'), 3)
      assert.equal(sample(text, 'edgelog_conflicts_total'), 1)
      assert.equal(sample(text, 'edgelog_append_duration_seconds_count'), 3)
      assert.ok(sample(text, 'edgelog_commit_group_events_count') >= 1)
      assert.ok(sample(text, 'edgelog_commit_group_requests_sum') >= 3)
      assert.equal(sample(text, 'edgelog_writer_queue_events'), 0)
      assert.ok(sample(text, 'edgelog_head_cache_hits_total') + sample(text, 'edgelog_head_cache_misses_total') >= 3)
      assert.match(text, /edgelog_http_request_duration_seconds_count\{method="POST",route="\/v1\/streams\/:stream",status="201"\} 2/)
      assert.match(text, /edgelog_subscriptions_active 0/)
      assert.match(text, /edgelog_subscriptions_live_signal 1/)
      assert.match(text, /edgelog_subscription_lag_max_positions 0/)
      // the process's resident memory, under prom-client's name (S8 reads memory per subscriber from it)
      assert.ok(sample(text, 'process_resident_memory_bytes') > 10 * 2 ** 20, text.match(/^process_resident.*$/m)?.[0] ?? 'no process_resident_memory_bytes')
    })

    it('counts subscribers by state, shared-tail reads, fan-out latency, and events and bytes delivered', async () => {
      const scrape = async () => (await fetch(`${server.baseUrl}/metrics`)).text()
      const before = await scrape()
      const ac = new AbortController()
      const res = await fetch(`${server.baseUrl}/v1/subscribe?category=fanout`, { signal: ac.signal, headers: { accept: 'text/event-stream' } })
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
      let text = ''
      const until = async (what: RegExp) => {
        while (!what.test(text)) {
          const { value, done } = await reader.read()
          assert.ok(!done, `stream ended before ${what}`)
          text += value
        }
      }
      const post = (n: number) =>
        fetch(`${server.baseUrl}/v1/streams/fanout-1`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events: Array.from({ length: n }, () => ({ type: 'F', data: { blob: 'z'.repeat(100) } })) }),
        })
      await until(/^: edgelog subscription/m)
      // Live once it has scanned the (empty) category: wait for the gauge, then commit.
      for (let s = await scrape(); sample(s, 'edgelog_subscriptions{state="live"}') !== 1; s = await scrape()) {
        assert.ok(sample(s, 'edgelog_subscriptions{state="catching_up"}') + sample(s, 'edgelog_subscriptions{state="live"}') <= 1)
      }
      assert.equal((await post(3)).status, 201)
      await until(/(^id: .*\n[^]*){3}/m)
      const after = await scrape()
      // the sole writer hands the tail what it committed: fanned out, not read
      assert.equal(sample(after, 'edgelog_shared_tail_reads_total'), sample(before, 'edgelog_shared_tail_reads_total'), 'the commit reached the live subscriber without a read')
      assert.ok(sample(after, 'edgelog_shared_tail_fanout_seconds_count') - sample(before, 'edgelog_shared_tail_fanout_seconds_count') >= 1)
      assert.equal(sample(after, 'edgelog_subscription_events_pushed_total') - sample(before, 'edgelog_subscription_events_pushed_total'), 3)
      assert.ok(sample(after, 'edgelog_subscription_bytes_pushed_total') - sample(before, 'edgelog_subscription_bytes_pushed_total') >= 300)
      assert.equal(sample(after, 'edgelog_subscription_slots_used'), 1)
      ac.abort()
    })
  })
}

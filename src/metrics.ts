import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { EventLog } from './core/eventLog.ts'
import type { CommitBackend } from './core/types.ts'

export interface HttpMetrics {
  middleware: MiddlewareHandler
  handler: (c: Context) => Promise<Response>
}

const LATENCY = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
const SIZES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]

/**
 * Prometheus metrics for Node, Bun and Deno (prom-client runs on all three). Workers have
 * none: per-isolate counters say nothing about a deployment (see README).
 */
export function createMetrics(log: EventLog, backend: CommitBackend): HttpMetrics {
  const registry = new Registry()
  const registers = [registry]
  const appends = new Counter({ name: 'edgelog_appends_total', help: 'Append requests by outcome', labelNames: ['outcome'], registers })
  const events = new Counter({ name: 'edgelog_events_appended_total', help: 'Events committed', registers })
  const conflicts = new Counter({ name: 'edgelog_conflicts_total', help: 'Appends refused with 409 (expected revision, event id, condition)', registers })
  const appendLatency = new Histogram({ name: 'edgelog_append_duration_seconds', help: 'Append latency from hand-off to commit', buckets: LATENCY, registers })
  const groupEvents = new Histogram({ name: 'edgelog_commit_group_events', help: 'Events per commit group', buckets: SIZES, registers })
  const groupRequests = new Histogram({ name: 'edgelog_commit_group_requests', help: 'Append requests per commit group', buckets: SIZES, registers })
  const groupDuration = new Histogram({ name: 'edgelog_commit_group_duration_seconds', help: 'Time to evaluate and commit one group', buckets: LATENCY, registers })
  const http = new Histogram({ name: 'edgelog_http_request_duration_seconds', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], buckets: LATENCY, registers })
  new Gauge({ name: 'edgelog_writer_queue_events', help: 'Events waiting for the writer', registers, collect() { this.set(log.writer.depth) } })
  new Counter({ name: 'edgelog_head_cache_hits_total', help: 'Stream-head cache hits', registers, collect() { this.reset(); this.inc(backend.stats?.().headCacheHits ?? 0) } })
  new Counter({ name: 'edgelog_head_cache_misses_total', help: 'Stream-head cache misses', registers, collect() { this.reset(); this.inc(backend.stats?.().headCacheMisses ?? 0) } })
  const subs = () => log.subscriptions.stats()
  new Gauge({ name: 'edgelog_subscriptions_active', help: 'Open subscriptions (SSE and long polls)', registers, collect() { this.set(subs().active) } })
  new Counter({ name: 'edgelog_subscription_events_pushed_total', help: 'Events delivered to subscribers', registers, collect() { this.reset(); this.inc(subs().eventsPushed) } })
  new Gauge({ name: 'edgelog_subscription_lag_positions', help: 'Largest distance between the log head and a subscriber', registers, collect() { this.set(subs().maxLag) } })

  log.onAppend((ms, n, outcome) => {
    appends.inc({ outcome })
    appendLatency.observe(ms / 1000)
    if (outcome === 'ok') events.inc(n)
    if (outcome === 'conflict') conflicts.inc()
  })
  log.writer.onGroup((g) => {
    groupEvents.observe(g.events)
    groupRequests.observe(g.requests)
    groupDuration.observe(g.durationMs / 1000)
  })

  return {
    async middleware(c, next) {
      const started = performance.now()
      await next()
      http.observe({ method: c.req.method, route: routePath(c), status: String(c.res.status) }, (performance.now() - started) / 1000)
    },
    async handler(c) {
      return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType })
    },
  }
}

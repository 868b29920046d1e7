import { memoryUsage } from 'node:process'
import type { Context } from 'hono'
import { routePath } from 'hono/route'
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { EventLog } from './core/eventLog.ts'
import type { CommitBackend } from './core/types.ts'
import type { Lifecycle } from './core/lifecycle.ts'
import type { Subjects } from './core/lifecycleSubjects.ts'

export interface HttpMetrics {
  /** a request's duration, once answered (app.ts's front middleware calls it) */
  observe: (c: Context, ms: number) => void
  handler: (c: Context) => Promise<Response>
  /** this log's metrics (a tenant's carry its `tenant` label) */
  registry: Registry
}

export interface MetricsOptions {
  /** labels on every series of this log: `{ tenant }` for a tenant's log */
  labels?: Record<string, string>
  /** other logs' registries, shown beside this one's at /metrics (the open tenants) */
  others?: () => Registry[]
}

const LATENCY = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
const SIZES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]

/**
 * Prometheus metrics for Node, Bun and Deno (prom-client runs on all three). Workers have
 * none: per-isolate counters say nothing about a deployment (see README).
 */
/** HTTP methods counted under their own name (RFC 9110 §9 and PATCH); others are OTHER */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])

export function createMetrics(log: EventLog, backend: CommitBackend, lifecycle?: Lifecycle, subjects?: Subjects, options: MetricsOptions = {}): HttpMetrics {
  const registry = new Registry()
  if (options.labels) registry.setDefaultLabels(options.labels)
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
  // Subscription figures are read from the hub at scrape time (docs/subscriptions.md#metrics).
  const subs = () => log.subscriptions.stats()
  const gauge = (name: string, help: string, read: () => number) => new Gauge({ name, help, registers, collect() { this.set(read()) } })
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()) } })
  // The process's, so once (not in each tenant's registry), under prom-client's name for it:
  // what memory per subscriber is read from (load/s8-fanout.js)
  if (!options.labels) gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => memoryUsage.rss())
  gauge('edgelog_subscriptions_active', 'Open SSE subscriptions', () => subs().active)
  new Gauge({
    name: 'edgelog_subscriptions',
    help: 'Open subscriptions by state: catching_up (reading on their own) or live (on the shared tail)',
    labelNames: ['state'],
    registers,
    collect() {
      const s = subs()
      this.set({ state: 'catching_up' }, s.catchingUp)
      this.set({ state: 'live' }, s.live)
    },
  })
  gauge('edgelog_subscription_slots_used', 'Subscriptions and waiting long polls counted against MAX_SUBSCRIPTIONS', () => subs().slots)
  gauge('edgelog_subscription_slots_max', 'MAX_SUBSCRIPTIONS', () => log.limits.maxSubscriptions)
  counter('edgelog_shared_tail_reads_total', 'Reads the shared tail made for all live subscribers (one per page after a commit or poll)', () => subs().tailReads)
  counter('edgelog_subscription_bytes_pushed_total', 'Payload bytes (stored data + metadata) delivered to subscribers', () => subs().bytesPushed)
  const fanout = new Histogram({
    name: 'edgelog_shared_tail_fanout_seconds',
    help: 'From a commit (or poll) to every live subscriber holding the page the shared tail read',
    buckets: LATENCY,
    registers,
  })
  const fanoutEvents = new Histogram({ name: 'edgelog_shared_tail_page_events', help: 'Events per page the shared tail fanned out', buckets: SIZES, registers })
  log.subscriptions.onFanout((ms, n) => {
    fanout.observe(ms / 1000)
    fanoutEvents.observe(n)
  })
  gauge('edgelog_long_polls_waiting', 'Long polls waiting for events', () => subs().waiting)
  counter('edgelog_subscriptions_opened_total', 'Subscriptions opened', () => subs().opened)
  counter('edgelog_subscription_events_pushed_total', 'Events delivered to subscribers', () => subs().eventsPushed)
  counter('edgelog_consumer_checkpoints_saved_total', 'Checkpoints saved by subscriptions', () => subs().checkpointsSaved)
  counter('edgelog_subscriptions_stalled_disconnects_total', 'Subscribers cut off for not reading', () => subs().stalledDisconnects)
  gauge('edgelog_subscription_lag_max_positions', 'Largest distance between the log head and a subscriber', () => subs().maxLag)
  gauge('edgelog_subscriptions_live_signal', '1 when commits wake subscriptions, 0 when they poll', () => (subs().mode === 'signal' ? 1 : 0))
  counter('edgelog_head_cache_hits_total', 'Stream-head cache hits', () => backend.stats?.().headCacheHits ?? 0)
  counter('edgelog_head_cache_misses_total', 'Stream-head cache misses', () => backend.stats?.().headCacheMisses ?? 0)
  // shared writers / remote: groups committed in one batch, and groups a refused guard sent to command-by-command evaluation
  counter('edgelog_commit_groups_one_batch_total', 'Groups committed in one write batch (no trusted memory)', () => backend.stats?.().oneTripGroups ?? 0)
  counter('edgelog_commit_groups_fallback_total', 'Groups re-evaluated command by command after a refused guard', () => backend.stats?.().fallbackGroups ?? 0)

  if (lifecycle) {
    // Data lifecycle (docs/api.md): what deletes, truncation and retention removed, and the file's pages.
    const removed = new Counter({ name: 'edgelog_events_removed_total', help: 'Events removed, by reason: delete, truncate, retention', labelNames: ['reason'], registers })
    const deleted = new Counter({ name: 'edgelog_streams_deleted_total', help: 'Streams deleted, by mode: soft or hard', labelNames: ['mode'], registers })
    lifecycle.onRemoved((reason, n, mode) => {
      removed.inc({ reason }, n)
      if (reason === 'delete' && mode) deleted.inc({ mode })
    })
    const pageGauge = (name: string, help: string, pick: (p: { count: number; free: number }) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const p = await lifecycle.pages().catch(() => null)
          if (p) this.set(pick(p))
        },
      })
    pageGauge('edgelog_database_pages', 'Pages of the database (PRAGMA page_count)', (p) => p.count)
    pageGauge('edgelog_database_free_pages', 'Free pages in the database (PRAGMA freelist_count): reused by later writes, returned by incremental vacuum', (p) => p.free)
  }

  if (subjects) {
    counter('edgelog_subjects_erased_total', 'Data subjects erased (keys destroyed)', () => subjects.stats().erased)
    counter('edgelog_subject_events_sealed_total', 'Events stored encrypted for a data subject', () => subjects.stats().sealed)
    counter('edgelog_erased_events_read_total', 'Events read with their payloads erased', () => subjects.stats().erasedReads)
  }

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

  const children = new Map<string, ReturnType<typeof http.labels>>()
  return {
    observe(c, ms) {
      // One child per (method, route, status), made once: prom-client builds and checks
      // the label object on every observe() otherwise.
      const route = routePath(c)
      const status = c.res.status
      // The method is the client's: any but the standard ones is counted as OTHER, so a
      // client cannot grow the series (and /metrics) without bound.
      const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER'
      const key = `${method} ${status} ${route}`
      let child = children.get(key)
      if (!child) {
        child = http.labels(method, route, String(status))
        children.set(key, child)
      }
      child.observe(ms / 1000)
    },
    async handler(c) {
      const others = options.others?.() ?? []
      if (!others.length) return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType })
      // One family per metric name (a second TYPE line would be invalid text format):
      // each tenant's series differ by their `tenant` label, so summing keeps them apart.
      const all = await Promise.all([registry, ...others].map((r) => r.getMetricsAsJSON()))
      return c.body(await AggregatorRegistry.aggregate(all).metrics(), 200, { 'Content-Type': registry.contentType })
    },
    registry,
  }
}

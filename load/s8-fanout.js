// S8 Fan-out — docs/performance.md "The scenarios" (the in-process twin: npm run bench:fanout)
//
// One run, two phases of APPENDERS closed-loop clients (default 10) appending one event at
// a time to 100 streams, each phase DURATION long (default 20s):
//   1. no subscriber;
//   2. SUBSCRIBERS live subscriptions (default 1,000; GET /v1/subscribe, one VU each) whose
//      filters match none of the appended events (MATCH=none, default) or every one
//      (MATCH=all), connected during CONNECT (default 15s) between the phases.
// Appends/s of phase 2 over phase 1 is the fan-out's cost. During phase 2, PROBES clients
// (default 4) measure commit -> delivery: each subscribes to an event type of its own
// (max=1) and, in the same http.batch, appends one event of it; the latency runs from the
// event's `time` (the server's commit) to the probe's receipt, so the load generator and
// the server must share a clock (the same machine, or clocks in sync).
// The server's resident memory (GET /metrics, process_resident_memory_bytes: Node, Bun,
// Deno) is read before and after the subscribers connect: its growth per subscriber.
//
// k6 reads a response only once it ends, so a subscriber's response (discarded as it
// arrives, responseType 'none') ends by its timeout after phase 2: one request-timeout
// warning per subscriber, expected. The server needs MAX_SUBSCRIPTIONS >= SUBSCRIBERS +
// PROBES (npm run load sets it).
//
// Targets (SCENARIOS.md S8): with 1,000 subscribers >= 90 % of the appends/s of none
// (MATCH=none), >= 50 % (MATCH=all); delivery p99 < 50 ms; < 20 KB per idle subscriber.
// Accounting: attempts = successes + errors (appends of both phases and the probes').
//
//   npm run load -- s8 [--runtime node|bun|deno]; MATCH=all npm run load -- s8
//   SUBSCRIBERS=1000 MATCH=none BASE_URL=http://127.0.0.1:3000 k6 run load/s8-fanout.js
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
import { Counter, Gauge, Trend } from 'k6/metrics';
import { loadConfig } from './lib/config.js';
import { deliveryMs, dur, phases, probePath, residentBytes, subscriberPath, types } from './lib/fanout.js';
import { client, requireHealthy, seg, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { makeRunTag, payload, randInt, streamName } from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s8.duration });
const api = client(cfg);
const plan = phases(cfg);

const attempts = new Counter('attempts');
const successes = new Counter('successes');
const errors = new Counter('errors');
const appendedNone = new Counter('appended_none');
const appendedLoaded = new Counter('appended_loaded');
const subscriberErrors = new Counter('subscriber_errors');
const delivery = new Trend('delivery_latency', true);
const memoryBefore = new Gauge('memory_before');
const memoryAfter = new Gauge('memory_after');

/** @param {number} start @param {number} duration @param {string} fn */
const appenders = (start, duration, fn) => ({
  executor: 'constant-vus',
  vus: cfg.appenders,
  startTime: dur(start),
  duration: dur(duration),
  gracefulStop: '5s',
  exec: fn,
});

/** @type {Record<string, any>} */
const scenarios = {
  none: appenders(plan.none.start, plan.none.duration, 'appendNone'),
  memory: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: dur(plan.memoryBefore), maxDuration: dur(plan.memoryAfter - plan.memoryBefore + 10), exec: 'memory' },
  loaded: appenders(plan.loaded.start, plan.loaded.duration, 'appendLoaded'),
  probes: { executor: 'constant-vus', vus: cfg.probes, startTime: dur(plan.loaded.start), duration: dur(plan.loaded.duration), gracefulStop: '5s', exec: 'probe' },
};
if (cfg.subscribers > 0) {
  scenarios.subscribers = {
    executor: 'per-vu-iterations',
    vus: cfg.subscribers,
    iterations: 1,
    startTime: dur(plan.subscribe.start),
    maxDuration: dur(plan.subscribe.until - plan.subscribe.start + 30),
    exec: 'subscribe',
  };
}

export const options = {
  scenarios,
  thresholds: thresholds('s8', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '2m',
};

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  return { tag: cfg.runTag || makeRunTag(Date.now(), Math.random) };
}

/** @param {{ tag: string }} data @param {string} type @param {Counter} counter */
function appendOne(data, type, counter) {
  const stream = streamName('fanout', data.tag, randInt(Math.random, 0, 99));
  const res = api.post(`/v1/streams/${seg(stream)}`, { events: [{ type, data: payload(200, exec.scenario.iterationInTest) }] }, 'append');
  attempts.add(1);
  if (res.status === 201) {
    successes.add(1);
    counter.add(1);
  } else {
    errors.add(1);
  }
}

/** @param {{ tag: string }} data */
export function appendNone(data) {
  appendOne(data, types(data.tag).none, appendedNone);
}

/** @param {{ tag: string }} data */
export function appendLoaded(data) {
  appendOne(data, types(data.tag).loaded, appendedLoaded);
}

/** One live subscription for the rest of the run; its events are discarded as they come. @param {{ tag: string }} data */
export function subscribe(data) {
  const res = http.get(cfg.baseUrl + subscriberPath(data.tag, cfg.match), {
    headers: { Accept: 'text/event-stream' },
    responseType: 'none',
    timeout: dur(plan.subscribe.until - plan.subscribe.start + 2),
    tags: { name: 'subscriber' },
  });
  // the end expected: k6's timeout (status 0, error code 1050) after phase 2, with the
  // stream still open; an answer with a status is a refusal (503: MAX_SUBSCRIPTIONS) or a
  // stream the server ended
  if (res.status !== 0 || res.error_code !== 1050) subscriberErrors.add(1);
}

/** Commit -> delivery of one event of the probe's own type. @param {{ tag: string }} data */
export function probe(data) {
  const type = types(data.tag).probe(exec.vu.idInTest, exec.vu.iterationInScenario);
  const stream = streamName('fanprobe', data.tag, exec.vu.idInTest);
  const [sub, append] = http.batch([
    ['GET', cfg.baseUrl + probePath(type), null, { headers: { Accept: 'text/event-stream' }, responseType: 'text', timeout: '10s', tags: { name: 'probe-subscribe' } }],
    ['POST', `${cfg.baseUrl}/v1/streams/${seg(stream)}`, JSON.stringify({ events: [{ type }] }), { headers: { 'Content-Type': 'application/json' }, timeout: '10s', tags: { name: 'probe-append' } }],
  ]);
  const received = Date.now();
  attempts.add(1);
  const ms = sub.status === 200 && append.status === 201 ? deliveryMs(String(sub.body), type, received) : null;
  if (ms === null) {
    errors.add(1);
    return;
  }
  successes.add(1);
  delivery.add(ms);
}

/** The server's resident memory before and after the subscribers connect. */
export function memory() {
  const read = () => {
    const res = http.get(`${cfg.baseUrl}/metrics`, { tags: { name: 'metrics' } });
    return res.status === 200 ? residentBytes(String(res.body)) : null;
  };
  const before = read();
  sleep(plan.memoryAfter - plan.memoryBefore);
  const after = read();
  if (before !== null && after !== null) {
    memoryBefore.add(before);
    memoryAfter.add(after);
  }
}

export const handleSummary = makeHandleSummary('s8', cfg);

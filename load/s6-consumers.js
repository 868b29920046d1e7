// S6 Consumers and checkpoints — docs/performance.md "The scenarios"
//
// Uses GET /v1/subscribe (Server-Sent Events; docs/subscriptions.md) and
// GET/PUT /v1/consumers/:name:
//   - GET /v1/subscribe?category=<c>&from=<position>&limit=<n>&max=<n>&live=false sends
//     each event as an SSE message whose `id:` is its global position and whose `data:` is
//     the event as JSON, and ENDS THE RESPONSE after `max` events, or once caught up
//     (live=false). k6's http module buffers a response until it ends — it cannot read an
//     endless stream — so a bounded subscription is how a k6 consumer walks the catch-up
//     path in windows of PAGE_SIZE events.
//   - PUT /v1/consumers/<name> with { position } saves a checkpoint; GET returns it.
// TRANSPORT=poll reads the same events with GET /v1/categories/<c>?from=&limit= pages
// instead of /v1/subscribe (works on the core server except for the checkpoint PUTs).
//
// setup() seeds CONSUMER_EVENTS events (default 100,000) into one category over 100
// streams. Then one consumer per N in CHECKPOINT_EVERY (default 1,10,100,1000), one after
// another, reads all of them from the start, saving its checkpoint every N events (and
// once at the end), and reports events/s. The loss window of each N — events re-processed
// after a crash — is at most N - 1 (see docs/performance.md).
//
// Target: >= 100,000 events/s at N=100. Report: 5K/s at N=1, 15K/s at N=10, 50K/s at
// N=100, 80K/s at N=1000 (those are floors for the other N).
// Accounting: one attempt per consumer run: success when every event was seen in order
// and the last checkpoint reads back; errors otherwise.
//
//   npm run load -- s6 [--runtime node|bun|deno]
//   CHECKPOINT_EVERY=1,10,100,1000 BASE_URL=https://edgelog.example.com k6 run load/s6-consumers.js
import { Counter, Trend } from 'k6/metrics';
import { utf8Decode } from './lib/cbor.js';
import { loadConfig } from './lib/config.js';
import { client, requireHealthy, seg, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { makeRunTag, parseSse, payload, streamName } from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s6.duration });
const api = client(cfg);
const PAGE = __ENV.PAGE_SIZE ? cfg.pageSize : 1000;

const attempts = new Counter('attempts');
const successes = new Counter('successes');
const errors = new Counter('errors');
const consumed = new Counter('events_consumed');
const checkpoints = new Counter('checkpoints');
const consumerRate = new Trend('consumer_rate');
const checkpointDuration = new Trend('checkpoint_duration', true);
const windowDuration = new Trend('window_duration', true);

export const options = {
  scenarios: {
    s6: { executor: 'shared-iterations', vus: 1, iterations: 1, maxDuration: cfg.duration },
  },
  thresholds: thresholds('s6', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '30m',
};

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  const tag = cfg.runTag || makeRunTag(Date.now(), Math.random);
  const category = `s6c${tag}`;
  let firstPosition = -1;
  let lastPosition = -1;
  let written = 0;
  while (written < cfg.consumerEvents) {
    const items = [];
    for (let k = 0; k < 4 && written < cfg.consumerEvents; k++) {
      const n = Math.min(cfg.seedBatch, cfg.consumerEvents - written);
      const events = [];
      for (let e = 0; e < n; e++) events.push({ type: 'Happened', data: payload(100, written + e) });
      items.push({ path: `/v1/streams/${seg(streamName(category, '', Math.floor(written / cfg.seedBatch) % 100))}`, body: { events } });
      written += n;
    }
    for (const r of api.postAll(items, 'seed')) {
      if (r.status !== 201) throw new Error(`seeding failed: ${r.status} ${r.body}`);
      const out = api.parse(r);
      if (firstPosition === -1 || out.firstPosition < firstPosition) firstPosition = out.firstPosition;
      if (out.lastPosition > lastPosition) lastPosition = out.lastPosition;
    }
  }
  return { tag, category, firstPosition, lastPosition };
}

/**
 * One window of events from `from`: [{ position, ... }] or null on failure.
 * @param {string} category @param {number} from
 * @returns {{ events: { position: number }[], ms: number } | null}
 */
function readWindow(category, from) {
  if (cfg.transport === 'poll') {
    const res = api.get(`/v1/categories/${seg(category)}?from=${from}&limit=${PAGE}`, 'category-page');
    if (res.status !== 200) return null;
    return { events: api.parse(res).events, ms: res.timings.duration };
  }
  const res = api.get(`/v1/subscribe?category=${seg(category)}&from=${from}&limit=${PAGE}&max=${PAGE}&live=false`, 'subscribe-window');
  if (res.status !== 200) return null;
  const b = res.body;
  const text = typeof b === 'string' ? b : b ? utf8Decode(new Uint8Array(b)) : '';
  const events = parseSse(text.endsWith('\n\n') ? text : `${text}\n\n`)
    .messages.filter((m) => m.id !== null && m.data !== '')
    .map((m) => {
      const ev = JSON.parse(m.data);
      if (typeof ev.position !== 'number') ev.position = Number(m.id);
      return ev;
    });
  return { events, ms: res.timings.duration };
}

/**
 * @param {{ tag: string, category: string, firstPosition: number, lastPosition: number }} data
 * @param {number} every
 */
function consume(data, every) {
  const name = `s6-${data.tag}-every-${every}`;
  const tags = { every: String(every) };
  const total = data.lastPosition - data.firstPosition + 1;
  let from = data.firstPosition;
  let seen = 0;
  let since = 0;
  let lastPosition = -1;
  let ok = true;
  const started = Date.now();
  /** @param {number} position */
  const save = (position) => {
    const r = api.put(`/v1/consumers/${seg(name)}`, { position }, 'checkpoint');
    checkpointDuration.add(r.timings.duration, tags);
    checkpoints.add(1, tags);
    if (r.status < 200 || r.status >= 300) ok = false;
    since = 0;
  };
  while (ok && seen < total) {
    const w = readWindow(data.category, from);
    if (w === null || w.events.length === 0) {
      ok = false;
      break;
    }
    windowDuration.add(w.ms, tags);
    for (const ev of w.events) {
      if (ev.position <= lastPosition) ok = false; // out of order or duplicate
      lastPosition = ev.position;
      seen++;
      since++;
      if (since >= every) save(ev.position);
      if (!ok) break;
    }
    from = lastPosition + 1;
  }
  if (ok && since > 0) save(lastPosition);
  const seconds = (Date.now() - started) / 1000;
  consumed.add(seen, tags);
  if (ok && seen === total) {
    const back = api.get(`/v1/consumers/${seg(name)}`, 'checkpoint-read');
    const saved = back.status === 200 ? api.parse(back) : null;
    ok = !!saved && saved.position === lastPosition;
  }
  attempts.add(1, tags);
  if (ok && seen === total) {
    successes.add(1, tags);
    consumerRate.add(seen / Math.max(seconds, 0.001), tags);
  } else {
    errors.add(1, tags);
  }
}

/** @param {{ tag: string, category: string, firstPosition: number, lastPosition: number }} data */
export default function (data) {
  for (const every of cfg.checkpointEvery) consume(data, every);
}

export const handleSummary = makeHandleSummary('s6', cfg);

// S4 Reads at scale — docs/performance.md "The scenarios"
//
// setup() seeds, for each size N in SIZES (default 100,1000,10000,100000; add 1000000
// for the full table, seeding takes a while), one stream of N events in its own
// category, every event typed `Seeded<N>` and tagged `size:<N>`. Then reads pages of
// PAGE_SIZE (default 100) at random offsets, round robin over sizes and kinds:
//   stream    GET /v1/streams/:s?from=<revision>&limit=
//   type      GET /v1/all?from=<position>&types=Seeded<N>&limit=
//   category  GET /v1/categories/:c?from=<position>&limit=
//   tag       POST /v1/query { items: [{ tags: ["size:<N>"] }], from, limit } (DCB query,
//             docs/api.md; TAG_READS=0 leaves it out for servers without it)
// Open model at RATE pages/s (default 500).
//
// Measures events/s read and latency per page at each size. Target: the cost of a fixed
// page does not grow with the log (p95 at the largest size <= 2x p95 at the smallest),
// and every page's p95 < 50 ms.
//
//   npm run load -- s4
//   SIZES=100,1000,10000,1000000 BASE_URL=https://edgelog.example.com k6 run load/s4-reads.js
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { loadConfig } from './lib/config.js';
import { client, requireHealthy, seg, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { arrivalRate } from './lib/k6scenario.js';
import { makeRunTag, pageStart, payload, randInt, s4Pick, s4Tag, s4Type } from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s4.duration });
const api = client(cfg);

const attempts = new Counter('attempts');
const successes = new Counter('successes');
const errors = new Counter('errors');
const eventsRead = new Counter('events_read');
const pageDuration = new Trend('page_duration', true);

const KINDS = cfg.tagReads ? ['stream', 'type', 'category', 'tag'] : ['stream', 'type', 'category'];

export const options = {
  scenarios: {
    s4: arrivalRate('s4', cfg),
  },
  thresholds: thresholds('s4', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '30m',
};

/** @param {string} tag @param {number} size */
const category = (tag, size) => `s4n${size}t${tag}`;
/** @param {string} tag @param {number} size */
const stream = (tag, size) => `${category(tag, size)}-main`;

/**
 * @typedef {{ size: number, stream: string, category: string, firstPosition: number, lastPosition: number }} Seeded
 */

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  const tag = cfg.runTag || makeRunTag(Date.now(), Math.random);
  /** @type {Seeded[]} */
  const seeded = [];
  for (const size of cfg.sizes) {
    const s = stream(tag, size);
    let firstPosition = -1;
    let lastPosition = -1;
    let written = 0;
    while (written < size) {
      // a few requests in flight; one stream, so "any" keeps them independent
      const items = [];
      for (let k = 0; k < 4 && written < size; k++) {
        const n = Math.min(cfg.seedBatch, size - written);
        const events = [];
        for (let e = 0; e < n; e++) {
          events.push({ type: s4Type(size), data: payload(100, written + e), tags: [s4Tag(size), `k:${(written + e) % 10}`] });
        }
        items.push({ path: `/v1/streams/${seg(s)}`, body: { events, expectedRevision: 'any' } });
        written += n;
      }
      for (const r of api.postAll(items, 'seed')) {
        if (r.status !== 201) throw new Error(`seeding ${s} failed: ${r.status} ${r.body}`);
        const out = api.parse(r);
        if (firstPosition === -1 || out.firstPosition < firstPosition) firstPosition = out.firstPosition;
        if (out.lastPosition > lastPosition) lastPosition = out.lastPosition;
      }
    }
    seeded.push({ size, stream: s, category: category(tag, size), firstPosition, lastPosition });
  }
  return { seeded };
}

/**
 * @param {Seeded} d @param {string} kind
 * @returns {import('k6/http').Response}
 */
function readPage(d, kind) {
  const page = cfg.pageSize;
  const tags = { size: String(d.size), kind };
  const pos = d.firstPosition + randInt(Math.random, 0, Math.max(0, d.lastPosition - d.firstPosition + 1 - page));
  switch (kind) {
    case 'stream':
      return api.get(`/v1/streams/${seg(d.stream)}?from=${pageStart(Math.random, d.size, page)}&limit=${page}`, 'read-stream', tags);
    case 'type':
      return api.get(`/v1/all?from=${pos}&types=${s4Type(d.size)}&limit=${page}`, 'read-type', tags);
    case 'category':
      return api.get(`/v1/categories/${seg(d.category)}?from=${pos}&limit=${page}`, 'read-category', tags);
    default:
      return api.post('/v1/query', { items: [{ tags: [s4Tag(d.size)] }], from: pos, limit: page }, 'read-tag', tags);
  }
}

/** @param {{ seeded: Seeded[] }} data */
export default function (data) {
  const pick = s4Pick(exec.scenario.iterationInTest, data.seeded.map((d) => d.size), KINDS);
  const d = data.seeded.filter((x) => x.size === pick.size)[0];
  const res = readPage(d, pick.kind);
  const tags = { size: String(d.size), kind: pick.kind };
  attempts.add(1, tags);
  if (res.status !== 200) {
    errors.add(1, tags);
    return;
  }
  const body = api.parse(res);
  const n = body && body.events ? body.events.length : 0;
  pageDuration.add(res.timings.duration, tags);
  eventsRead.add(n, tags);
  successes.add(1, tags);
}

export const handleSummary = makeHandleSummary('s4', cfg);

// S5 Mixed load (Message DB profile) — docs/performance.md "The scenarios"
//
// 30 s, about 90 % writes and 10 % reads (READ_RATIO, default 0.1), 0 errors. Writes
// append one ~EVENT_SIZE-byte event to one of S5_STREAMS streams (default 100,
// expectedRevision "any"); reads fetch the last 10 events of one of them. Open model at
// RATE ops/s (default 12,086: the target + 10 %).
//
// Target: above 10,986 ops/s on this 2-core machine, 0 errors.
// Report: 10,986 ops/s, 0.91 ms average, 0 errors (299,619 writes, 29,967 reads in 30 s).
// Accounting: attempts = successes + errors (no expected revisions, no business rule).
//
//   npm run load -- s5 [--runtime node|bun|deno] [--media cbor]
//   BASE_URL=https://edgelog.example.com k6 run load/s5-mixed.js
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { loadConfig } from './lib/config.js';
import { client, requireHealthy, seg, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { arrivalRate } from './lib/k6scenario.js';
import { chooseOp, createRng, makeRunTag, payload, randInt, streamName, uuidv7 } from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s5.duration });
const api = client(cfg);

const attempts = new Counter('attempts');
const successes = new Counter('successes');
const errors = new Counter('errors');
const writes = new Counter('writes');
const reads = new Counter('reads');
const opDuration = new Trend('op_duration', true);

export const options = {
  scenarios: {
    s5: arrivalRate('s5', cfg),
  },
  thresholds: thresholds('s5', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '2m',
};

const idRng = createRng(Date.now() ^ Math.floor(Math.random() * 0x7fffffff));

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  const runTag = cfg.runTag || makeRunTag(Date.now(), Math.random);
  // every stream exists before the load starts, so reads never meet a 404
  for (let i = 0; i < cfg.streams; i += 50) {
    const items = [];
    for (let j = i; j < Math.min(cfg.streams, i + 50); j++) {
      items.push({ path: `/v1/streams/${seg(streamName('mixed', runTag, j))}`, body: { events: [{ type: 'Started', data: payload(cfg.eventSize, 0) }] } });
    }
    for (const r of api.postAll(items, 'seed')) {
      if (r.status !== 201) throw new Error(`seeding failed: ${r.status} ${r.body}`);
    }
  }
  return { runTag };
}

/** @param {{ runTag: string }} data */
export default function (data) {
  const s = streamName('mixed', data.runTag, randInt(Math.random, 0, cfg.streams - 1));
  const op = chooseOp(Math.random, cfg.readRatio);
  let res;
  if (op === 'write') {
    /** @type {Record<string, unknown>} */
    const event = { type: 'Recorded', data: payload(cfg.eventSize, exec.scenario.iterationInTest) };
    if (cfg.sendIds) event.id = uuidv7(Date.now(), idRng);
    res = api.post(`/v1/streams/${seg(s)}`, { events: [event] }, 'write', { op });
  } else {
    res = api.get(`/v1/streams/${seg(s)}?direction=backward&limit=10`, 'read', { op });
  }
  opDuration.add(res.timings.duration, { op });
  attempts.add(1);
  if (res.status === (op === 'write' ? 201 : 200)) {
    successes.add(1);
    (op === 'write' ? writes : reads).add(1);
  } else {
    errors.add(1);
  }
}

export const handleSummary = makeHandleSummary('s5', cfg);

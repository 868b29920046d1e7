// S3 Batched writes — docs/performance.md "The scenarios"
//
// Each request is one POST /v1/append of BATCH_SIZE events (default 100) spread over
// STREAMS streams (default 5), expectedRevision "any", each event's data ~EVENT_SIZE bytes
// (200 for small events, 10240 for large ones). Durability is the server's setting:
// start it with DURABILITY=full|normal (npm run load -- s3 --durability normal).
//
// S3_MODE=target (default): open model at RATE batches/s (default 1,100 = 110,000
//   events/s at batch 100) for DURATION; target >= 100,000 events/s over HTTP at batch 100.
// S3_MODE=knee: one closed-model step per size in BATCH_SIZES (default 1,2,5,10,20,50,100),
//   each STEP_DURATION (default 10s) with VUS clients sending back to back; the table shows
//   events/s and p95 per batch size, to find where larger batches stop paying.
//
// Report: 755 events/s (target 20,000+); 159 events/s with flush at batch 10.
// Accounting: attempts = successes + errors per request ("any" cannot conflict and there
// is no business rule, so rejections and conflicts_exhausted stay 0).
//
//   npm run load -- s3 [--media cbor] [--durability normal]
//   BATCH_SIZE=100 EVENT_SIZE=10240 BASE_URL=https://edgelog.example.com k6 run load/s3-batched-writes.js
//   S3_MODE=knee k6 run load/s3-batched-writes.js
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { loadConfig, parseDuration } from './lib/config.js';
import { client, requireHealthy, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { arrivalRate } from './lib/k6scenario.js';
import { countEvents, createRng, makeBatch, makeRunTag, streamName, uuidv7 } from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s3.duration });
const api = client(cfg);

const attempts = new Counter('attempts');
const successes = new Counter('successes');
const errors = new Counter('errors');
const eventsWritten = new Counter('events_written');
const batchDuration = new Trend('batch_duration', true);

const POOL = 1000; // streams written round robin
const vus = cfg.vus !== null ? cfg.vus : DEFAULTS.s3.vus;

/** @returns {Record<string, any>} */
function scenarios() {
  if (cfg.s3Mode === 'target') {
    return {
      s3: arrivalRate('s3', cfg, { tags: { batch: String(cfg.batchSize) } }),
    };
  }
  /** @type {Record<string, any>} */
  const out = {};
  const step = parseDuration(cfg.stepDuration);
  cfg.batchSizes.forEach((b, i) => {
    out[`batch_${b}`] = {
      executor: 'constant-vus',
      vus,
      duration: cfg.stepDuration,
      startTime: `${i * (step + 2)}s`, // 2 s apart so steps do not overlap
      gracefulStop: '2s',
      tags: { batch: String(b) },
    };
  });
  return out;
}

export const options = {
  scenarios: scenarios(),
  thresholds: thresholds('s3', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '2m',
};

const idRng = createRng(Date.now() ^ Math.floor(Math.random() * 0x7fffffff));

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  return { runTag: cfg.runTag || makeRunTag(Date.now(), Math.random) };
}

/** Batch size of the running step. */
function currentBatchSize() {
  if (cfg.s3Mode === 'target') return cfg.batchSize;
  return Number(exec.scenario.name.replace('batch_', ''));
}

/** @param {{ runTag: string }} data */
export default function (data) {
  const batchSize = currentBatchSize();
  const n = exec.scenario.iterationInTest;
  const base = (n * cfg.streamsPerBatch) % POOL;
  const body = makeBatch({
    batchSize,
    streams: cfg.streamsPerBatch,
    eventSize: cfg.eventSize,
    stream: (j) => streamName('batch', data.runTag, (base + j) % POOL),
    seq: n * batchSize,
    ids: cfg.sendIds ? () => uuidv7(Date.now(), idRng) : undefined,
  });
  const res = api.post('/v1/append', body, 'append-batch');
  batchDuration.add(res.timings.duration);
  attempts.add(1);
  if (res.status === 201) {
    successes.add(1);
    eventsWritten.add(countEvents(body));
  } else {
    errors.add(1);
  }
}

export const handleSummary = makeHandleSummary('s3', cfg);

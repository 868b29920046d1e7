// S2 Multi-stream commands (orders with inventory) — docs/performance.md "The scenarios"
//
// 50 product streams (opened in setup with INITIAL_STOCK each), CUSTOMERS customer
// streams (created by their first order), one new order stream per command. Each command
// reads the 1-3 products' last events (stock) and the customer's head in parallel,
// rejects when a product's stock would go below zero, and otherwise appends atomically
// with POST /v1/append to 2-5 streams — the order (expectedRevision "no_stream"), the
// customer (its revision, or "no_stream"; guest orders skip it) and each product (its
// revision). On 409 it re-reads and retries (MAX_RETRIES). Open model at RATE commands/s
// (default 5,500), at most VUS = 50 in flight ("50 concurrent clients").
//
// Target: >= 5,000 commands/s. Report: 186 ops/s against a target of 2,000-5,000.
// Accounting: attempts = successes + rejections (out of stock) + conflicts_exhausted + errors.
//
//   npm run load -- s2 [--runtime node|bun|deno] [--media cbor]
//   BASE_URL=https://edgelog.example.com k6 run load/s2-multi-stream.js
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import { loadConfig } from './lib/config.js';
import { client, requireHealthy, seg, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { appendOutcome, arrivalRate, commandAccounting } from './lib/k6scenario.js';
import { buildOrderAppend, decideOrder, makeRunTag, orderShape, stockOf, streamName } from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s2.duration });
const api = client(cfg);

const accounting = commandAccounting();
const streamsPerCommand = new Trend('streams_per_command');

export const options = {
  scenarios: {
    s2: arrivalRate('s2', cfg),
  },
  thresholds: thresholds('s2', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '5m',
};

/** @param {string} tag @param {number} i */
const product = (tag, i) => streamName('product', tag, i);
/** @param {string} tag @param {number} i */
const customer = (tag, i) => streamName('customer', tag, i);

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  const runTag = cfg.runTag || makeRunTag(Date.now(), Math.random);
  for (let i = 0; i < cfg.products; i += 50) {
    const items = [];
    for (let j = i; j < Math.min(cfg.products, i + 50); j++) {
      items.push({
        path: `/v1/streams/${seg(product(runTag, j))}`,
        body: { events: [{ type: 'ProductStocked', data: { qty: cfg.initialStock, stock: cfg.initialStock } }], expectedRevision: 'no_stream' },
      });
    }
    for (const r of api.postAll(items, 'stock-product')) {
      if (r.status !== 201) throw new Error(`stocking products failed: ${r.status} ${r.body}`);
    }
  }
  return { runTag };
}

/** @param {{ runTag: string }} data */
export default function (data) {
  const tag = data.runTag;
  const shape = orderShape(Math.random, cfg);
  const orderStream = streamName('order', tag, `${exec.vu.idInTest}.${exec.vu.iterationInScenario}`);
  const customerStream = shape.customer === null ? null : customer(tag, shape.customer);
  accounting.run(cfg.maxRetries, () => {
    // Read every product (last event = current stock) and the customer head in parallel.
    const paths = shape.lines.map((l) => `/v1/streams/${seg(product(tag, l.product))}?direction=backward&limit=1`);
    if (customerStream !== null) paths.push(`/v1/streams/${seg(customerStream)}/head`);
    const responses = api.getAll(paths, 'read-order-streams');
    let ms = 0;
    for (const r of responses) ms = Math.max(ms, r.timings.duration);

    /** @type {Record<number, number>} */
    const stocks = {};
    /** @type {Record<number, number>} */
    const revisions = {};
    let readFailed = false;
    shape.lines.forEach((line, k) => {
      const r = responses[k];
      const page = r.status === 200 ? api.parse(r) : null;
      const last = page && page.events && page.events[0];
      const stock = stockOf(last);
      if (!last || stock === null) readFailed = true;
      else {
        stocks[line.product] = stock;
        revisions[line.product] = last.revision;
      }
    });
    /** @type {number | null} */
    let customerRevision = null;
    if (customerStream !== null) {
      const r = responses[responses.length - 1];
      if (r.status === 200) customerRevision = api.parse(r).revision;
      else if (r.status !== 404) readFailed = true;
    }
    if (readFailed) return { outcome: 'errors', ms };

    const decision = decideOrder(shape, stocks);
    if (!decision.ok) return { outcome: 'rejections', ms };
    const body = buildOrderAppend({
      orderStream,
      customerStream,
      customerRevision,
      productStream: (p) => product(tag, p),
      productRevisions: revisions,
      reservations: decision.reservations,
    });
    const res = api.post('/v1/append', body, 'append-order');
    const outcome = appendOutcome(res.status);
    if (outcome === 'successes') streamsPerCommand.add(body.streams.length);
    return { outcome, ms: ms + res.timings.duration };
  });
}

export const handleSummary = makeHandleSummary('s2', cfg);

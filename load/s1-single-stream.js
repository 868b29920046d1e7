// S1 Single-stream commands (financial transactions) — docs/performance.md "The scenarios"
//
// 100 account streams. Each command reads the account (its last event, which carries
// the balance it leaves; READ_MODE=full folds the whole stream instead), validates the
// balance (no withdrawal below zero), and appends one event (Deposited / Withdrawn /
// TransferSent) with expectedRevision; on 409 it re-reads and retries (MAX_RETRIES).
// Open model (constant-arrival-rate) at RATE commands/s (default 11,000) with at most
// VUS = 100 commands in flight ("100 concurrent clients").
//
// Target: >= 10,000 commands/s over HTTP, p95 < 10 ms, on a durable file.
// Report: 5,993 ops/s, p95 0.20 ms (in-memory store, no HTTP).
//
// Accounting: every command ends in exactly one of successes, rejections (insufficient
// funds), conflicts_exhausted (409 after MAX_RETRIES re-reads) or errors, and `attempts`
// is incremented together with that outcome; the summary checks they add up.
//
//   npm run load -- s1 [--runtime node|bun|deno] [--media cbor]
//   BASE_URL=https://edgelog.example.com k6 run load/s1-single-stream.js
import { loadConfig } from './lib/config.js';
import { client, requireHealthy, seg, TREND_STATS } from './lib/k6http.js';
import { DEFAULTS, thresholds } from './lib/targets.js';
import { makeHandleSummary } from './lib/summary.js';
import { appendOutcome, arrivalRate, commandAccounting } from './lib/k6scenario.js';
import {
  accountCommand,
  accountOpened,
  balanceOf,
  createRng,
  decideAccount,
  foldBalance,
  makeRunTag,
  randInt,
  streamName,
  uuidv7,
} from './lib/workloads.js';

const cfg = loadConfig(__ENV, { duration: DEFAULTS.s1.duration });
const api = client(cfg);

const accounting = commandAccounting();

export const options = {
  scenarios: {
    s1: arrivalRate('s1', cfg),
  },
  thresholds: thresholds('s1', cfg),
  summaryTrendStats: TREND_STATS,
  setupTimeout: '5m',
};

const rng = Math.random;
const idRng = createRng(Date.now() ^ Math.floor(Math.random() * 0x7fffffff));

/** @param {string} runTag @param {number} i */
const account = (runTag, i) => streamName('account', runTag, i);

export function setup() {
  requireHealthy(api, cfg.baseUrl);
  const runTag = cfg.runTag || makeRunTag(Date.now(), Math.random);
  for (let i = 0; i < cfg.accounts; i += 50) {
    const items = [];
    for (let j = i; j < Math.min(cfg.accounts, i + 50); j++) {
      items.push({ path: `/v1/streams/${seg(account(runTag, j))}`, body: { events: [accountOpened(cfg.initialBalance)], expectedRevision: 'no_stream' } });
    }
    const responses = api.postAll(items, 'open-account');
    for (const r of responses) {
      if (r.status !== 201) throw new Error(`opening accounts failed: ${r.status} ${r.body}`);
    }
  }
  return { runTag };
}

/**
 * Current revision and balance of an account, plus the time the read(s) took.
 * @param {string} stream
 * @returns {{ ok: true, revision: number, balance: number, ms: number } | { ok: false, ms: number }}
 */
function readAccount(stream) {
  if (cfg.readMode === 'last') {
    const res = api.get(`/v1/streams/${seg(stream)}?direction=backward&limit=1`, 'read-account');
    const ms = res.timings.duration;
    if (res.status !== 200) return { ok: false, ms };
    const page = api.parse(res);
    const last = page && page.events && page.events[0];
    const balance = balanceOf(last);
    if (!last || balance === null) return { ok: false, ms };
    return { ok: true, revision: last.revision, balance, ms };
  }
  // READ_MODE=full: page through the whole stream and fold it.
  let ms = 0;
  /** @type {any[]} */
  let events = [];
  /** @type {number | null} */
  let from = 0;
  while (from !== null) {
    const res = api.get(`/v1/streams/${seg(stream)}?from=${from}&limit=1000`, 'read-account-full');
    ms += res.timings.duration;
    if (res.status !== 200) return { ok: false, ms };
    const page = api.parse(res);
    events = events.concat(page.events);
    from = page.next;
  }
  if (events.length === 0) return { ok: false, ms };
  return { ok: true, revision: events[events.length - 1].revision, balance: foldBalance(events), ms };
}

/** @param {{ runTag: string }} data */
export default function (data) {
  const stream = account(data.runTag, randInt(rng, 0, cfg.accounts - 1));
  const cmd = accountCommand(rng, cfg);
  accounting.run(cfg.maxRetries, () => {
    const state = readAccount(stream);
    if (!state.ok) return { outcome: 'errors', ms: state.ms };
    const decision = decideAccount(state.balance, cmd);
    if (!decision.ok) return { outcome: 'rejections', ms: state.ms };
    /** @type {Record<string, unknown>} */
    const event = decision.event;
    if (cfg.sendIds) event.id = uuidv7(Date.now(), idRng);
    const res = api.post(`/v1/streams/${seg(stream)}`, { events: [event], expectedRevision: state.revision }, 'append');
    return { outcome: appendOutcome(res.status), ms: state.ms + res.timings.duration };
  });
}

export const handleSummary = makeHandleSummary('s1', cfg);

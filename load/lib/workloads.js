// Workload generators for the load scenarios: plain functions, no k6 imports, so the
// k6 scripts, the autocannon fallback in scripts/profile.mjs and the unit tests
// (test/load-workloads.test.ts) all share them.

// ---------------------------------------------------------------------------------
// randomness

/**
 * Seeded PRNG (mulberry32): repeatable sequences for profiling runs. Returns floats in [0, 1).
 * @param {number} seed
 * @returns {() => number}
 */
export function createRng(seed) {
  let a = seed >>> 0;
  return function rng() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max], both inclusive. @param {() => number} rng @param {number} min @param {number} max */
export function randInt(rng, min, max) {
  return min + Math.floor(rng() * (max - min + 1));
}

/**
 * k distinct integers from [0, n).
 * @param {() => number} rng @param {number} n @param {number} k
 */
export function distinct(rng, n, k) {
  if (k > n) throw new Error(`cannot pick ${k} distinct of ${n}`);
  /** @type {number[]} */
  const out = [];
  while (out.length < k) {
    const x = Math.floor(rng() * n);
    if (out.indexOf(x) === -1) out.push(x);
  }
  return out;
}

/**
 * Time-ordered UUIDv7 (RFC 9562) from a millisecond clock and a PRNG.
 * @param {number} nowMs @param {() => number} rng
 */
export function uuidv7(nowMs, rng) {
  const hex = (/** @type {number} */ n, /** @type {number} */ w) => n.toString(16).padStart(w, '0');
  const ms = Math.floor(nowMs);
  const timeHi = Math.floor(ms / 0x10000); // top 32 bits of the 48-bit timestamp
  const timeLo = ms % 0x10000;
  const randA = Math.floor(rng() * 0x1000);
  const variant = 0x8000 | Math.floor(rng() * 0x4000);
  const r1 = Math.floor(rng() * 0x10000);
  const r2 = Math.floor(rng() * 0x100000000);
  return `${hex(timeHi, 8)}-${hex(timeLo, 4)}-${hex(0x7000 | randA, 4)}-${hex(variant, 4)}-${hex(r1, 4)}${hex(r2, 8)}`;
}

/** Short run tag that keeps stream names of separate runs apart. @param {number} nowMs @param {() => number} rng */
export function makeRunTag(nowMs, rng) {
  return Math.floor(nowMs).toString(36) + Math.floor(rng() * 1296).toString(36).padStart(2, '0');
}

/**
 * Stream name `<category>-<runTag>.<i>` (category = the part before the first `-`).
 * @param {string} category @param {string} runTag @param {number | string} i
 */
export function streamName(category, runTag, i) {
  return runTag ? `${category}-${runTag}.${i}` : `${category}-${i}`;
}

// ---------------------------------------------------------------------------------
// outcomes and accounting

/** The outcome kinds every command ends in exactly once. */
export const OUTCOMES = /** @type {const} */ (['successes', 'rejections', 'conflicts_exhausted', 'errors']);

/**
 * How an HTTP status of an append counts: 2xx ok, 409/412 conflict (retry), anything else error.
 * @param {number} status
 * @returns {'ok' | 'conflict' | 'error'}
 */
export function classifyAppend(status) {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409 || status === 412) return 'conflict';
  return 'error';
}

/** Fresh outcome tally (used by the autocannon driver; k6 uses Counters with the same names). */
export function newTally() {
  return { attempts: 0, successes: 0, rejections: 0, conflicts_exhausted: 0, errors: 0, conflicts: 0 };
}

/**
 * Record one finished command: attempts and exactly one outcome move together, so a
 * command cut short (end of test) is counted nowhere rather than half-counted.
 * @param {ReturnType<typeof newTally>} tally
 * @param {typeof OUTCOMES[number]} outcome
 */
export function recordOutcome(tally, outcome) {
  if (OUTCOMES.indexOf(outcome) === -1) throw new Error(`unknown outcome ${outcome}`);
  tally.attempts++;
  tally[outcome]++;
}

// ---------------------------------------------------------------------------------
// S1: accounts (financial transactions)

/** Command mix of S1: 50 % deposits, 35 % withdrawals, 15 % transfers out. */
export const ACCOUNT_MIX = /** @type {const} */ ([
  ['Deposited', 0.5],
  ['Withdrawn', 0.35],
  ['TransferSent', 0.15],
]);

/**
 * @typedef {{ type: 'Deposited' | 'Withdrawn' | 'TransferSent', amount: number, to?: number }} AccountCommand
 */

/**
 * @param {() => number} rng @param {{ maxAmount: number, accounts: number }} opts
 * @returns {AccountCommand}
 */
export function accountCommand(rng, opts) {
  const r = rng();
  let acc = 0;
  let type = ACCOUNT_MIX[ACCOUNT_MIX.length - 1][0];
  for (const [t, p] of ACCOUNT_MIX) {
    acc += p;
    if (r < acc) {
      type = t;
      break;
    }
  }
  const amount = randInt(rng, 1, opts.maxAmount);
  if (type === 'TransferSent') return { type, amount, to: randInt(rng, 0, opts.accounts - 1) };
  return { type, amount };
}

/** The opening event of an account stream. @param {number} balance */
export function accountOpened(balance) {
  return { type: 'AccountOpened', data: { balance } };
}

/**
 * Balance after an account event: every event of the account carries the balance it
 * leaves, so the last event alone is the state (an O(1) read per command).
 * @param {any} event
 * @returns {number | null}
 */
export function balanceOf(event) {
  const b = event && event.data && event.data.balance;
  return typeof b === 'number' && Number.isFinite(b) ? b : null;
}

/**
 * Fold a whole stream (READ_MODE=full): recompute the balance from amounts.
 * @param {any[]} events
 */
export function foldBalance(events) {
  let balance = 0;
  for (const e of events) {
    const d = (e && e.data) || {};
    if (e.type === 'AccountOpened') balance = d.balance;
    else if (e.type === 'Deposited') balance += d.amount;
    else if (e.type === 'Withdrawn' || e.type === 'TransferSent') balance -= d.amount;
  }
  return balance;
}

/**
 * Decide a command against the current balance: no withdrawal below zero.
 * @param {number} balance @param {AccountCommand} cmd
 * @returns {{ ok: true, event: { type: string, data: Record<string, unknown> } } | { ok: false, reason: 'insufficient-funds' }}
 */
export function decideAccount(balance, cmd) {
  const next = cmd.type === 'Deposited' ? balance + cmd.amount : balance - cmd.amount;
  if (next < 0) return { ok: false, reason: 'insufficient-funds' };
  /** @type {Record<string, unknown>} */
  const data = { amount: cmd.amount, balance: next };
  if (cmd.to !== undefined) data.to = cmd.to;
  return { ok: true, event: { type: cmd.type, data } };
}

// ---------------------------------------------------------------------------------
// S2: orders with inventory (multi-stream)

/**
 * @typedef {{ customer: number | null, lines: { product: number, qty: number }[] }} OrderShape
 */

/**
 * An order touches 2..5 streams: the new order stream, the customer's stream (unless a
 * guest order) and 1..3 distinct product streams.
 * @param {() => number} rng
 * @param {{ products: number, customers: number, maxQty: number, guestRatio?: number }} opts
 * @returns {OrderShape}
 */
export function orderShape(rng, opts) {
  const guestRatio = opts.guestRatio === undefined ? 0.2 : opts.guestRatio;
  const customer = rng() < guestRatio ? null : randInt(rng, 0, opts.customers - 1);
  const nLines = randInt(rng, 1, Math.min(3, opts.products));
  const lines = distinct(rng, opts.products, nLines).map((product) => ({ product, qty: randInt(rng, 1, opts.maxQty) }));
  return { customer, lines };
}

/** Streams an order writes to. @param {OrderShape} shape */
export function orderStreamCount(shape) {
  return 1 + (shape.customer === null ? 0 : 1) + shape.lines.length;
}

/**
 * Stock after a product event (each product event carries the stock it leaves).
 * @param {any} event
 */
export function stockOf(event) {
  const s = event && event.data && event.data.stock;
  return typeof s === 'number' && Number.isFinite(s) ? s : null;
}

/**
 * Reserve stock for every line, or reject the whole order when one product would go below zero.
 * @param {OrderShape} shape
 * @param {Record<number, number>} stocks current stock by product index
 * @returns {{ ok: true, reservations: { product: number, qty: number, stock: number }[] } | { ok: false, reason: 'out-of-stock', product: number }}
 */
export function decideOrder(shape, stocks) {
  const reservations = [];
  for (const line of shape.lines) {
    const current = stocks[line.product];
    if (typeof current !== 'number') throw new Error(`no stock known for product ${line.product}`);
    const stock = current - line.qty;
    if (stock < 0) return { ok: false, reason: 'out-of-stock', product: line.product };
    reservations.push({ product: line.product, qty: line.qty, stock });
  }
  return { ok: true, reservations };
}

/**
 * The POST /v1/append body for an accepted order: every stream with its expected revision.
 * @param {{
 *   orderStream: string,
 *   customerStream: string | null,
 *   customerRevision: number | null,
 *   productStream: (product: number) => string,
 *   productRevisions: Record<number, number>,
 *   reservations: { product: number, qty: number, stock: number }[],
 * }} o
 */
export function buildOrderAppend(o) {
  const lines = o.reservations.map((r) => ({ product: r.product, qty: r.qty }));
  /** @type {{ stream: string, expectedRevision: number | string, events: any[] }[]} */
  const streams = [
    { stream: o.orderStream, expectedRevision: 'no_stream', events: [{ type: 'OrderPlaced', data: { customer: o.customerStream, lines } }] },
  ];
  if (o.customerStream !== null) {
    streams.push({
      stream: o.customerStream,
      expectedRevision: o.customerRevision === null ? 'no_stream' : o.customerRevision,
      events: [{ type: 'OrderRecorded', data: { order: o.orderStream } }],
    });
  }
  for (const r of o.reservations) {
    streams.push({
      stream: o.productStream(r.product),
      expectedRevision: o.productRevisions[r.product],
      events: [{ type: 'StockReserved', data: { order: o.orderStream, qty: r.qty, stock: r.stock } }],
    });
  }
  return { streams };
}

// ---------------------------------------------------------------------------------
// S3: batched writes

/**
 * A data payload whose JSON form is about `size` bytes.
 * @param {number} size @param {number} seq
 */
export function payload(size, seq) {
  const base = JSON.stringify({ seq, pad: '' }).length;
  return { seq, pad: 'x'.repeat(Math.max(0, size - base)) };
}

/**
 * Spread `batchSize` events over `streams` streams as evenly as possible (never more
 * streams than events).
 * @param {number} batchSize @param {number} streams
 * @returns {number[]}
 */
export function splitBatch(batchSize, streams) {
  if (batchSize < 1) throw new Error('batch size must be >= 1');
  const n = Math.max(1, Math.min(streams, batchSize));
  const base = Math.floor(batchSize / n);
  const extra = batchSize % n;
  const out = [];
  for (let i = 0; i < n; i++) out.push(base + (i < extra ? 1 : 0));
  return out;
}

/**
 * A POST /v1/append body with `batchSize` events over `streams` streams (expectedRevision "any").
 * @param {{ batchSize: number, streams: number, eventSize: number, stream: (j: number) => string, seq: number, type?: string, ids?: () => string }} o
 */
export function makeBatch(o) {
  const counts = splitBatch(o.batchSize, o.streams);
  let seq = o.seq;
  return {
    streams: counts.map((count, j) => {
      const events = [];
      for (let k = 0; k < count; k++) {
        /** @type {Record<string, unknown>} */
        const ev = { type: o.type || 'Recorded', data: payload(o.eventSize, seq++) };
        if (o.ids) ev.id = o.ids();
        events.push(ev);
      }
      return { stream: o.stream(j), expectedRevision: 'any', events };
    }),
  };
}

/** Events in a /v1/append body. @param {{ streams: { events: unknown[] }[] }} body */
export function countEvents(body) {
  let n = 0;
  for (const s of body.streams) n += s.events.length;
  return n;
}

// ---------------------------------------------------------------------------------
// S4: reads at scale

/** Event types and tags of the seeded S4 data: a type and a tag unique to each log size. */
export function s4Type(/** @type {number} */ size) {
  return `Seeded${size}`;
}
export function s4Tag(/** @type {number} */ size) {
  return `size:${size}`;
}

/**
 * Which read to do next: round robin over sizes x kinds, so each combination gets the same share.
 * @param {number} i iteration number
 * @param {number[]} sizes
 * @param {string[]} kinds
 */
export function s4Pick(i, sizes, kinds) {
  const k = i % (sizes.length * kinds.length);
  return { size: sizes[Math.floor(k / kinds.length)], kind: kinds[k % kinds.length] };
}

/**
 * A random `from` so that a full page fits: [0, total - page].
 * @param {() => number} rng @param {number} total @param {number} page
 */
export function pageStart(rng, total, page) {
  return randInt(rng, 0, Math.max(0, total - page));
}

// ---------------------------------------------------------------------------------
// S5: mixed 90/10

/**
 * @param {() => number} rng @param {number} readRatio share of reads in [0, 1]
 * @returns {'read' | 'write'}
 */
export function chooseOp(rng, readRatio) {
  return rng() < readRatio ? 'read' : 'write';
}

// ---------------------------------------------------------------------------------
// S6: consumers and checkpoints

/**
 * Parse a text/event-stream body (WHATWG SSE). Returns complete messages and the
 * unparsed remainder (an incomplete last message). Comments (": heartbeat") are skipped.
 * @param {string} text
 * @returns {{ messages: { id: string | null, event: string, data: string }[], rest: string }}
 */
export function parseSse(text) {
  const normalized = text.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() || '';
  const messages = [];
  for (const block of blocks) {
    /** @type {string | null} */
    let id = null;
    let event = 'message';
    const data = [];
    let any = false;
    for (const line of block.split('\n')) {
      if (line === '' || line[0] === ':') continue;
      const i = line.indexOf(':');
      const field = i === -1 ? line : line.slice(0, i);
      let value = i === -1 ? '' : line.slice(i + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'data') { data.push(value); any = true; }
      else if (field === 'id') { id = value; any = true; }
      else if (field === 'event') { event = value; any = true; }
    }
    if (any) messages.push({ id, event, data: data.join('\n') });
  }
  return { messages, rest };
}

/**
 * Checkpoints a consumer saves for `events` events at one checkpoint every `every`
 * events (plus a final one for a tail shorter than `every`).
 * @param {number} events @param {number} every
 */
export function checkpointsFor(events, every) {
  if (every < 1) throw new Error('checkpoint interval must be >= 1');
  return Math.ceil(events / every);
}

/**
 * Events a consumer re-processes after a crash when it checkpoints every N events:
 * at most N - 1 (the events since the last saved checkpoint).
 * @param {number} every
 */
export function lossWindow(every) {
  return Math.max(0, every - 1);
}

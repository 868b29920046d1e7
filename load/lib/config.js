// Configuration for the k6 scenarios, read from the environment.
//
// Plain ES module with no k6 imports: k6 scripts call `loadConfig(__ENV)`, Node
// (tests, scripts/profile.mjs) calls `loadConfig(process.env)`.

/** @typedef {'json' | 'cbor'} Media */

/**
 * @typedef {object} LoadConfig
 * @property {string} baseUrl       server root, no trailing slash (BASE_URL)
 * @property {Media} media          request/response media type (MEDIA=json|cbor)
 * @property {number | null} rate   iterations per second for open-model scenarios (RATE); null = scenario default (its target)
 * @property {string} duration      k6 duration string (DURATION), e.g. "30s"
 * @property {number} durationSec   DURATION in seconds
 * @property {number | null} vus    pre-allocated VUs (VUS); null = scenario default
 * @property {number | null} maxVus maximum VUs for arrival-rate executors (MAX_VUS)
 * @property {number} maxRetries    re-read-and-retry attempts on 409 (MAX_RETRIES)
 * @property {string} timeout       per-request timeout (TIMEOUT)
 * @property {string} runTag        suffix that keeps stream names of different runs apart (RUN_TAG)
 * @property {string} resultsDir    where handleSummary writes JSON (RESULTS_DIR)
 * @property {string} label         free text stored with the results, e.g. "node, durability=full" (LABEL)
 * @property {boolean} sendIds      send client-generated UUIDv7 event ids (SEND_IDS=1)
 * @property {number} accounts      S1 account streams (ACCOUNTS)
 * @property {number} initialBalance S1 opening balance per account (INITIAL_BALANCE)
 * @property {number} maxAmount     S1 largest command amount (MAX_AMOUNT)
 * @property {'last' | 'full'} readMode S1: read the last event (`last`) or fold the whole stream (`full`) (READ_MODE)
 * @property {number} products      S2 product streams (PRODUCTS)
 * @property {number} customers     S2 customer streams (CUSTOMERS)
 * @property {number} initialStock  S2 opening stock per product (INITIAL_STOCK)
 * @property {number} maxQty        S2 largest quantity per order line (MAX_QTY)
 * @property {number} batchSize     S3 events per request (BATCH_SIZE)
 * @property {number[]} batchSizes  S3 knee mode: batch sizes to step through (BATCH_SIZES)
 * @property {number} streamsPerBatch S3 streams each batch is spread over (STREAMS)
 * @property {number} eventSize     S3/S5 approximate payload bytes per event (EVENT_SIZE)
 * @property {'target' | 'knee'} s3Mode S3 mode (S3_MODE)
 * @property {string} stepDuration  S3 knee mode: duration of each batch size step (STEP_DURATION)
 * @property {number[]} sizes       S4 log sizes to seed and read (SIZES)
 * @property {number} pageSize      S4/S6 page size (PAGE_SIZE)
 * @property {boolean} tagReads     S4: include POST /v1/query tag reads (TAG_READS, default on; 0 for servers without DCB queries)
 * @property {number} seedBatch     events per seeding request (SEED_BATCH)
 * @property {number} readRatio     S5 share of reads, 0..1 (READ_RATIO)
 * @property {number} streams       S5 streams written (S5_STREAMS)
 * @property {number} consumerEvents S6 events to seed and consume (CONSUMER_EVENTS)
 * @property {number[]} checkpointEvery S6 checkpoint intervals N (CHECKPOINT_EVERY)
 * @property {'sse' | 'poll'} transport S6: read through GET /v1/subscribe (sse) or paged category reads (poll) (TRANSPORT)
 * @property {number} subscribers   S8 live subscribers in the second phase (SUBSCRIBERS)
 * @property {'none' | 'all'} match S8: subscribers' filters match no appended event, or every one (MATCH)
 * @property {number} appenders     S8 closed-loop appending clients (APPENDERS)
 * @property {number} probes        S8 clients measuring commit -> delivery latency (PROBES)
 * @property {string} connect       S8 time given the subscribers to connect before the second phase (CONNECT)
 * @property {number} connectSec    CONNECT in seconds
 */

/** @param {string | undefined} v @param {number} d */
export function num(v, d) {
  if (v === undefined || v === null || String(v).trim() === '') return d;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
}

/** @param {string | undefined} v @param {number} d */
export function int(v, d) {
  const n = num(v, d);
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${v}`);
  return n;
}

/** @param {string | undefined} v @param {number | null} d */
function optInt(v, d) {
  if (v === undefined || v === null || String(v).trim() === '') return d;
  return int(v, 0);
}

/** @param {string | undefined} v @param {boolean} d */
export function bool(v, d) {
  if (v === undefined || v === null || v === '') return d;
  return /^(1|true|yes|on)$/i.test(String(v).trim());
}

/** "1,2, 5" -> [1, 2, 5] @param {string | undefined} v @param {number[]} d */
export function intList(v, d) {
  if (v === undefined || v === null || String(v).trim() === '') return d.slice();
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => int(s, 0));
}

/**
 * k6-style duration ("500ms", "30s", "2m", "1h30m", or a bare number of seconds) to seconds.
 * @param {string} d
 */
export function parseDuration(d) {
  const s = String(d).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = '';
  let m;
  while ((m = re.exec(s)) !== null) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
    matched += m[0];
  }
  if (matched !== s || s === '') throw new Error(`bad duration: ${d}`);
  return total;
}

/** @param {string | undefined} v @returns {Media} */
function media(v) {
  const m = (v || 'json').toLowerCase();
  if (m !== 'json' && m !== 'cbor') throw new Error(`MEDIA must be json or cbor, got ${v}`);
  return m;
}

/**
 * @param {Record<string, string | undefined>} env  k6's __ENV or Node's process.env
 * @param {{ duration?: string }} [defaults] scenario defaults
 * @returns {LoadConfig}
 */
export function loadConfig(env, defaults = {}) {
  const e = env || {};
  const duration = e.DURATION || defaults.duration || '30s';
  const readMode = (e.READ_MODE || 'last').toLowerCase();
  if (readMode !== 'last' && readMode !== 'full') throw new Error(`READ_MODE must be last or full`);
  const s3Mode = (e.S3_MODE || 'target').toLowerCase();
  if (s3Mode !== 'target' && s3Mode !== 'knee') throw new Error(`S3_MODE must be target or knee`);
  const transport = (e.TRANSPORT || 'sse').toLowerCase();
  if (transport !== 'sse' && transport !== 'poll') throw new Error(`TRANSPORT must be sse or poll`);
  const match = (e.MATCH || 'none').toLowerCase();
  if (match !== 'none' && match !== 'all') throw new Error('MATCH must be none or all');
  const connect = e.CONNECT || '15s';
  const readRatio = num(e.READ_RATIO, 0.1);
  if (readRatio < 0 || readRatio > 1) throw new Error('READ_RATIO must be within 0..1');
  return {
    baseUrl: (e.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    media: media(e.MEDIA),
    rate: optInt(e.RATE, null),
    duration,
    durationSec: parseDuration(duration),
    vus: optInt(e.VUS, null),
    maxVus: optInt(e.MAX_VUS, null),
    maxRetries: int(e.MAX_RETRIES, 5),
    timeout: e.TIMEOUT || '10s',
    runTag: e.RUN_TAG || '',
    resultsDir: (e.RESULTS_DIR || 'load/results').replace(/\/+$/, ''),
    label: e.LABEL || '',
    sendIds: bool(e.SEND_IDS, false),
    accounts: int(e.ACCOUNTS, 100),
    initialBalance: int(e.INITIAL_BALANCE, 10000),
    maxAmount: int(e.MAX_AMOUNT, 500),
    readMode: /** @type {'last'|'full'} */ (readMode),
    products: int(e.PRODUCTS, 50),
    customers: int(e.CUSTOMERS, 1000),
    initialStock: int(e.INITIAL_STOCK, 20000),
    maxQty: int(e.MAX_QTY, 3),
    batchSize: int(e.BATCH_SIZE, 100),
    batchSizes: intList(e.BATCH_SIZES, [1, 2, 5, 10, 20, 50, 100]),
    streamsPerBatch: int(e.STREAMS, 5),
    eventSize: int(e.EVENT_SIZE, 200),
    s3Mode: /** @type {'target'|'knee'} */ (s3Mode),
    stepDuration: e.STEP_DURATION || '10s',
    sizes: intList(e.SIZES, [100, 1000, 10000, 100000]),
    pageSize: int(e.PAGE_SIZE, 100),
    tagReads: bool(e.TAG_READS, true),
    // the server's defaults: MAX_EVENTS_PER_APPEND 100, MAX_BODY_BYTES 64 KiB (100 seeded events are ~25 KB)
    seedBatch: int(e.SEED_BATCH, 100),
    readRatio,
    streams: int(e.S5_STREAMS, 100),
    consumerEvents: int(e.CONSUMER_EVENTS, 100000),
    checkpointEvery: intList(e.CHECKPOINT_EVERY, [1, 10, 100, 1000]),
    transport: /** @type {'sse'|'poll'} */ (transport),
    subscribers: int(e.SUBSCRIBERS, 1000),
    match: /** @type {'none'|'all'} */ (match),
    appenders: int(e.APPENDERS, 10),
    probes: int(e.PROBES, 4),
    connect,
    connectSec: parseDuration(connect),
  };
}

/** Content-Type / Accept value for a media choice. @param {Media} m */
export function mediaType(m) {
  return m === 'cbor' ? 'application/cbor' : 'application/json';
}

/** Compact UTC timestamp for file names: 20250101T120000Z. @param {Date} [d] */
export function timestamp(d = new Date()) {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

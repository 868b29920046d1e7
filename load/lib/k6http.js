// The k6 side of the shared code: an HTTP client that speaks JSON or CBOR to edgelog.
// (The only module in load/lib that imports k6; everything else runs in Node too.)
import http from 'k6/http';
import { decode, encodeToArrayBuffer, utf8Decode } from './cbor.js';
import { mediaType } from './config.js';

// 404 (stream not found) and 409/412 (conflicts) are answers the scenarios act on, not
// failures; keep them out of http_req_failed.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 404, 409, 412));

/**
 * @param {import('./config.js').LoadConfig} cfg
 */
export function client(cfg) {
  const type = mediaType(cfg.media);
  const binary = cfg.media === 'cbor';
  /** @param {string} name @param {Record<string, string>} [tags] @returns {import('k6/http').Params} */
  const readParams = (name, tags) => ({
    headers: { Accept: type },
    responseType: binary ? 'binary' : 'text',
    timeout: cfg.timeout,
    tags: Object.assign({ name }, tags || {}),
  });
  /** @param {string} name @param {Record<string, string>} [tags] @returns {import('k6/http').Params} */
  const writeParams = (name, tags) => ({
    headers: { Accept: type, 'Content-Type': type },
    responseType: binary ? 'binary' : 'text',
    timeout: cfg.timeout,
    tags: Object.assign({ name }, tags || {}),
  });
  /** @param {unknown} x */
  const body = (x) => (binary ? encodeToArrayBuffer(x) : JSON.stringify(x));

  return {
    /** @param {string} path @param {string} name request name tag @param {Record<string, string>} [tags] */
    get(path, name, tags) {
      return http.get(cfg.baseUrl + path, readParams(name, tags));
    },
    /** @param {string} path @param {unknown} x @param {string} name @param {Record<string, string>} [tags] */
    post(path, x, name, tags) {
      return http.post(cfg.baseUrl + path, body(x), writeParams(name, tags));
    },
    /** @param {string} path @param {unknown} x @param {string} name @param {Record<string, string>} [tags] */
    put(path, x, name, tags) {
      return http.put(cfg.baseUrl + path, body(x), writeParams(name, tags));
    },
    /**
     * Several GETs in parallel (k6 http.batch).
     * @param {string[]} paths @param {string} name
     */
    getAll(paths, name) {
      /** @type {import('k6/http').ArrayBatchRequest[]} */
      const reqs = paths.map((p) => /** @type {import('k6/http').ArrayBatchRequest} */ (['GET', cfg.baseUrl + p, null, readParams(name)]));
      return http.batch(reqs);
    },
    /**
     * Several POSTs in parallel (used by setup() to seed data).
     * @param {{ path: string, body: unknown }[]} items @param {string} name
     */
    postAll(items, name) {
      /** @type {import('k6/http').ArrayBatchRequest[]} */
      const reqs = items.map((it) => /** @type {import('k6/http').ArrayBatchRequest} */ (['POST', cfg.baseUrl + it.path, body(it.body), writeParams(name)]));
      return http.batch(reqs);
    },
    /**
     * Response body as a value: CBOR or JSON by Content-Type (problem documents are always JSON).
     * @param {import('k6/http').Response} res
     * @returns {any}
     */
    parse(res) {
      const b = /** @type {string | ArrayBuffer | null} */ (res.body);
      if (b === null || b === undefined) return null;
      const ct = String(res.headers['Content-Type'] || res.headers['content-type'] || '');
      if (ct.indexOf('cbor') !== -1 && typeof b !== 'string') return decode(b);
      const text = typeof b === 'string' ? b : utf8Decode(new Uint8Array(b));
      try {
        return JSON.parse(text);
      } catch (_) {
        return null;
      }
    },
  };
}

/** URL path segment. @param {string} s */
export function seg(s) {
  return encodeURIComponent(s);
}

/**
 * Fail setup early with a clear message when the server is not there.
 * @param {ReturnType<typeof client>} api @param {string} baseUrl
 */
export function requireHealthy(api, baseUrl) {
  const res = api.get('/health', 'health');
  if (res.status !== 200) {
    throw new Error(`edgelog at ${baseUrl} is not healthy: GET /health answered ${res.status} ${res.error || ''}`);
  }
}

/** Summary percentiles every script reports. */
export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

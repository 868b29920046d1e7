// S8 fan-out: the plan of a run and the pieces of the k6 script that need no k6 (tested in
// Node by test/load-workloads.test.ts).
//
// One k6 run, two phases of the same closed-loop appenders: first with no subscriber,
// then with SUBSCRIBERS live subscriptions (GET /v1/subscribe) whose filters match no
// appended event (MATCH=none) or every one (MATCH=all). Between them the subscribers
// connect (CONNECT), and the server's resident memory is read before and after (GET
// /metrics). During the second phase PROBES clients measure commit -> delivery: each
// subscribes to an event type of its own and appends one event of that type at once.

import { parseSse } from './workloads.js';

/**
 * When each k6 scenario starts and how long it runs, in seconds.
 * @param {{ durationSec: number, connectSec: number }} cfg
 */
export function phases(cfg) {
  const phase = cfg.durationSec;
  const subscribeAt = phase + 1;
  const loadedAt = subscribeAt + cfg.connectSec;
  return {
    none: { start: 0, duration: phase },
    // memory: read once before the subscribers connect, once after
    memoryBefore: phase + 0.5,
    memoryAfter: loadedAt - 0.5,
    subscribe: { start: subscribeAt, until: loadedAt + phase },
    loaded: { start: loadedAt, duration: phase },
    end: loadedAt + phase,
  };
}

/** k6 duration text for seconds. @param {number} sec */
export function dur(sec) {
  return `${Math.round(sec * 1000)}ms`;
}

/**
 * The event types of a run: appended in each phase, matched by subscribers, per probe.
 * @param {string} tag the run's tag
 */
export function types(tag) {
  return {
    none: `S8Before-${tag}`,
    loaded: `S8During-${tag}`,
    never: `S8Never-${tag}`,
    /** @param {number} vu @param {number} iter */
    probe: (vu, iter) => `S8Probe-${tag}-${vu}-${iter}`,
  };
}

/**
 * A subscriber's path: from the start of the log, filtered by type, so it catches up
 * through the type index (nothing of its type is stored yet) and is live at once.
 * @param {string} tag @param {'none' | 'all'} match
 */
export function subscriberPath(tag, match) {
  const t = types(tag);
  return `/v1/subscribe?from=0&types=${encodeURIComponent(match === 'all' ? t.loaded : t.never)}`;
}

/** A probe's subscription: its one event, then the stream ends (max=1). @param {string} type */
export function probePath(type) {
  return `/v1/subscribe?from=0&max=1&types=${encodeURIComponent(type)}`;
}

/**
 * Commit -> delivery in ms: from the event's `time` (set by the server as it commits the
 * event's group) to `receivedMs` (the client's clock; the same machine, or clocks in sync).
 * null when the body holds no event of `type`.
 * @param {string} body @param {string} type @param {number} receivedMs
 */
export function deliveryMs(body, type, receivedMs) {
  /** @type {any} */
  let event = null;
  for (const m of parseSse(`${body}\n\n`).messages) {
    if (m.event !== 'message') continue;
    try {
      const e = JSON.parse(m.data);
      if (e && e.type === type) event = event || e;
    } catch (_) {
      // not an event
    }
  }
  if (!event || typeof event.time !== 'string') return null;
  const committed = Date.parse(event.time);
  return Number.isNaN(committed) ? null : Math.max(0, receivedMs - committed);
}

/**
 * The server's resident memory from its Prometheus text (prom-client's
 * process_resident_memory_bytes), or null when it does not report it.
 * @param {string} text
 */
export function residentBytes(text) {
  const m = /^process_resident_memory_bytes(?:\{[^}]*\})? ([0-9.eE+]+)/m.exec(String(text));
  return m ? Number(m[1]) : null;
}

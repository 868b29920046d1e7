// What the k6 scripts share besides HTTP: the open-model executor and the command
// accounting. Imports k6 (metrics), so only the scripts use it, never the Node tests.
import { Counter, Trend } from 'k6/metrics';
import { DEFAULTS, offeredRate } from './targets.js';
import { classifyAppend } from './workloads.js';

/**
 * A constant-arrival-rate scenario at the scenario's offered rate: an open model, so a slow
 * server shows up as latency and dropped iterations instead of being hidden by coordinated
 * omission. maxVUs falls back to VUS, then to the scenario's default.
 * @param {keyof typeof DEFAULTS} name
 * @param {import('./config.js').LoadConfig} cfg
 * @param {Record<string, unknown>} [extra]
 */
export function arrivalRate(name, cfg, extra) {
  const d = /** @type {{ vus: number, maxVus: number }} */ (DEFAULTS[name]);
  const vus = cfg.vus !== null ? cfg.vus : d.vus;
  return Object.assign(
    {
      executor: 'constant-arrival-rate',
      rate: offeredRate(name, cfg),
      timeUnit: '1s',
      duration: cfg.duration,
      preAllocatedVUs: vus,
      maxVUs: cfg.maxVus !== null ? cfg.maxVus : Math.max(vus, d.maxVus),
      gracefulStop: '10s',
    },
    extra || {},
  );
}

/**
 * An append's HTTP status as a command attempt's outcome: 2xx succeeded, 409/412 is a
 * conflict to retry, anything else an error.
 * @param {number} status
 * @returns {'successes' | 'conflict' | 'errors'}
 */
export function appendOutcome(status) {
  const kind = classifyAppend(status);
  return kind === 'ok' ? 'successes' : kind === 'conflict' ? 'conflict' : 'errors';
}

/**
 * Counters for commands that validate, append and retry on 409 (S1, S2). Every command
 * ends in exactly one outcome, recorded together with its attempt, so
 * attempts = successes + rejections + conflicts_exhausted + errors.
 */
export function commandAccounting() {
  const attempts = new Counter('attempts');
  const conflicts = new Counter('conflicts');
  const completed = new Counter('completed');
  const duration = new Trend('command_duration', true);
  /** @type {Record<'successes' | 'rejections' | 'conflicts_exhausted' | 'errors', Counter>} */
  const outcomes = {
    successes: new Counter('successes'),
    rejections: new Counter('rejections'),
    conflicts_exhausted: new Counter('conflicts_exhausted'),
    errors: new Counter('errors'),
  };
  return {
    /**
     * Runs one command. `attempt()` reads, decides and appends once, and says how that
     * went; a 409 ('conflict') is retried with a fresh read, up to `maxRetries` times. The
     * attempt and its one outcome are recorded together, at the end.
     * @param {number} maxRetries
     * @param {() => { outcome: 'successes' | 'rejections' | 'errors' | 'conflict', ms: number }} attempt
     */
    run(maxRetries, attempt) {
      let ms = 0;
      /** @type {'successes' | 'rejections' | 'conflicts_exhausted' | 'errors'} */
      let outcome;
      for (let i = 0; ; i++) {
        const r = attempt();
        ms += r.ms;
        if (r.outcome !== 'conflict') {
          outcome = r.outcome;
          break;
        }
        conflicts.add(1);
        if (i >= maxRetries) {
          outcome = 'conflicts_exhausted';
          break;
        }
      }
      duration.add(ms);
      attempts.add(1);
      outcomes[outcome].add(1);
      if (outcome === 'successes' || outcome === 'rejections') completed.add(1);
    },
  };
}

// Turns a k6 end-of-test summary (the `data` handed to handleSummary) into the reports'
// table "metric | target | actual | status" plus JSON, and checks the accounting:
// attempts must equal successes + rejections + conflicts_exhausted + errors.
// No k6 imports: the same code runs in handleSummary and in Node (tests, profile script).

import { SCENARIOS, targetRows, OUTCOME_COUNTERS } from './targets.js';
import { timestamp } from './config.js';

/**
 * @typedef {{ type?: string, values: Record<string, number>, thresholds?: Record<string, { ok: boolean }> | any[] }} MetricSummary
 */

/**
 * Accept both k6 summary shapes: the classic `{ metrics: { name: {...} }, state }` and the
 * machine-readable 1.0.0 one (`--new-machine-readable-summary`, `{ results: { metrics: [...] }, config }`).
 * @param {any} data
 * @returns {{ metrics: Record<string, MetricSummary>, testRunDurationSec: number | null }}
 */
export function normalize(data) {
  /** @type {Record<string, MetricSummary>} */
  const metrics = {};
  let testRunDurationSec = null;
  if (data && data.metrics && !Array.isArray(data.metrics)) {
    for (const name of Object.keys(data.metrics)) metrics[name] = data.metrics[name];
    if (data.state && typeof data.state.testRunDurationMs === 'number') testRunDurationSec = data.state.testRunDurationMs / 1000;
  } else if (data && data.results && Array.isArray(data.results.metrics)) {
    for (const m of data.results.metrics) metrics[m.name] = m;
    if (data.config && typeof data.config.duration === 'number') testRunDurationSec = data.config.duration;
  }
  return { metrics, testRunDurationSec };
}

/**
 * A metric value; counters that never fired are absent from k6's summary and read as 0.
 * @param {Record<string, MetricSummary>} metrics @param {string} name @param {string} stat
 * @returns {number | null}
 */
export function value(metrics, name, stat) {
  const m = metrics[name];
  if (!m || !m.values) return null;
  const v = m.values[stat];
  return typeof v === 'number' ? v : null;
}

/** Sum of counters' counts (absent = 0). @param {Record<string, MetricSummary>} metrics @param {string[]} names */
export function countOf(metrics, names) {
  let n = 0;
  for (const name of names) n += value(metrics, name, 'count') || 0;
  return n;
}

/**
 * attempts = successes + rejections + conflicts_exhausted + errors.
 * @param {Record<string, MetricSummary>} metrics
 */
export function checkAccounting(metrics) {
  const attempts = countOf(metrics, ['attempts']);
  /** @type {Record<string, number>} */
  const parts = {};
  let sum = 0;
  for (const c of OUTCOME_COUNTERS) {
    parts[c] = countOf(metrics, [c]);
    sum += parts[c];
  }
  const ok = attempts > 0 && attempts === sum;
  const successRate = attempts > 0 ? parts.successes / attempts : null;
  let message;
  if (attempts === 0) message = 'no attempts recorded';
  else if (attempts !== sum) message = `attempts ${attempts} != outcomes ${sum} (difference ${attempts - sum})`;
  else message = 'adds up';
  return { ok, attempts, sum, parts, successRate, message };
}

/**
 * @param {number | null} v @param {string} unit
 */
export function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (unit === 'ms') return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
  if (unit === 'x') return `${v.toFixed(2)}x`;
  const r = Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
  const s = String(r).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return unit === '/s' ? `${s}/s` : s;
}

/** @param {number} v @param {string | null} op @param {number | null} target */
export function meets(v, op, target) {
  if (op === null || target === null) return true;
  switch (op) {
    case '>=': return v >= target;
    case '>': return v > target;
    case '<': return v < target;
    case '<=': return v <= target;
    case '==': return v === target;
    default: throw new Error(`bad op ${op}`);
  }
}

/**
 * Evaluate target rows against summary metrics.
 * @param {import('./targets.js').TargetRow[]} rows
 * @param {Record<string, MetricSummary>} metrics
 * @param {{ durationSec: number }} cfg
 */
export function evaluate(rows, metrics, cfg) {
  return rows.map((row) => {
    const s = row.source;
    /** @type {number | null} */
    let actual = null;
    if (s.kind === 'rate') {
      const dur = s.durationSec || cfg.durationSec;
      // a counter that never fired is absent: read it as 0 once the run recorded anything
      const ran = (s.counters || []).some((c) => metrics[c]) || !!metrics.attempts;
      actual = ran ? countOf(metrics, s.counters || []) / dur : null;
    } else if (s.kind === 'count') {
      actual = countOf(metrics, s.counters || []);
    } else if (s.kind === 'trend') {
      actual = value(metrics, s.metric || '', s.stat || 'avg');
    } else if (s.kind === 'growth') {
      const sizes = (s.sizes || []).slice().sort((a, b) => a - b);
      const lo = value(metrics, `${s.metric}{size:${sizes[0]}}`, s.stat || 'p(95)');
      const hi = value(metrics, `${s.metric}{size:${sizes[sizes.length - 1]}}`, s.stat || 'p(95)');
      // +0.5 ms on both sides so sub-millisecond jitter does not read as growth
      actual = lo !== null && hi !== null ? (hi + 0.5) / (lo + 0.5) : null;
    } else if (s.kind === 'ratio') {
      const under = countOf(metrics, s.over || []);
      actual = under > 0 ? countOf(metrics, s.counters || []) / under : null;
    } else if (s.kind === 'per') {
      const after = value(metrics, s.metric || '', 'value');
      const before = value(metrics, s.from || '', 'value');
      actual = after !== null && before !== null && s.divisor ? (after - before) / s.divisor : null;
    }
    const target = row.op === null ? '-' : `${row.op} ${fmt(row.value, row.unit)}`;
    /** @type {'PASS' | 'MISS' | 'INFO' | 'NO DATA'} */
    let status;
    if (row.op === null) status = 'INFO';
    else if (actual === null) status = 'NO DATA';
    else status = meets(actual, row.op, row.value) ? 'PASS' : 'MISS';
    return { metric: row.metric, target, actual: fmt(actual, row.unit), value: actual, status, report: row.report || null };
  });
}

/**
 * Thresholds k6 evaluated, as [{ metric, threshold, ok }] (classic shape; the 1.0.0 shape
 * carries them the same way where present).
 * @param {Record<string, MetricSummary>} metrics
 */
export function thresholdResults(metrics) {
  const out = [];
  for (const name of Object.keys(metrics)) {
    const t = metrics[name].thresholds;
    if (!t) continue;
    if (Array.isArray(t)) {
      for (const x of t) out.push({ metric: name, threshold: String(x.source || x.name || ''), ok: !!x.ok });
    } else {
      for (const k of Object.keys(t)) out.push({ metric: name, threshold: k, ok: !!t[k].ok });
    }
  }
  return out;
}

/**
 * Plain-text table with aligned columns.
 * @param {string[]} header @param {string[][]} body
 */
export function table(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (/** @type {string[]} */ r) => r.map((c, i) => String(c).padEnd(widths[i])).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

/**
 * Build the report for one run.
 * @param {{ scenario: import('./targets.js').ScenarioId, data: any, cfg: import('./config.js').LoadConfig, extra?: Record<string, unknown>, now?: Date }} o
 */
export function buildReport(o) {
  const meta = SCENARIOS[o.scenario];
  const { metrics, testRunDurationSec } = normalize(o.data);
  const rows = evaluate(targetRows(o.scenario, o.cfg), metrics, o.cfg);
  const accounting = checkAccounting(metrics);
  const thresholdsList = thresholdResults(metrics);
  const passed =
    accounting.ok && rows.every((r) => r.status === 'PASS' || r.status === 'INFO') && thresholdsList.every((t) => t.ok);
  const now = o.now || new Date();
  return {
    scenario: o.scenario,
    title: meta.title,
    reportFigure: meta.report,
    target: meta.target,
    generatedAt: now.toISOString(),
    label: o.cfg.label,
    baseUrl: o.cfg.baseUrl,
    media: o.cfg.media,
    durationSec: o.cfg.durationSec,
    testRunDurationSec,
    config: o.cfg,
    rows,
    accounting,
    thresholds: thresholdsList,
    passed,
    extra: o.extra || {},
  };
}

/** @param {ReturnType<typeof buildReport>} r */
export function renderReport(r) {
  const body = r.rows.map((x) => [x.metric, x.target, x.actual, x.status]);
  const a = r.accounting;
  body.push([
    'attempts = successes + rejections + conflicts_exhausted + errors',
    'equal',
    `${a.attempts} = ${a.parts.successes} + ${a.parts.rejections} + ${a.parts.conflicts_exhausted} + ${a.parts.errors}`,
    a.ok ? 'PASS' : 'MISS',
  ]);
  const lines = [
    '',
    `${r.title}`,
    `target: ${r.target}   report: ${r.reportFigure}`,
    `base URL ${r.baseUrl}, media ${r.media}, duration ${r.durationSec}s${r.label ? `, ${r.label}` : ''}`,
    '',
    table(['metric', 'target', 'actual', 'status'], body),
    '',
  ];
  if (!a.ok) lines.push(`ACCOUNTING DOES NOT ADD UP: ${a.message}`);
  const failed = r.thresholds.filter((t) => !t.ok);
  if (failed.length) lines.push(`k6 thresholds crossed: ${failed.map((t) => `${t.metric} ${t.threshold}`).join(', ')}`);
  lines.push(r.passed ? 'RESULT: PASS' : 'RESULT: MISS', '');
  return lines.join('\n');
}

/**
 * handleSummary for a scenario script: prints the table and writes
 * <resultsDir>/<script name>-<timestamp>.json with the report and the raw k6 summary.
 * @param {import('./targets.js').ScenarioId} scenario
 * @param {import('./config.js').LoadConfig} cfg
 * @param {() => Record<string, unknown>} [extra]
 */
export function makeHandleSummary(scenario, cfg, extra) {
  return function handleSummary(/** @type {any} */ data) {
    const now = new Date();
    const report = buildReport({ scenario, data, cfg, extra: extra ? extra() : {}, now });
    const name = SCENARIOS[scenario].script.replace(/\.js$/, '');
    const file = `${cfg.resultsDir}/${name}-${timestamp(now)}.json`;
    const text = renderReport(report);
    return {
      stdout: `${text}results: ${file}\n`,
      [file]: JSON.stringify(Object.assign({}, report, { text, k6: data }), null, 2),
    };
  };
}

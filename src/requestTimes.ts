import { Histogram, type HistogramConfiguration } from 'prom-client'

interface Series {
  labels: Record<string, string>
  /** observations per bucket (not cumulative), the last one +Inf */
  counts: Float64Array
  sum: number
  count: number
}

/**
 * A prom-client Histogram for the per-request timing, recorded without prom-client's
 * per-observation work (label object, validation, hash): each series is looked up by a
 * string key the caller builds and counts into its own buckets. The scrape reads it through
 * prom-client as any Histogram (`getForPromString`, which `get()` uses too), so /metrics and
 * the tenants' aggregation show exactly what `observe` would have recorded.
 */
export class RequestTimes extends Histogram<string> {
  private series = new Map<string, Series>()
  // Histogram's fields the TypeScript types leave out
  private get own() {
    return this as unknown as { upperBounds: number[]; labelNames: string[]; name: string; help: string; type: string; aggregator: string }
  }

  constructor(config: HistogramConfiguration<string>) {
    super(config)
  }

  /** Counts `seconds` into the series `key` (labels: the values of labelNames, in order). */
  record(key: string, labelValues: () => string[], seconds: number): void {
    let s = this.series.get(key)
    if (!s) {
      const values = labelValues()
      const labels: Record<string, string> = {}
      this.own.labelNames.forEach((name, i) => (labels[name] = values[i]))
      s = { labels, counts: new Float64Array(this.own.upperBounds.length + 1), sum: 0, count: 0 }
      this.series.set(key, s)
    }
    const bounds = this.own.upperBounds
    let i = 0
    while (i < bounds.length && seconds > bounds[i]) i++
    s.counts[i]++
    s.sum += seconds
    s.count++
  }

  override reset(): void {
    super.reset()
    this.series = new Map()
  }

  // prom-client's own export shape (histogram.js: extractBucketValuesForExport, addSumAndCountForExport)
  async getForPromString() {
    const { name, help, type, aggregator, upperBounds } = this.own
    const values: Array<{ labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string; exemplar: null | undefined }> = []
    for (const s of this.series.values()) {
      let acc = 0
      upperBounds.forEach((le, i) => {
        acc += s.counts[i]
        values.push({ labels: { le }, value: acc, metricName: `${name}_bucket`, exemplar: null, sharedLabels: s.labels })
      })
      values.push({ labels: { le: '+Inf' }, value: s.count, metricName: `${name}_bucket`, exemplar: null, sharedLabels: s.labels })
      values.push({ labels: {}, value: s.sum, metricName: `${name}_sum`, exemplar: undefined, sharedLabels: s.labels })
      values.push({ labels: {}, value: s.count, metricName: `${name}_count`, exemplar: undefined, sharedLabels: s.labels })
    }
    return { name, help, type, values, aggregator }
  }
}

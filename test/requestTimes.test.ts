// src/requestTimes.ts must export exactly what prom-client's Histogram exports for the same
// observations: the text format (with a registry's default labels), the JSON the tenants'
// aggregation reads, and after a reset.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AggregatorRegistry, Histogram, Registry } from 'prom-client'
import { RequestTimes } from '../src/requestTimes.ts'

const config = { name: 'edgelog_http_request_duration_seconds', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], buckets: [0.0005, 0.001, 0.01, 0.1, 1] }
const observations: Array<[string, string, string, number]> = [
  ['GET', '/v1/streams/:stream/head', '200', 0.0004],
  ['GET', '/v1/streams/:stream/head', '200', 0.0005],
  ['GET', '/v1/streams/:stream/head', '200', 0.003],
  ['POST', '/v1/streams/:stream', '201', 0.02],
  ['POST', '/v1/*', '415', 0.0001],
  ['POST', '/v1/streams/:stream', '201', 5],
  ['GET', '/v1/streams/:stream/head', '404', 1],
]

function both(defaultLabels?: Record<string, string>) {
  const a = new Registry()
  const b = new Registry()
  if (defaultLabels) (a.setDefaultLabels(defaultLabels), b.setDefaultLabels(defaultLabels))
  const reference = new Histogram({ ...config, registers: [a] })
  const ours = new RequestTimes({ ...config, registers: [b] })
  for (const [method, route, status, s] of observations) {
    reference.observe({ method, route, status }, s)
    ours.record(`${method} ${status} ${route}`, () => [method, route, status], s)
  }
  return { a, b, reference, ours }
}

describe('RequestTimes', () => {
  it('exports the text format prom-client exports for the same observations', async () => {
    const { a, b } = both()
    assert.equal(await b.metrics(), await a.metrics())
    const labelled = both({ tenant: 'acme' })
    assert.equal(await labelled.b.metrics(), await labelled.a.metrics())
    assert.match(await labelled.b.metrics(), /_count\{tenant="acme",method="GET",route="\/v1\/streams\/:stream\/head",status="200"\} 3/)
  })

  it('gives the same JSON (what AggregatorRegistry sums for the tenants) and the same aggregate', async () => {
    const { a, b } = both({ tenant: 't1' })
    assert.deepEqual(await b.getMetricsAsJSON(), await a.getMetricsAsJSON())
    const other = both({ tenant: 't2' })
    const ours = await AggregatorRegistry.aggregate([await b.getMetricsAsJSON(), await other.b.getMetricsAsJSON()]).metrics()
    const theirs = await AggregatorRegistry.aggregate([await a.getMetricsAsJSON(), await other.a.getMetricsAsJSON()]).metrics()
    assert.equal(ours, theirs)
  })

  it('is empty after a reset, as prom-client is', async () => {
    const { a, b, reference, ours } = both()
    reference.reset()
    ours.reset()
    assert.equal(await b.metrics(), await a.metrics())
  })
})

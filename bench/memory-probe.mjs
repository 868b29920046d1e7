/**
 * Loaded into the benchmarked server with NODE_OPTIONS=--import (bench:fanout): a second
 * HTTP listener on MEMORY_PROBE_PORT (127.0.0.1) that runs two full garbage collections
 * and answers process.memoryUsage() as JSON. Memory per subscriber is then what the server
 * retains, not how far V8's young generation had grown since its last scavenge (which
 * moves RSS by megabytes either way). The server itself is unchanged.
 *
 *   GET http://127.0.0.1:$MEMORY_PROBE_PORT/  ->  {"rss":..,"heapUsed":..,"external":..,"arrayBuffers":..}
 */
import { createServer } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
/** @type {() => void} */
const gc = runInNewContext('gc')

const port = Number(process.env.MEMORY_PROBE_PORT)
if (port) {
  const probe = createServer((_req, res) => {
    gc()
    gc()
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(process.memoryUsage()))
  })
  probe.listen(port, '127.0.0.1')
  // Never keeps the server alive on its own (SIGTERM shutdown ends the process as before).
  probe.unref()
}

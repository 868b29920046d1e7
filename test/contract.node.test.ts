// The HTTP contract of docs/api.md against the node entry (src/node.ts).
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { contractSuite } from './contract/suite.ts'
import { startServer, type RunningServer } from './contract/server.ts'

describe('node server', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('node')
  })
  after(async () => {
    await server?.stop()
  })

  contractSuite('node', () => server.baseUrl)

  it('a chunked body that never ends gets its 413 once the drain gives up (1 s), and the connection is let go', { timeout: 15_000 }, async () => {
    const url = new URL(`${server.baseUrl}/v1/streams/endless-1`)
    const chunk = ' '.repeat(8192)
    let writing: ReturnType<typeof setInterval> | undefined
    const outcome = await new Promise<string>((resolve) => {
      const r = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        resolve(`status ${res.statusCode}`)
        res.resume()
      })
      r.on('error', (e) => resolve(`error ${e.message}`))
      r.write('{"events":[{"type":"A"}]')
      // a client that keeps sending, slowly, forever
      writing = setInterval(() => r.write(chunk), 20)
    })
    clearInterval(writing)
    // Either the 413 arrived, or the server closed the connection on a client still sending.
    assert.match(outcome, /^status 413$|^error /)
    const head = await fetch(`${server.baseUrl}/v1/streams/endless-1/head`)
    assert.equal(head.status, 404)
    await head.arrayBuffer()
  })

  it('drains and exits 0 on SIGTERM', async () => {
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null })
  })
})

// The Node entry keeps idle keep-alive connections 65 s (src/node.ts): with Node's 5 s a
// pooled client reusing a connection just as the server closed it failed its request
// ("other side closed"), seen in test/budget.sqld.test.ts under load.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startServer, type RunningServer } from './contract/server.ts'

let server: RunningServer
before(async () => {
  server = await startServer('node', { env: { LOG_LEVEL: 'error' } })
})
after(() => server?.stop())

test('the Node server announces a 65 s keep-alive to its clients', async () => {
  const res = await fetch(`${server.baseUrl}/health`)
  await res.arrayBuffer()
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('keep-alive'), 'timeout=65')
})

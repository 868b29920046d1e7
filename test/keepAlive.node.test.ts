// The Node entry keeps idle keep-alive connections 65 s (src/node.ts): with Node's 5 s a
// pooled client reusing a connection just as the server closed it failed its request
// ("other side closed"), seen in test/budget.sqld.test.ts under load. And pipelined
// requests are handled one after another (src/nodeServer.ts).
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { connect } from 'node:net'
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

/** Sends `requests` in one write on one connection; the status lines and bodies of the answers, in order. */
async function pipelined(requests: string[]): Promise<Array<{ status: number; body: any }>> {
  const socket = connect(server.port, '127.0.0.1')
  let text = ''
  socket.on('data', (d) => (text += d))
  socket.write(requests.join(''))
  await once(socket, 'close')
  return text
    .split(/(?=HTTP\/1\.1 \d{3})/)
    .map((answer) => ({ status: Number(answer.slice(9, 12)), body: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4) || 'null') }))
}

const post = (path: string, body: unknown) => {
  const json = JSON.stringify(body)
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`
}

test('pipelined requests on one connection are handled in order (RFC 9112 §9.3.2): a GET right behind a POST sees its event', async () => {
  const stream = `pipelined-${randomUUID()}`
  const answers = await pipelined([
    post(`/v1/streams/${stream}`, { expectedRevision: 'no_stream', events: [{ type: 'First' }] }),
    `GET /v1/streams/${stream}/head HTTP/1.1\r\nHost: x\r\n\r\n`,
    post(`/v1/streams/${stream}`, { expectedRevision: 0, events: [{ type: 'Second' }] }),
    `GET /v1/streams/${stream} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  ])
  assert.deepEqual(
    answers.map((a) => a.status),
    [201, 200, 201, 200],
    JSON.stringify(answers),
  )
  assert.equal(answers[1].body.revision, 0)
  assert.deepEqual(
    answers[3].body.events.map((e: { type: string }) => e.type),
    ['First', 'Second'],
  )
})

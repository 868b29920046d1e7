// writeEventStream (render/sse.ts): an event stream handed to the runtime's own response
// (Node's ServerResponse in src/nodeServer.ts) instead of a web stream. A sink of our own
// stands in for the response here: what is written, backpressure, the client going away.
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { sseBody, writeEventStream, type DirectSink } from '../src/http/render/sse.ts'

const utf8 = new TextEncoder()
const text = new TextDecoder()
/** A turn of the event loop: whatever was going to settle by itself has. */
const turn = () => new Promise<void>((r) => setImmediate(r))

class Sink extends EventEmitter implements DirectSink {
  head: { status: number; headers: Record<string, string> } | undefined
  written: string[] = []
  /** false: every write is over the high-water mark (the client does not read) */
  accepts = true
  ended = false
  destroyed = false
  writeHead(status: number, headers: Record<string, string>) {
    this.head = { status, headers }
  }
  write(chunk: Uint8Array) {
    this.written.push(text.decode(chunk))
    return this.accepts
  }
  end() {
    this.ended = true
  }
  destroy() {
    this.destroyed = true
  }
}

const stream = () => {
  const owner = { aborted: 0, abort() { this.aborted++ } }
  const body = sseBody(owner)
  const response = new Response(body.readable, { status: 200, headers: { 'Content-Type': 'text/event-stream', 'X-Request-Id': 'r1' } })
  return { owner, body, response }
}

describe('writeEventStream', () => {
  it('writes the head and every chunk to the sink; a write made before it waits for it, then goes first', async () => {
    const { body, response } = stream()
    const first = body.write(utf8.encode(': hello\n\n')) // the route writes before the response is served
    const sink = new Sink()
    assert.equal(writeEventStream(response, sink), true)
    assert.deepEqual(sink.head, { status: 200, headers: { 'content-type': 'text/event-stream', 'x-request-id': 'r1' } })
    assert.equal(await first, true)
    assert.equal(await body.write(utf8.encode('id: 1\ndata: {}\n\n')), true)
    assert.deepEqual(sink.written, [': hello\n\n', 'id: 1\ndata: {}\n\n'])
    body.close()
    assert.equal(sink.ended, true)
    sink.emit('close') // after our own end: not a client going away
    assert.equal(body.aborted, false)
  })

  it('holds a write the sink cannot take until it drains (backpressure), and resolves it true then', async () => {
    const { body, response } = stream()
    const sink = new Sink()
    writeEventStream(response, sink)
    sink.accepts = false
    let taken: boolean | undefined
    void body.write(utf8.encode('a')).then((t) => (taken = t))
    await turn()
    assert.equal(taken, undefined, 'waits for drain')
    sink.accepts = true
    sink.emit('drain')
    await turn()
    assert.equal(taken, true)
  })

  it('the client going away (close or error) ends the stream: the owner is told once, a waiting write and later ones resolve false', async () => {
    for (const event of ['close', 'error'] as const) {
      const { owner, body, response } = stream()
      const sink = new Sink()
      writeEventStream(response, sink)
      sink.accepts = false
      const waiting = body.write(utf8.encode('a'))
      sink.emit(event)
      assert.equal(await waiting, false)
      assert.equal(await body.write(utf8.encode('b')), false)
      assert.equal(owner.aborted, 1)
      assert.equal(body.aborted, true)
      assert.deepEqual(sink.written, ['a'])
    }
  })

  it('abort() destroys the sink (the connection is dropped); a stream cut before it was served is destroyed at once', async () => {
    const { body, response } = stream()
    const sink = new Sink()
    writeEventStream(response, sink)
    body.abort()
    assert.equal(sink.destroyed, true)
    const late = stream()
    late.body.abort()
    const lateSink = new Sink()
    writeEventStream(late.response, lateSink)
    assert.equal(lateSink.destroyed, true)
    assert.deepEqual(lateSink.written, [])
  })

  it('leaves any other response alone', () => {
    const sink = new Sink()
    assert.equal(writeEventStream(new Response('{"a":1}', { headers: { 'content-type': 'application/json' } }), sink), false)
    assert.equal(writeEventStream(new Response(new ReadableStream()), sink), false)
    assert.equal(sink.head, undefined)
  })
})
